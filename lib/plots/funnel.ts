/**
 * The data's funnel (paper App. D, Table 1): impressions, clicks and orders per day, and the click
 * rate and orders per click beside a reference (e.g. the paper's Table 1 figures). Plus small
 * generic charts (histogram, bars, lines) for exploring a log in notebooks.
 */
import { UsageError } from '../util/errors';
import { baseLayout, colorFor, Figure, PALETTE, Trace } from './figure';
import { grid } from './grid';

export interface FunnelDay {
  /** Day label, e.g. 'train (day 0)'. */
  day: string;
  impressions: number;
  /** Clicks INCLUDING orders (the paper's Table 1 / logStats convention). */
  clicks: number;
  orders: number;
}

export interface FunnelReference {
  /** Label, e.g. 'paper Table 1, train (Aug. 11th)'. */
  label: string;
  clickRate: number;
  orderPerClick: number;
}

/** The paper's Table 1 (JD.com, 2018; an order counts as a click): click rate and orders per click. */
export const PAPER_TABLE1: FunnelReference[] = [
  { label: 'paper: train (Aug. 11th)', clickRate: 843249 / 8596852, orderPerClick: 46022 / 843249 },
  { label: 'paper: test (Aug. 12th)', clickRate: 218053 / 2231651, orderPerClick: 10552 / 218053 },
];

/**
 * (a) impressions / clicks / orders per day (log scale: they span three orders of magnitude);
 * (b) click rate and orders per click per day, beside the references (hatched bars).
 */
export function funnel(days: FunnelDay[], o: { reference?: FunnelReference[]; title?: string; height?: number } = {}): Figure {
  if (!days.length) throw new UsageError('funnel: no days');
  for (const d of days) {
    if (!(d.impressions >= d.clicks && d.clicks >= d.orders && d.orders >= 0)) {
      throw new UsageError(`funnel: day '${d.day}' must have impressions >= clicks (incl. orders) >= orders >= 0, got ${d.impressions} / ${d.clicks} / ${d.orders}`);
    }
  }
  const g = grid(1, 2, {
    titles: ['(a) counts per day', '(b) funnel rates'],
    yTitles: ['count (log scale)', 'rate'],
    hGap: 0.12,
    yAxis: [{ type: 'log', dtick: 1 }, { tickformat: '.1%', rangemode: 'tozero' }],
  });
  const x = days.map((d) => d.day);
  const data: Trace[] = [];
  const stages: Array<[string, (d: FunnelDay) => number, string]> = [
    ['impressions', (d) => d.impressions, '#9ecae1'],
    ['clicks (incl. orders)', (d) => d.clicks, '#3182bd'],
    ['orders', (d) => d.orders, '#08306b'],
  ];
  for (const [name, f, color] of stages) {
    data.push({
      type: 'bar',
      name,
      x,
      y: days.map(f),
      text: days.map((d) => f(d).toLocaleString('en-US')),
      textposition: 'outside',
      cliponaxis: false,
      marker: { color },
      legendgroup: 'counts',
      ...g.ref(0, 0),
    });
  }
  const rateX = ['click rate', 'orders per click'];
  days.forEach((d, i) => {
    const y = [d.impressions ? d.clicks / d.impressions : null, d.clicks ? d.orders / d.clicks : null];
    data.push({
      type: 'bar',
      name: d.day,
      x: rateX,
      y,
      text: y.map((v) => (v === null ? '' : `${(100 * v).toFixed(2)}%`)),
      textposition: 'outside',
      textfont: { size: 11 },
      cliponaxis: false,
      marker: { color: PALETTE[(i + 1) % PALETTE.length] },
      legendgroup: 'rates',
      ...g.ref(0, 1),
    });
  });
  (o.reference ?? []).forEach((r, i) => {
    const y = [r.clickRate, r.orderPerClick];
    data.push({
      type: 'bar',
      name: r.label,
      x: rateX,
      y,
      text: y.map((v) => `${(100 * v).toFixed(2)}%`),
      textposition: 'outside',
      textfont: { size: 11 },
      cliponaxis: false,
      marker: { color: '#ffffff', line: { color: PALETTE[(i + 1) % PALETTE.length], width: 2 }, pattern: { shape: '/', fgcolor: PALETTE[(i + 1) % PALETTE.length] } },
      legendgroup: 'rates',
      ...g.ref(0, 1),
    });
  });
  return {
    data,
    layout: baseLayout(o.title ?? 'Funnel per day (paper Table 1)', { ...g.layout, barmode: 'group', height: o.height ?? 480, legend: { orientation: 'v', x: 1.02, xanchor: 'left', y: 1, yanchor: 'top' } }),
  };
}

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

function single(o: ChartOptions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const g = grid(1, 1, { xTitles: o.xTitle, yTitles: o.yTitle, yAxis: { ...(o.yType ? { type: o.yType } : {}), ...(o.yFormat ? { tickformat: o.yFormat } : {}) } });
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
  return { data, layout: single(o, { barmode: 'group' }) };
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
