/**
 * The row loop every adapter shares: header check, repeated-header and column-count checks, row
 * cap, empty-file errors. Each data row is split in place and handed to the adapter's parser.
 */
import { InputError } from '../../util/errors';
import { forEachLine, LineReadStats } from '../lineReader';
import { EventAccumulator } from './events';
import { FieldSplitter, idProblem, show, timeInRange, timeProblem } from './fields';
import { AdapterOptions } from './options';

export interface CsvFormat {
  /** Exact header line, or null when the format has none. */
  header: string | null;
  /** Column names (their count is the expected column count; used in messages). */
  columns: string[];
  /** Extra words for a column-count error with `n` fields (e.g. "swapped input files?"), or null. */
  columnHint?: (n: number) => string | null;
  /** Parse one data row whose fields are in `f`; throw InputError for bad values. */
  row: (s: string, f: FieldSplitter, line: number) => void;
}

/** Read one CSV file through `format.row`; returns the line-reader stats. */
export async function readCsv(file: string, format: CsvFormat, acc: EventAccumulator, opts: AdapterOptions): Promise<LineReadStats> {
  const ncol = format.columns.length;
  const f = new FieldSplitter(ncol + 1);
  const header = format.header;
  let sawHeader = false;
  let rows = 0;
  const st = await forEachLine(
    file,
    (s, a, b, line) => {
      const isHeader = header !== null && b - a === header.length && s.startsWith(header, a);
      if (header !== null && !sawHeader) {
        if (!isHeader) {
          throw new InputError(file, line, `expected the header ${JSON.stringify(header)}, got ${show(s.slice(a, b), 80)} (header missing or wrong?)`);
        }
        sawHeader = true;
        return;
      }
      if (isHeader) throw new InputError(file, line, 'header line repeated (concatenated files?)');
      const nf = f.split(s, a, b);
      if (nf !== ncol) {
        const hint = format.columnHint?.(nf);
        throw new InputError(file, line, `expected ${ncol} columns (${format.columns.join(',')}), got ${nf}${hint ? `: ${hint}` : ''}`);
      }
      if (header === null && line === 1) {
        const c = s.charCodeAt(a);
        if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
          throw new InputError(file, line, `looks like a header line ${show(s.slice(a, b), 80)}; this format has none (expected ${format.columns.join(',')} values)`);
        }
      }
      format.row(s, f, line);
      rows++;
      if (opts.maxRows > 0 && rows >= opts.maxRows) return false;
    },
    { maxLineBytes: opts.maxLineBytes, progress: opts.progress },
  );
  acc.dataRows += rows;
  acc.blankLines += st.blankLines;
  if (st.lines === 0) throw new InputError(file, 1, 'empty file (no data rows)');
  if (rows === 0) throw new InputError(file, st.lastLine + 1, 'no data rows after the header');
  return st;
}

/** InputError for field `i` (named `name`) that is not an id. */
export function badId(file: string, line: number, name: string, s: string, f: FieldSplitter, i: number): InputError {
  return new InputError(file, line, idProblem(name, f.text(s, i)));
}

/** Check a parsed timestamp; throws InputError naming the field when it is malformed or absurd. */
export function checkTime(file: string, line: number, name: string, t: number, s: string, f: FieldSplitter, i: number, what: string): void {
  if (!timeInRange(t)) throw new InputError(file, line, timeProblem(name, f.text(s, i), t, what));
}

/** Error when nothing survived the filters. */
export function noUsableRows(file: string, line: number, acc: EventAccumulator): InputError {
  const d = acc.dropped;
  return new InputError(
    file,
    line,
    `no usable rows: all ${acc.dataRows} data rows were dropped (outside time window ${d.outsideTimeWindow}, ignored event types ${d.ignoredEvents}, orphan buys ${d.orphanBuys})`,
  );
}

/** The time window in force: explicit option, else the adapter's default (null = keep all). */
export function windowOf(opts: AdapterOptions, dflt: [number, number] | null): [number, number] | null {
  return opts.timeWindow.length === 2 ? [opts.timeWindow[0], opts.timeWindow[1]] : dflt;
}
