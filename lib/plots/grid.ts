/**
 * Subplot grids without plotly's make_subplots (which is Python-only): axis domains, anchors and
 * subplot titles (as annotations) for a rows x cols grid, filled row by row from the top left.
 */
import { axis, Layout } from './figure';

export interface GridOptions {
  /** Title above each panel, row-major ([rows*cols], '' for none). */
  titles?: string[];
  /** x-axis title per panel (row-major) or one for all. */
  xTitles?: string[] | string;
  /** y-axis title per panel (row-major) or one for all. */
  yTitles?: string[] | string;
  /** Gaps between panels as fractions of the plot area. */
  hGap?: number;
  vGap?: number;
  /** Extra axis settings per panel (row-major), e.g. {type: 'log'}. */
  xAxis?: Array<Record<string, unknown>> | Record<string, unknown>;
  yAxis?: Array<Record<string, unknown>> | Record<string, unknown>;
}

export interface Grid {
  rows: number;
  cols: number;
  /** Layout entries: xaxis, yaxis, xaxis2, ... and the title annotations. */
  layout: Layout;
  /** Trace axis references of panel (r, c): {xaxis: 'x2', yaxis: 'y2'}. */
  ref(r: number, c: number): { xaxis: string; yaxis: string };
}

function pick<T>(v: T[] | T | undefined, k: number): T | undefined {
  return Array.isArray(v) ? v[k] : v;
}

export function grid(rows: number, cols: number, o: GridOptions = {}): Grid {
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 1)) throw new Error(`grid: rows and cols must be integers >= 1, got ${rows} x ${cols}`);
  const hGap = o.hGap ?? (cols > 1 ? 0.08 : 0);
  const vGap = o.vGap ?? (rows > 1 ? 0.16 : 0);
  const w = (1 - (cols - 1) * hGap) / cols;
  const h = (1 - (rows - 1) * vGap) / rows;
  const layout: Layout = {};
  const annotations: Record<string, unknown>[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c + 1;
      const sx = k === 1 ? '' : String(k);
      const x0 = c * (w + hGap);
      const top = 1 - r * (h + vGap);
      const xd = [x0, Math.min(1, x0 + w)];
      const yd = [Math.max(0, top - h), top];
      layout[`xaxis${sx}`] = axis(pick(o.xTitles, k - 1), { domain: xd, anchor: `y${sx}`, ...(pick(o.xAxis, k - 1) ?? {}) });
      layout[`yaxis${sx}`] = axis(pick(o.yTitles, k - 1), { domain: yd, anchor: `x${sx}`, ...(pick(o.yAxis, k - 1) ?? {}) });
      const t = o.titles?.[k - 1];
      if (t) {
        annotations.push({
          text: `<b>${t}</b>`,
          x: (xd[0] + xd[1]) / 2,
          y: yd[1],
          xref: 'paper',
          yref: 'paper',
          xanchor: 'center',
          yanchor: 'bottom',
          yshift: 6,
          showarrow: false,
          font: { size: 14 },
        });
      }
    }
  }
  layout.annotations = annotations;
  return {
    rows,
    cols,
    layout,
    ref(r: number, c: number) {
      const k = r * cols + c + 1;
      const sx = k === 1 ? '' : String(k);
      return { xaxis: `x${sx}`, yaxis: `y${sx}` };
    },
  };
}
