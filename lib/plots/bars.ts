/**
 * Bar charts with error bars: paper Figure 7 (offline test: MAP, NDCG@20, NDCG@40 per method) and
 * Figure 8 (online test: reward / clicks / orders per method, long and short sessions).
 *
 * Inputs are column-oriented: `methods` names the bars, and every metric gives one estimate per
 * method in the same order (a number, {mean, err}, {mean, lo, hi} or lib/eval's Summary).
 * `offlineInput` / `onlineInput` turn lib/eval results into these shapes.
 */
import { UsageError } from '../util/errors';
import { Estimate, EstimateLike, toEstimate, yValue } from './estimate';
import { baseLayout, colorFor, ErrorBars, Figure, Trace } from './figure';
import { grid } from './grid';

/** Error bars of normalised estimates (hidden when every bar has zero width). */
export function errorBars(es: Estimate[]): ErrorBars {
  const plus = es.map((e) => e.plus);
  const minus = es.map((e) => e.minus);
  const symmetric = plus.every((p, i) => p === minus[i]);
  return {
    type: 'data',
    array: plus,
    ...(symmetric ? {} : { arrayminus: minus }),
    symmetric,
    visible: plus.some((p) => p > 0) || minus.some((m) => m > 0),
    thickness: 1.5,
    width: 4,
    color: '#222',
  };
}

function estimates(methods: string[], values: EstimateLike[], where: string): Estimate[] {
  if (!Array.isArray(values) || values.length !== methods.length) {
    throw new UsageError(`${where}: expected ${methods.length} estimates (one per method: ${methods.join(', ')}), got ${Array.isArray(values) ? values.length : typeof values}`);
  }
  return values.map((v, i) => toEstimate(v, `${where}[${i}] (${methods[i]})`));
}

export interface OfflineBarsInput {
  methods: string[];
  /** Metric label -> one estimate per method, e.g. {MAP: [...], 'NDCG@20': [...], 'NDCG@40': [...]}. */
  metrics: Record<string, EstimateLike[]>;
}

/** Paper Figure 7: grouped bars, metrics on x, one bar (colour) per method, error bars. */
export function offlineBars(input: OfflineBarsInput, o: { title?: string; yTitle?: string; height?: number } = {}): Figure {
  const metricNames = Object.keys(input.metrics);
  if (!metricNames.length) throw new UsageError('offlineBars: no metrics');
  const cols = metricNames.map((m) => estimates(input.methods, input.metrics[m], `offlineBars: metrics['${m}']`));
  const data: Trace[] = input.methods.map((name, i) => {
    const es = cols.map((c) => c[i]);
    return {
      type: 'bar',
      name,
      x: metricNames,
      y: es.map((e) => yValue(e.mean)),
      error_y: errorBars(es),
      marker: { color: colorFor(name, i) },
      hovertemplate: `${name}<br>%{x}: %{y:.4f}<extra></extra>`,
    };
  });
  const g = grid(1, 1, { yTitles: o.yTitle ?? 'score', xTitles: '' });
  return {
    data,
    layout: baseLayout(o.title ?? 'Offline test (paper Figure 7)', { ...g.layout, barmode: 'group', bargap: 0.25, bargroupgap: 0.05, height: o.height ?? 450 }),
  };
}

export interface PanelBarsInput {
  methods: string[];
  /**
   * Names in `methods` that are reference policies (random, oracles...): drawn as light grey bars
   * with a hatch pattern and a dark outline, so they read as yardsticks rather than competitors.
   */
  references?: string[];
  /** Row label (e.g. 'long sessions (300 items)') -> metric label -> one estimate per method. */
  sessions: Record<string, Record<string, EstimateLike[]>>;
}

/** Reference bars (PanelBarsInput.references): fill and outline / hatch colour. */
export const REFERENCE_FILL = '#e0e0e0';
export const REFERENCE_LINE = '#555555';

/**
 * Paper Figure 8: one panel per (session length, metric), rows = session lengths, columns =
 * metrics (reward, clicks, orders have different scales, so each gets its own axis); methods on x.
 */
export function onlineBars(input: PanelBarsInput, o: { title?: string; height?: number; width?: number } = {}): Figure {
  const rows = Object.keys(input.sessions);
  if (!rows.length) throw new UsageError('onlineBars: no session lengths');
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(input.sessions[r])))];
  const titles: string[] = [];
  const yTitles: string[] = [];
  for (const r of rows) {
    for (const m of metricNames) {
      titles.push(`${r}: ${m}`);
      yTitles.push(`${m} per session`);
    }
  }
  const g = grid(rows.length, metricNames.length, { titles, yTitles, hGap: 0.09 });
  const refs = new Set(input.references ?? []);
  for (const r of refs) if (!input.methods.includes(r)) throw new UsageError(`onlineBars: reference '${r}' is not one of the methods (${input.methods.join(', ')})`);
  const isRef = input.methods.map((name) => refs.has(name));
  const marker = {
    color: input.methods.map((name, i) => (isRef[i] ? REFERENCE_FILL : colorFor(name, i))),
    ...(refs.size ? { pattern: { shape: isRef.map((r) => (r ? '/' : '')), fgcolor: REFERENCE_LINE, size: 6 }, line: { color: REFERENCE_LINE, width: isRef.map((r) => (r ? 1.5 : 0)) } } : {}),
  };
  const data: Trace[] = [];
  rows.forEach((r, ri) => {
    metricNames.forEach((m, ci) => {
      const v = input.sessions[r][m];
      if (!v) return;
      const es = estimates(input.methods, v, `onlineBars: sessions['${r}']['${m}']`);
      data.push({
        type: 'bar',
        name: `${r}: ${m}`,
        x: input.methods,
        y: es.map((e) => yValue(e.mean)),
        error_y: errorBars(es),
        marker,
        showlegend: false,
        hovertemplate: `%{x}<br>${m}: %{y:.3f}<extra></extra>`,
        ...g.ref(ri, ci),
      });
    });
  });
  return {
    data,
    layout: baseLayout(o.title ?? 'Online test (paper Figure 8)', { ...g.layout, height: o.height ?? 330 * rows.length + 80, ...(o.width ? { width: o.width } : {}), bargap: 0.3 }),
  };
}

// ---- adapters from lib/eval results (structural, so this module does not depend on lib/eval's types) ----

interface SummaryLike {
  mean: number;
  ci95?: { lo?: number | null; hi?: number | null; halfWidth?: number | null } | null;
}

/** lib/eval OfflineResult (structural subset). */
export interface OfflineResultLike {
  policy: string;
  metrics: { policy: { map: SummaryLike; ndcg: Record<string, SummaryLike> } };
}

/** Offline results (one per method) -> offlineBars input: MAP and NDCG@k for each k (default 20, 40). */
export function offlineInput(results: OfflineResultLike[], ks: number[] = [20, 40], names?: string[]): OfflineBarsInput {
  const metrics: Record<string, EstimateLike[]> = { MAP: results.map((r) => r.metrics.policy.map) };
  for (const k of ks) {
    metrics[`NDCG@${k}`] = results.map((r) => {
      const s = r.metrics.policy.ndcg[String(k)];
      if (!s) throw new UsageError(`offlineInput: result of ${r.policy} has no NDCG@${k} (has ${Object.keys(r.metrics.policy.ndcg).join(', ')})`);
      return s;
    });
  }
  return { methods: names ?? results.map((r) => r.policy), metrics };
}

/** lib/eval OnlineResult (structural subset). */
export interface OnlineResultLike {
  policy: string;
  reward: SummaryLike;
  clicks: SummaryLike;
  orders: SummaryLike;
}

/**
 * Online results per session length -> onlineBars input, e.g.
 * onlineInput({ 'long sessions (300 items)': [dnn, ddpg, hrl, hrlmg], 'short sessions (50 items)': [...] }).
 * Every length must list the same methods in the same order.
 */
export function onlineInput(byLength: Record<string, OnlineResultLike[]>, names?: string[]): PanelBarsInput {
  const lengths = Object.keys(byLength);
  if (!lengths.length) throw new UsageError('onlineInput: no session lengths');
  const methods = names ?? byLength[lengths[0]].map((r) => r.policy);
  const sessions: PanelBarsInput['sessions'] = {};
  for (const l of lengths) {
    const rs = byLength[l];
    if (rs.length !== methods.length) throw new UsageError(`onlineInput: '${l}' has ${rs.length} results, expected ${methods.length} (${methods.join(', ')})`);
    sessions[l] = { reward: rs.map((r) => r.reward), clicks: rs.map((r) => r.clicks), orders: rs.map((r) => r.orders) };
  }
  return { methods, sessions };
}
