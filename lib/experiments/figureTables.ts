/**
 * The per-figure tables of a reproduce run (Figures 6-12 and the simulator's fidelity) as format-free
 * blocks (headings, tables, paragraphs): summary.md renders them as Markdown (summary.ts), `hrlmg
 * report --format latex` as booktabs tables (latex.ts). Cells: mean ± 95% CI half-width over seeds (n).
 */
import { clipInterval, formatInterval, formatStats, type SeedStats } from './seedStats';
import { LOGGED_ORDER_NOTE, showLoggedOrder } from './evidence';
import { USER_MODEL_NAMES } from './figures';
import { mainComparison, statsOf, type ReproduceResults, type SessionLength, type UserModel } from './results';

export type Block =
  | { kind: 'heading'; level: 2 | 3; text: string }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'text'; text: string };

const METRIC_TEXT: Record<string, string> = { reward: 'total reward', orders: 'orders', clicks: 'clicks', map: 'MAP' };

export function metricText(m: string): string {
  return METRIC_TEXT[m] ?? m.replace('ndcg', 'NDCG');
}

function cell(s: SeedStats): string {
  return s.n ? `${formatStats(s)} (n=${s.n})` : 'n/a';
}

/** A metric bounded to [0, 1] (MAP, NDCG): its CI is clipped to the range, and marked when it was. */
function boundedCell(s: SeedStats): string {
  const c = clipInterval(s, 0, 1);
  return c.clipped ? `${formatStats(s)}, CI clipped to ${formatInterval(c)}† (n=${s.n})` : cell(s);
}

/** A reference policy's value: mean ± per-session 95% CI half-width (one run). */
function referenceCell(mean: number, halfWidth: number, sessions: number): string {
  if (!Number.isFinite(mean)) return 'n/a';
  const d = Math.abs(mean) >= 100 ? 1 : Math.abs(mean) >= 10 ? 2 : Math.abs(mean) >= 1 ? 3 : 4;
  return `${mean.toFixed(d)} ± ${Number.isFinite(halfWidth) ? halfWidth.toFixed(d) : 'n/a'} (${sessions} sessions)`;
}

/** The tables of every figure the results allow, in summary order. */
export function figureTables(res: ReproduceResults): Block[] {
  const B: Block[] = [];
  const tr = res.train;
  if (tr) {
    B.push({ kind: 'heading', level: 2, text: 'Figure 6: training (final quarter of the training log)' });
    const rows = mainComparison(res).filter((m) => tr.runs.some((r) => r.variant === m.v)).map((m) => {
      const s = (k: string): string => cell(statsOf(tr.runs, { variant: m.v }, k));
      return [m.label, s('finalHighPeriodReward'), s('finalREx'), s('finalSessionReward'), s('finalSessionOrders'), s('trainSeconds')];
    });
    B.push({ kind: 'table', head: ['method', 'high level: reward per goal period', 'low level: r_ex per step', 'reward per training session', 'orders per training session', 'training seconds'], rows });
  }
  const ev = res.evaluate;
  if (ev && ev.offline.length) {
    B.push({ kind: 'heading', level: 2, text: 'Figure 7: offline test (re-ranking logged test sessions)' });
    const ks = Object.keys(ev.offline[0]).filter((k) => /^ndcg@\d+$/.test(k));
    const metrics = ['map', ...ks];
    const rows = mainComparison(res).filter((m) => ev.offline.some((r) => r.variant === m.v)).map((m) => [m.label, ...metrics.map((k) => boundedCell(statsOf(ev.offline, { variant: m.v }, k)))]);
    // the references do not depend on the agent (same sessions for every run): one method's rows
    const v0 = ev.offline[0].variant;
    const logged = showLoggedOrder(res);
    if (logged) rows.push(['logged order (reference)', ...metrics.map((k) => boundedCell(statsOf(ev.offline, { variant: v0 }, k === 'map' ? 'loggedMap' : `logged ${k}`)))]);
    rows.push(['random order (reference)', ...metrics.map((k) => boundedCell(statsOf(ev.offline, { variant: v0 }, k === 'map' ? 'randomMap' : `random ${k}`)))]);
    B.push({ kind: 'table', head: ['method', ...metrics.map(metricText)], rows }, { kind: 'text', text: `Sessions re-ranked per run: ${ev.offline[0].sessions} (the same sessions for every run).` });
    if (rows.some((r) => r.some((c) => c.includes('†')))) B.push({ kind: 'text', text: '† The t interval over seeds left the metric\'s range [0, 1]; shown cut at the bound (few seeds: a wide interval).' });
    if (!logged) B.push({ kind: 'text', text: LOGGED_ORDER_NOTE });
  }
  if (ev && ev.online.length) {
    B.push({ kind: 'heading', level: 2, text: 'Figure 8: online test (per session)' });
    for (const model of ['simulator', 'truth'] as UserModel[]) {
      if (!ev.online.some((r) => r.backend === model)) continue;
      for (const length of ['long', 'short'] as SessionLength[]) {
        const any = ev.online.find((r) => r.backend === model && r.length === length);
        if (!any) continue;
        B.push({ kind: 'heading', level: 3, text: `${length} sessions (T = ${any.T}), ${USER_MODEL_NAMES[model]}, ${any.sessions} test sessions per run` });
        const withH = model === 'truth';
        const rows = mainComparison(res).filter((m) => ev.online.some((r) => r.variant === m.v)).map((m) => [
          m.label,
          ...['reward', 'clicks', 'orders', ...(withH ? ['h'] : [])].map((k) => cell(statsOf(ev.online, { variant: m.v, backend: model, length }, k))),
        ]);
        const refs = (ev.references ?? []).filter((r) => r.backend === model && r.length === length);
        for (const r of refs) {
          const ref = (k: 'reward' | 'clicks' | 'orders'): string => referenceCell(r[k], r[`${k}HalfWidth`], r.sessions);
          rows.push([`${r.label} (reference)`, ref('reward'), ref('clicks'), ref('orders'), ...(withH ? [r.h === null ? 'n/a' : r.h.toFixed(3)] : [])]);
        }
        B.push({ kind: 'table', head: ['method', 'total reward', 'clicks (incl. orders)', 'orders', ...(withH ? ['h (headroom captured)'] : [])], rows });
        if (refs.length) {
          B.push({ kind: 'text', text:
            'Reference rows: one deterministic run on the same test sessions (users, pools, feedback draws) as every method; ± is the 95% CI half-width over sessions, not over seeds.' +
              (withH
                ? ' h = (method − random) / (greedy oracle on the true expected reward − random): 0 = random, 1 = the one-step greedy oracle (docs/deviations.md).'
                : ' h is not given against the learned simulator: the oracle reads the true user model, and rewards under the simulator are on another scale.'),
          });
        }
      }
    }
  }
  const sw = res.sweep;
  if (sw && sw.rows.length) {
    const figs: Array<['alpha' | 'M', SessionLength, string]> = [
      ['alpha', 'long', 'Figure 9'],
      ['M', 'long', 'Figure 10'],
      ['alpha', 'short', 'Figure 11'],
      ['M', 'short', 'Figure 12'],
    ];
    for (const [param, length, fig] of figs) {
      for (const model of ['simulator', 'truth'] as UserModel[]) {
        const rows = sw.rows.filter((r) => r.param === param && r.length === length && r.backend === model);
        if (!rows.length) continue;
        const sym = param === 'alpha' ? 'α' : 'M';
        B.push({ kind: 'heading', level: 2, text: `${fig}: sensitivity of ${sym}, ${length} sessions (T = ${rows[0].T}), ${USER_MODEL_NAMES[model]}` });
        const xs = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
        const withH = model === 'truth' && rows.some((r) => typeof r.h === 'number');
        const body = xs.map((x) => [
          `${sym} = ${x}${param === 'M' && x === 1 ? ' (HRL)' : ''}`,
          ...['reward', 'clicks', 'orders', ...(withH ? ['h'] : [])].map((k) => cell(statsOf(rows, { x }, k))),
        ]);
        B.push({ kind: 'table', head: [sym, 'total reward', 'clicks (incl. orders)', 'orders', ...(withH ? ['h (headroom captured)'] : [])], rows: body });
      }
    }
  }
  const sim = res.simulator;
  if (sim) {
    const f = sim.fidelity;
    const s = f.simulator;
    const b = f.baseline;
    const n4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
    B.push({ kind: 'heading', level: 2, text: `Simulator fidelity (test day: ${f.dataset.rows} rows, ${f.dataset.sessions} sessions of ${f.dataset.source})` });
    const rows: string[][] = [
      ['overall precision (argmax accuracy; paper: ~0.90)', n4(s.argmax.accuracy), n4(b.argmax.accuracy)],
      ['log-loss', n4(s.logLoss), n4(b.logLoss)],
      ['AUC click (click or order vs skip)', n4(s.aucClick), n4(b.aucClick)],
      ['AUC order (order vs rest)', n4(s.aucOrder), n4(b.aucOrder)],
      ['ECE P(click or order)', n4(s.eceClick), n4(b.eceClick)],
      ['ECE P(order)', n4(s.eceOrder), n4(b.eceOrder)],
      [`mean P(click or order) (observed ${n4(f.dataset.clickRate)})`, n4(s.meanPClick), n4(b.meanPClick)],
      [`mean P(order) (observed ${n4(f.dataset.orderRate)})`, n4(s.meanPOrder), n4(b.meanPOrder)],
    ];
    const g = f.truthGap;
    if (g) {
      rows.push(
        ['truth gap: MAE P(click or order)', n4(g.simulator.maeClick), n4(g.baseline.maeClick)],
        ['truth gap: MAE P(order)', n4(g.simulator.maeOrder), n4(g.baseline.maeOrder)],
        ['truth gap: corr P(click or order)', n4(g.simulator.corrClick), n4(g.baseline.corrClick)],
        ['truth gap: corr P(order)', n4(g.simulator.corrOrder), n4(g.baseline.corrOrder)],
      );
    }
    B.push({ kind: 'table', head: ['figure', 'simulator', 'frequency baseline'], rows });
    if (g) B.push({ kind: 'text', text: `Truth gap: ${g.sessions} sessions × ${g.T} steps of the logging policy against the ground-truth user model.` });
  }
  return B;
}
