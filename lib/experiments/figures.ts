/**
 * The paper's figures from a reproduce results folder (results.ts), built with lib/plots:
 *   fig6-training      Figure 6: (a) high-level reward per goal period, (b) low-level r_low per step (Eq. 3), HRL vs HRL-MG
 *   fig7-offline       Figure 7: MAP, NDCG@20, NDCG@40 per method (+ logged order and random references)
 *   fig8-online        Figure 8: reward / clicks / orders per method, long and short sessions (per user model)
 *   fig9-alpha-long    Figure 9: alpha sensitivity, long sessions     fig11-alpha-short  Figure 11 (short)
 *   fig10-M-long       Figure 10: M sensitivity, long sessions        fig12-M-short      Figure 12 (short)
 *   fidelity-calibration, fidelity-confusion   the simulator's fidelity (Section 4.1)
 * Every bar / point is the mean over seeds with its 95% CI across seeds.
 */
import * as path from 'node:path';
import type { Figure } from '../plots/figure';
import type { EstimateLike } from '../plots/estimate';
import { trainingCurves, curveFromRuns, type RunPoints } from '../plots/trainingCurves';
import { offlineBars, onlineBars } from '../plots/bars';
import { HEADROOM_FLOOR, HEADROOM_ORACLE } from '../eval/references';
import { sensitivity } from '../plots/sensitivity';
import { fidelityCalibration, fidelityConfusion } from '../plots/fidelity';
import { writeFigureHtml } from '../plots/html';
import { chromiumAvailable, renderPng } from '../plots/png';
import { clipInterval, type SeedStats } from './seedStats';
import { showLoggedOrder } from './evidence';
import { mainComparison, statsOf, type FigureFile, type ReproduceResults, type SessionLength, type UserModel } from './results';

export interface NamedFigure {
  /** File stem, e.g. 'fig7-offline'. */
  name: string;
  title: string;
  figure: Figure;
}


export const USER_MODEL_NAMES: Record<UserModel, string> = { simulator: 'learned simulator', truth: 'true user model' };

/**
 * A SeedStats as a plots estimate (bars only with a CI, i.e. >= 2 seeds). `floor`: the quantity cannot
 * go below it (clicks, orders and reward per session are counts with non-negative rewards: floor 0),
 * so the interval is clipped there instead of showing impossible negative values.
 */
export function estimate(s: SeedStats, floor?: number): EstimateLike {
  if (s.n === 0) return null;
  if (!(s.n >= 2 && Number.isFinite(s.lo) && Number.isFinite(s.hi))) return { mean: s.mean };
  return { mean: s.mean, lo: floor === undefined ? s.lo : Math.max(floor, s.lo), hi: s.hi };
}

/** A mean ± half-width clipped at `floor` (the reference bars: CI over sessions). */
export function clippedInterval(mean: number, halfWidth: number, floor: number): EstimateLike {
  if (!Number.isFinite(mean)) return null;
  if (!Number.isFinite(halfWidth)) return { mean };
  return { mean, lo: Math.max(floor, mean - halfWidth), hi: mean + halfWidth };
}

function lengthLabel(length: SessionLength, T: number | undefined, model: UserModel): string {
  return `${length} sessions${T ? ` (T=${T})` : ''}, ${USER_MODEL_NAMES[model]}`;
}

function modelsIn(rows: ReadonlyArray<{ backend: UserModel }>): UserModel[] {
  return (['simulator', 'truth'] as const).filter((m) => rows.some((r) => r.backend === m));
}

/** Build every figure the results allow (stages that did not run give no figure). */
export function buildFigures(res: ReproduceResults): NamedFigure[] {
  const out: NamedFigure[] = [];
  const tr = res.train;
  if (tr) {
    const curves = (variant: string, key: 'highPeriodReward' | 'rLow'): RunPoints[] => {
      const seeds = [...new Set(tr.curves.filter((c) => c.variant === variant).map((c) => c.seed))];
      return seeds.map((s) => tr.curves.filter((c) => c.variant === variant && c.seed === s).map((c) => ({ x: c.step, y: c[key] })));
    };
    const hier = ['hrl', 'hrl-mg'].filter((v) => tr.curves.some((c) => c.variant === v));
    if (hier.length) {
      const label = (v: string): string => tr.runs.find((r) => r.variant === v)?.label ?? v;
      out.push({
        name: 'fig6-training',
        title: 'Figure 6: training procedure of HRL and HRL-MG',
        figure: trainingCurves(
          {
            high: hier.map((v) => curveFromRuns(label(v), curves(v, 'highPeriodReward'))),
            // (b) the low level's own reward, Eq. (3): r_low = r_ex + alpha r_in (with its goals' intrinsic part)
            low: hier.map((v) => curveFromRuns(label(v), curves(v, 'rLow'))),
          },
          {
            title: 'Training procedure (paper Figure 6): mean over seeds, 95% CI band',
            xTitle: 'training step (lock-step batch of sessions)',
            highYTitle: 'external reward per goal period',
            lowYTitle: 'low-level reward per step (r_low = r_ex + α r_in)',
          },
        ),
      });
    }
  }
  const ev = res.evaluate;
  if (ev) {
    const main = mainComparison(res).filter((m) => ev.offline.some((r) => r.variant === m.v) || ev.online.some((r) => r.variant === m.v));
    const present = main.map((m) => m.v);
    const labels = main.map((m) => m.label);
    if (ev.offline.length) {
      const ks = Object.keys(ev.offline[0]).filter((k) => /^ndcg@\d+$/.test(k));
      const metrics: Record<string, EstimateLike[]> = {};
      // the logged and random orders do not depend on the agent: take them from one method's runs
      // MAP and NDCG lie in [0, 1]: their CIs are clipped to it (the axis stays inside the range)
      const ref = (v: string | null, key: string): EstimateLike => estimate(clipInterval(statsOf(ev.offline, { variant: v ?? present[0] }, key), 0, 1));
      // no logged-order reference on a real log (summary.ts showLoggedOrder says why)
      const logged = showLoggedOrder(res);
      const refs = (key: (which: 'logged' | 'random') => string): EstimateLike[] => [...(logged ? [ref(null, key('logged'))] : []), ref(null, key('random'))];
      metrics.MAP = [...present.map((v) => ref(v, 'map')), ...refs((w) => `${w}Map`)];
      for (const k of ks) metrics[k.replace('ndcg', 'NDCG')] = [...present.map((v) => ref(v, k)), ...refs((w) => `${w} ${k}`)];
      out.push({
        name: 'fig7-offline',
        title: 'Figure 7: offline test',
        figure: offlineBars({ methods: [...labels, ...(logged ? ['logged'] : []), 'random'], metrics }, { title: `Offline test (paper Figure 7): re-ranking logged test sessions; mean ± 95% CI over seeds (clipped to [0, 1])${logged ? '' : '; no logged-order reference on a real log'}` }),
      });
    }
    if (ev.online.length) {
      const sessions: Record<string, Record<string, EstimateLike[]>> = {};
      // Figure 8's reference bars: the floor (random) and the headroom oracle (greedy-reward)
      const refIds = [HEADROOM_FLOOR, HEADROOM_ORACLE].filter((id) => (ev.references ?? []).some((r) => r.reference === id));
      const refLabels = refIds.map((id) => (ev.references ?? []).find((r) => r.reference === id)!.label);
      for (const model of modelsIn(ev.online)) {
        for (const length of ['long', 'short'] as const) {
          const T = ev.online.find((r) => r.length === length)?.T;
          const row: Record<string, EstimateLike[]> = {};
          for (const m of ['reward', 'clicks', 'orders'] as const) {
            // reference bars: one run each, error bar = 95% CI over its test sessions (null where it cannot run)
            const refs = refIds.map((id): EstimateLike => {
              const r = (ev.references ?? []).find((x) => x.reference === id && x.backend === model && x.length === length);
              return r ? clippedInterval(r[m], r[`${m}HalfWidth`], 0) : null;
            });
            row[m] = [...present.map((v) => estimate(statsOf(ev.online, { variant: v, backend: model, length }, m), 0)), ...refs];
          }
          sessions[lengthLabel(length, T, model)] = row;
        }
      }
      const title = refIds.length
        ? 'Online test (paper Figure 8): per session; mean ± 95% CI over seeds; grey hatched = reference policies (CI over sessions)'
        : 'Online test (paper Figure 8): per session; mean ± 95% CI over seeds';
      out.push({
        name: 'fig8-online',
        title: 'Figure 8: online test',
        figure: onlineBars({ methods: [...labels, ...refLabels], references: refLabels, sessions }, { title, width: 1100 }),
      });
    }
  }
  const sw = res.sweep;
  if (sw && sw.rows.length) {
    const figs: Array<[string, 'alpha' | 'M', SessionLength, string]> = [
      ['fig9-alpha-long', 'alpha', 'long', 'Figure 9'],
      ['fig10-M-long', 'M', 'long', 'Figure 10'],
      ['fig11-alpha-short', 'alpha', 'short', 'Figure 11'],
      ['fig12-M-short', 'M', 'short', 'Figure 12'],
    ];
    for (const [name, param, length, paper] of figs) {
      const rows = sw.rows.filter((r) => r.param === param && r.length === length);
      if (!rows.length) continue;
      const values = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
      const sessions: Record<string, Record<string, EstimateLike[]>> = {};
      for (const model of modelsIn(rows)) {
        const row: Record<string, EstimateLike[]> = {};
        for (const m of ['reward', 'clicks', 'orders']) row[m] = values.map((x) => estimate(statsOf(rows, { x, backend: model }, m), 0));
        sessions[lengthLabel(length, rows[0].T, model)] = row;
      }
      const sym = param === 'alpha' ? 'α' : 'M';
      out.push({
        name,
        title: `${paper}: sensitivity of ${sym} (${length} sessions)`,
        figure: sensitivity({ param: sym, values, sessions }, { title: `Parameter sensitivity of ${sym}, ${length} sessions (paper ${paper}); mean ± 95% CI over seeds`, width: 1100 }),
      });
    }
  }
  const sim = res.simulator;
  if (sim) {
    out.push({ name: 'fidelity-calibration', title: 'Simulator fidelity: calibration', figure: fidelityCalibration(sim.fidelity) });
    out.push({ name: 'fidelity-confusion', title: 'Simulator fidelity: confusion matrices', figure: fidelityConfusion(sim.fidelity) });
  }
  return out;
}

/**
 * Write each figure as standalone HTML into `dir` and, when `png` and Chromium is installed, as PNG
 * (two renders at a time). `onDone` is called once per figure.
 */
export async function writeFigures(dir: string, figs: NamedFigure[], o: { png?: boolean; onDone?: () => void } = {}): Promise<FigureFile[]> {
  const files: FigureFile[] = figs.map((f) => {
    const html = writeFigureHtml(path.join(dir, `${f.name}.html`), f.figure, { title: f.title });
    return { name: f.name, title: f.title, html: path.basename(html), png: null, pngNote: null };
  });
  const want = o.png ?? true;
  if (!want) {
    for (const f of files) f.pngNote = 'PNG rendering turned off (--no-png)';
    figs.forEach(() => o.onDone?.());
    return files;
  }
  if (!chromiumAvailable()) {
    for (const f of files) f.pngNote = 'Chromium not installed: HTML only';
    figs.forEach(() => o.onDone?.());
    return files;
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < figs.length) {
      const i = next++;
      const lay = figs[i].figure.layout;
      const width = typeof lay.width === 'number' ? lay.width : 1100;
      const height = typeof lay.height === 'number' ? lay.height : 500;
      // renderPng retries a stalled Chromium once itself.
      const r = await renderPng(path.join(dir, files[i].html), path.join(dir, `${figs[i].name}.png`), { width, height });
      if (r.ok) files[i].png = `${figs[i].name}.png`;
      else files[i].pngNote = r.reason.split('\n')[0];
      o.onDone?.();
    }
  };
  await Promise.all([worker(), worker()]);
  return files;
}
