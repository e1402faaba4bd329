/**
 * Small HTML tables for notebooks: from an array of row objects or a danfojs DataFrame (anything
 * with `columns` and `values`), numbers formatted for reading (thousands separators, 4 significant
 * digits, or percentages for the columns named in `percent`).
 */
import { NotebookDisplay } from './show';

export interface TableOptions {
  /** Columns shown as percentages (value 0.0981 -> 9.81%). */
  percent?: string[];
  /** Decimals of percentages (default 2). */
  percentDigits?: number;
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  /** Caption above the table. */
  caption?: string;
  /** At most this many rows (default 50); the rest is summarised. */
  maxRows?: number;
}

/** Duck type of a danfojs DataFrame. */
export interface FrameLike {
  columns: string[];
  values: unknown[][];
}

function isFrame(x: unknown): x is FrameLike {
  return typeof x === 'object' && x !== null && Array.isArray((x as FrameLike).columns) && Array.isArray((x as FrameLike).values);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A value as table text. */
export function formatCell(v: unknown, col: string, o: TableOptions = {}): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : String(v);
    if (o.percent?.includes(col)) return `${(100 * v).toFixed(o.percentDigits ?? 2)}%`;
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    return Number(v.toPrecision(o.digits ?? 4)).toString();
  }
  if (Array.isArray(v)) return v.map((x) => formatCell(x, col, o)).join(', ');
  return String(v);
}

/** Rows (objects) or a DataFrame -> column names and row arrays. */
export function tableRows(x: readonly object[] | FrameLike): { columns: string[]; rows: unknown[][] } {
  if (isFrame(x)) return { columns: x.columns, rows: x.values };
  const rows = x as ReadonlyArray<Record<string, unknown>>;
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  return { columns, rows: rows.map((r) => columns.map((c) => r[c])) };
}

/** An HTML table (numbers right-aligned). */
export function tableHtml(x: readonly object[] | FrameLike, o: TableOptions = {}): string {
  const { columns, rows } = tableRows(x);
  const max = o.maxRows ?? 50;
  const shown = rows.slice(0, max);
  const cell = (v: unknown, c: string): string => {
    const num = typeof v === 'number';
    return `<td style="text-align:${num ? 'right' : 'left'};padding:2px 10px;font-variant-numeric:tabular-nums">${esc(formatCell(v, c, o))}</td>`;
  };
  const head = columns.map((c) => `<th style="text-align:center;padding:2px 10px;border-bottom:1px solid #888">${esc(c)}</th>`).join('');
  const body = shown.map((r) => `<tr>${r.map((v, j) => cell(v, columns[j])).join('')}</tr>`).join('\n');
  const more = rows.length > max ? `<tr><td colspan="${columns.length}" style="color:#666;padding:2px 10px">... ${rows.length - max} more rows</td></tr>` : '';
  const caption = o.caption ? `<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">${esc(o.caption)}</caption>` : '';
  return `<table style="border-collapse:collapse;font-size:13px;margin:4px 0">${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}${more}</tbody></table>`;
}

/** A plain-text table (for logs and tests). */
export function tableText(x: readonly object[] | FrameLike, o: TableOptions = {}): string {
  const { columns, rows } = tableRows(x);
  const cells = rows.slice(0, o.maxRows ?? 50).map((r) => r.map((v, j) => formatCell(v, columns[j], o)));
  const w = columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const line = (r: string[]): string => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
  return [...(o.caption ? [o.caption] : []), line(columns), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}

/** Display a table in the notebook (text/html). */
export function showTable(x: readonly object[] | FrameLike, o: TableOptions & { display?: NotebookDisplay } = {}): void {
  const display = o.display ?? (require('tslab') as { display: NotebookDisplay }).display;
  display.html(tableHtml(x, o));
}
