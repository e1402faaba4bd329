/**
 * Kit vs paper, side by side: each ordering the paper states in Sections 4.2-4.3 (DDPG, HRL and
 * HRL-MG beat DNN; HRL and HRL-MG beat DDPG; HRL-MG beats HRL offline, and online on total reward and
 * orders with slightly fewer clicks; the alpha sweep peaks near 0.5, the M sweep at 2) against the
 * ordering of the measured means in each setting, with one verdict per row. A row's verdict combines
 * the paired comparisons it needs (claims.ts): 'did not hold' if any did not hold, 'held' if all held,
 * 'not tested' if none had data, otherwise 'inconclusive'.
 */
import { judgeGreater, judgePeak, type Judgement, type Verdict } from './claims';
import { USER_MODEL_NAMES } from './figures';
import { mainComparison, seedValues, statsOf, type ReproduceResults, type SessionLength, type UserModel } from './results';

export interface PaperRow {
  /** The paper's statement, abridged. */
  statement: string;
  /** Where the paper states it. */
  source: string;
  /** Test, metric and user model of this row. */
  setting: string;
  /** The ordering the paper states. */
  paper: string;
  /** The measured ordering of the means over seeds, e.g. 'HRL-MG 3.12 > HRL 3.05 > DNN 2.90'. */
  measured: string;
  verdict: Verdict;
  /** The comparisons behind the verdict, one per pair. */
  detail: string;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  return x.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4);
}

/** Verdict of a row from its comparisons (see the module comment). */
export function combineVerdicts(vs: ReadonlyArray<Verdict>): Verdict {
  if (!vs.length || vs.every((v) => v === 'not tested')) return 'not tested';
  if (vs.includes('did not hold')) return 'did not hold';
  if (vs.every((v) => v === 'held')) return 'held';
  return 'inconclusive';
}

interface Setting {
  name: string;
  rows: ReadonlyArray<object>;
  where: Record<string, unknown>;
}

/** The paper's orderings against the measured ones (rows only for the settings the results have). */
export function paperComparison(res: ReproduceResults): PaperRow[] {
  const out: PaperRow[] = [];
  const ev = res.evaluate;
  const labelOf = new Map(mainComparison(res).map((m) => [m.v, m.label]));
  const lbl = (v: string): string => labelOf.get(v) ?? v.toUpperCase();
  const settings: Array<Setting & { metric: string }> = [];
  if (ev?.offline.length) settings.push({ name: 'offline test, MAP', rows: ev.offline, where: {}, metric: 'map' });
  const models = (['simulator', 'truth'] as UserModel[]).filter((m) => ev?.online.some((r) => r.backend === m));
  const online = (metric: string): Array<Setting & { metric: string }> =>
    models.flatMap((model) =>
      (['long', 'short'] as SessionLength[]).map((length) => ({
        name: `online ${length} sessions, ${metric === 'reward' ? 'total reward' : metric}, ${USER_MODEL_NAMES[model]}${model === 'truth' ? ' (not in the paper)' : ''}`,
        rows: ev!.online,
        where: { backend: model, length },
        metric,
      })),
    );
  if (ev) settings.push(...online('reward'));

  /** The measured ordering of `variants` and the comparisons `pairs` (a beats b) in one setting. */
  const row = (statement: string, source: string, paper: string, s: Setting, metric: string, variants: string[], pairs: Array<[string, string, string?]>): void => {
    const present = variants.filter((v) => statsOf(s.rows, { ...s.where, variant: v }, metric).n > 0);
    const means = present.map((v) => ({ v, m: statsOf(s.rows, { ...s.where, variant: v }, metric).mean })).sort((a, b) => b.m - a.m);
    const judged: Array<[string, Judgement]> = pairs.map(([a, b, m]) => {
      const k = m ?? metric;
      const wa = { ...s.where, variant: a };
      const wb = { ...s.where, variant: b };
      const j = judgeGreater(statsOf(s.rows, wa, k), statsOf(s.rows, wb, k), [lbl(a), lbl(b)], { a: seedValues(s.rows, wa, k), b: seedValues(s.rows, wb, k) });
      return [`${lbl(a)} > ${lbl(b)}${m ? ` on ${m}` : ''}`, j];
    });
    out.push({
      statement,
      source,
      setting: s.name,
      paper,
      measured: means.length ? means.map((x) => `${lbl(x.v)} ${fmt(x.m)}`).join(' > ') : 'n/a',
      verdict: combineVerdicts(judged.map(([, j]) => j.verdict)),
      detail: judged.map(([p, j]) => `${p}: ${j.verdict}${j.effect ? ` (difference ${fmt(j.effect.diff)})` : ''}`).join('; '),
    });
  };
  const all = ['hrl-mg', 'hrl', 'ddpg', 'dnn'];
  for (const s of settings) {
    row('DDPG, HRL and HRL-MG are better than DNN, offline and online', 'Section 4.2, Fig. 7-8', 'HRL-MG, HRL, DDPG > DNN', s, s.metric, all, [['ddpg', 'dnn'], ['hrl', 'dnn'], ['hrl-mg', 'dnn']]);
  }
  for (const s of settings) {
    row('HRL and HRL-MG are better than DDPG, offline and online', 'Section 4.2, Fig. 7-8', 'HRL-MG, HRL > DDPG', s, s.metric, ['hrl-mg', 'hrl', 'ddpg'], [['hrl', 'ddpg'], ['hrl-mg', 'ddpg']]);
  }
  if (ev?.offline.length) {
    const ks = ['map', ...Object.keys(ev.offline[0]).filter((k) => /^ndcg@\d+$/.test(k))];
    for (const k of ks) {
      row('HRL-MG is better than HRL in the offline test', 'Section 4.2, Fig. 7', 'HRL-MG > HRL', { name: `offline test, ${k === 'map' ? 'MAP' : k.replace('ndcg', 'NDCG')}`, rows: ev.offline, where: {} }, k, ['hrl-mg', 'hrl'], [['hrl-mg', 'hrl']]);
    }
  }
  if (ev) {
    for (const s of online('reward')) {
      row(
        'Online, HRL-MG has significantly higher total reward and orders than HRL, and slightly fewer clicks',
        'Section 4.2, Fig. 8',
        'HRL-MG > HRL on reward and orders; HRL > HRL-MG on clicks',
        s, 'reward', ['hrl-mg', 'hrl'],
        [['hrl-mg', 'hrl', 'reward'], ['hrl-mg', 'hrl', 'orders'], ['hrl', 'hrl-mg', 'clicks']],
      );
    }
  }
  const sw = res.sweep;
  if (sw?.rows.length) {
    for (const model of (['simulator', 'truth'] as UserModel[]).filter((m) => sw.rows.some((r) => r.backend === m))) {
      for (const length of ['long', 'short'] as SessionLength[]) {
        for (const [param, sym, near, paper, fig] of [
          ['alpha', 'α', (x: number) => Math.abs(x - 0.5) <= 0.25 + 1e-9, 'peak at α = 0.5 (counted: α ∈ [0.25, 0.75])', length === 'long' ? 'Fig. 9' : 'Fig. 11'],
          ['M', 'M', (x: number) => x === 2, 'peak at M = 2', length === 'long' ? 'Fig. 10' : 'Fig. 12'],
        ] as const) {
          const rows = sw.rows.filter((r) => r.param === param && r.length === length && r.backend === model);
          if (!rows.length) continue;
          const xs = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
          const points = xs.map((x) => ({ x, stats: statsOf(rows, { x }, 'reward') }));
          const j = judgePeak(points, near, sym);
          const best = points.filter((p) => p.stats.n > 0).reduce<typeof points[number] | null>((a, b) => (a === null || b.stats.mean > a.stats.mean ? b : a), null);
          out.push({
            statement: `The ${sym} sweep peaks ${param === 'alpha' ? 'when α = 0.5' : 'when M = 2'}`,
            source: `Section 4.3, ${fig}`,
            setting: `online ${length} sessions, total reward, ${USER_MODEL_NAMES[model]}${model === 'truth' ? ' (not in the paper)' : ''}`,
            paper,
            measured: best ? `peak at ${sym} = ${best.x}: ${points.map((p) => `${sym}=${p.x} ${fmt(p.stats.mean)}`).join(', ')}` : 'n/a',
            verdict: j.verdict,
            detail: j.detail,
          });
        }
      }
    }
  }
  return out;
}
