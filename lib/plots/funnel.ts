/**
 * The data's funnel (paper App. D, Table 1): impressions, clicks and orders per day, and the click
 * rate and orders per click beside a reference (e.g. the paper's Table 1 figures).
 */
import { UsageError } from '../util/errors';
import { baseLayout, Figure, PALETTE, Trace } from './figure';
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
 * (b) click rate and orders per click per day, beside the references (hatched bars); with more than
 *     4 days, lines over the days with the references as dashed horizontal lines.
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
  /** More than 4 days: no value labels on the bars, rates as lines. */
  const many = days.length > 4;
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
      ...(many ? {} : { text: days.map((d) => f(d).toLocaleString('en-US')), textposition: 'outside', cliponaxis: false }),
      marker: { color },
      legendgroup: 'counts',
      ...g.ref(0, 0),
    });
  }
  if (many) {
    // many days: the rates as lines over the days, references as dashed horizontal lines
    const rate = (d: FunnelDay, k: 0 | 1): number | null => (k === 0 ? (d.impressions ? d.clicks / d.impressions : null) : d.clicks ? d.orders / d.clicks : null);
    (['click rate', 'orders per click'] as const).forEach((name, k) => {
      const color = PALETTE[k === 0 ? 0 : 3];
      data.push({ type: 'scatter', mode: 'lines+markers', name, x, y: days.map((d) => rate(d, k as 0 | 1)), line: { color, width: 2 }, marker: { color, size: 7 }, legendgroup: 'rates', ...g.ref(0, 1) });
      (o.reference ?? []).forEach((r, i) => {
        const v = k === 0 ? r.clickRate : r.orderPerClick;
        data.push({ type: 'scatter', mode: 'lines', name: `${r.label}: ${name}`, x: [x[0], x[x.length - 1]], y: [v, v], line: { color, width: 1, dash: i === 0 ? 'dash' : 'dot' }, legendgroup: 'rates', ...g.ref(0, 1) });
      });
    });
  } else {
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
  }
  return {
    data,
    layout: baseLayout(o.title ?? 'Funnel per day (paper Table 1)', { ...g.layout, barmode: 'group', height: o.height ?? 480, legend: { orientation: 'v', x: 1.02, xanchor: 'left', y: 1, yanchor: 'top' } }),
  };
}
