/**
 * Small generic charts for exploring logs and results in notebooks: histogram (binned here), grouped
 * bars, lines.
 */
import { UsageError } from '../util/errors';
import { baseLayout, colorFor, Figure, Trace } from './figure';
import { grid } from './grid';

export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  height?: number;
  /** y axis type. */
  yType?: 'linear' | 'log';
  /** Plotly tick format of y, e.g. '.1%'. */
  yFormat?: string;
}

function single(o: ChartOptions, extra: Record<string, unknown> = {}, xAxis: Record<string, unknown> = {}): Record<string, unknown> {
  const g = grid(1, 1, { xTitles: o.xTitle, yTitles: o.yTitle, xAxis, yAxis: { ...(o.yType ? { type: o.yType } : {}), ...(o.yFormat ? { tickformat: o.yFormat } : {}) } });
  return baseLayout(o.title, { ...g.layout, height: o.height ?? 400, ...extra });
}

/**
 * Histogram(s) of raw values, binned here (not by plotly) so the figure stays small for millions of
 * values: `bins` equal-width bins over [min, max] of all series (integers get unit-aligned bins when
 * the range is small). Several series are overlaid translucently.
 */
export function histogram(series: Record<string, ArrayLike<number>>, o: ChartOptions & { bins?: number; density?: boolean } = {}): Figure {
  const names = Object.keys(series);
  if (!names.length) throw new UsageError('histogram: no series');
  let lo = Infinity;
  let hi = -Infinity;
  let allInt = true;
  for (const n of names) {
    const v = series[n];
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (allInt && !Number.isInteger(x)) allInt = false;
    }
  }
  if (!Number.isFinite(lo)) throw new UsageError('histogram: no finite values');
  let bins = Math.max(1, Math.floor(o.bins ?? 40));
  let width: number;
  if (allInt && hi - lo + 1 <= bins) {
    bins = hi - lo + 1;
    width = 1;
    lo -= 0.5;
  } else {
    width = hi > lo ? (hi - lo) / bins : 1;
    if (allInt) width = Math.max(1, Math.ceil(width));
    if (allInt) lo -= 0.5;
  }
  const centers = Array.from({ length: bins }, (_, b) => lo + (b + 0.5) * width);
  const data: Trace[] = names.map((name, k) => {
    const v = series[name];
    const counts = new Array<number>(bins).fill(0);
    let n = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) continue;
      counts[Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)))]++;
      n++;
    }
    const y = o.density ? counts.map((c) => (n ? c / n : 0)) : counts;
    return {
      type: 'bar',
      name,
      x: centers,
      y,
      width: centers.map(() => width),
      marker: { color: colorFor(name, k), opacity: names.length > 1 ? 0.55 : 0.85, line: { width: 0 } },
      showlegend: names.length > 1,
    };
  });
  return { data, layout: single({ yTitle: o.density ? 'share' : 'count', ...o }, { barmode: 'overlay', bargap: 0 }) };
}

/** Grouped bars: categories on x, one trace per series. Values may carry error half-widths via `errors`. */
export function barChart(x: Array<string | number>, series: Record<string, ArrayLike<number>>, o: ChartOptions & { errors?: Record<string, ArrayLike<number>> } = {}): Figure {
  const names = Object.keys(series);
  const data: Trace[] = names.map((name, k) => {
    const y = Array.from(series[name], (v) => (Number.isFinite(v) ? v : null));
    if (y.length !== x.length) throw new UsageError(`barChart: series '${name}' has ${y.length} values for ${x.length} categories`);
    const err = o.errors?.[name];
    return {
      type: 'bar',
      name,
      x: [...x],
      y,
      marker: { color: colorFor(name, k) },
      ...(err ? { error_y: { type: 'data', array: Array.from(err), visible: true, color: '#222', thickness: 1.5, width: 4 } } : {}),
      showlegend: names.length > 1,
    };
  });
  // categories stay categories even when they look like numbers ('1', '2', '4-9')
  return { data, layout: single(o, { barmode: 'group' }, { type: 'category' }) };
}

/** Lines (with markers when short): one trace per series over shared x. */
export function lineChart(x: number[], series: Record<string, ArrayLike<number>>, o: ChartOptions = {}): Figure {
  const names = Object.keys(series);
  const data: Trace[] = names.map((name, k) => {
    const y = Array.from(series[name], (v) => (Number.isFinite(v) ? v : null));
    if (y.length !== x.length) throw new UsageError(`lineChart: series '${name}' has ${y.length} values for ${x.length} x values`);
    const color = colorFor(name, k);
    return { type: 'scatter', mode: x.length > 40 ? 'lines' : 'lines+markers', name, x: [...x], y, line: { color, width: 2 }, marker: { color, size: 6 }, showlegend: names.length > 1 };
  });
  return { data, layout: single(o) };
}
