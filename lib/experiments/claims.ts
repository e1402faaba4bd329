/**
 * Judging the paper's claims from per-seed statistics (seedStats.ts), never by the means alone.
 * Evidence first: a claim is decided ("held" or "did not hold") only on at least MIN_SEEDS = 3 seeds
 * per side with non-zero spread; otherwise it is inconclusive and says why (two identical seed values
 * give a zero-width interval, which is evidence of nothing).
 *   - "A beats B", PAIRED (the default when both sides carry per-seed values: every method is tested
 *     on the same sessions, so seed i of A and seed i of B share users, pools and feedback uniforms):
 *     the 95% Student-t CI of the per-seed differences A_i - B_i over the common seeds. Held when it
 *     lies above 0, did not hold when below 0, inconclusive when it contains 0 or the differences
 *     have zero spread.
 *   - "A beats B", unpaired (no common seeds): held when A's CI lies entirely above B's; did not hold
 *     when it lies entirely below; inconclusive when they overlap (the line names the overlap).
 *   Every decided or inconclusive comparison reports its effect size: the difference of the means,
 *     relative to |B|, and for paired comparisons d_z = mean difference / sd of the differences.
 *   - "the sweep peaks at/near x*" (Figures 9-12): `near` are the parameter values that count as the
 *     peak's place (M: {2}; alpha: {0.25, 0.5, 0.75}). Held when the best near value (highest mean)
 *     has a CI above the CIs of every other value; did not hold when some value outside `near` has a
 *     CI entirely above the best near value's; inconclusive otherwise (overlaps listed), and whenever
 *     a point has fewer than MIN_SEEDS seeds or zero spread.
 */
import { confidenceInterval95 } from '../eval/metrics';
import { formatInterval, type SeedStats } from './seedStats';

/** Seeds a side needs (each, with non-zero spread) before a claim is decided either way. */
export const MIN_SEEDS = 3;

export type Verdict = 'held' | 'did not hold' | 'inconclusive' | 'not tested';

/** How large the difference A - B is (reported with every comparison that has data on both sides). */
export interface Effect {
  /** mean(A) - mean(B) (paired: the mean of the per-seed differences). */
  diff: number;
  /** diff / |mean(B)| (NaN when mean(B) = 0). */
  relative: number;
  /** Paired only: diff / sd of the per-seed differences (Cohen's d_z; NaN at zero spread). */
  dz: number;
  paired: boolean;
  /** Seeds behind it (paired: common seeds). */
  n: number;
}

export interface Judgement {
  verdict: Verdict;
  /** One sentence: which intervals, and where they overlap. */
  detail: string;
  effect?: Effect;
}

/** Per-seed values of one side of a comparison: training seed -> value. */
export type BySeed = ReadonlyMap<number, number>;

/** The per-seed differences a - b over the seeds both sides have finite values for (ascending seeds). */
export interface PairedDifference {
  seeds: number[];
  diffs: number[];
  n: number;
  mean: number;
  /** Sample sd of the differences (n-1); NaN when n < 2. */
  sd: number;
  /** 95% Student-t CI of the mean difference; NaN when n < 2. */
  lo: number;
  hi: number;
}

export function pairedDifference(a: BySeed, b: BySeed): PairedDifference {
  const seeds = [...a.keys()].filter((s) => b.has(s) && Number.isFinite(a.get(s)) && Number.isFinite(b.get(s))).sort((x, y) => x - y);
  const diffs = seeds.map((s) => (a.get(s) as number) - (b.get(s) as number));
  const n = diffs.length;
  if (n === 0) return { seeds, diffs, n, mean: NaN, sd: NaN, lo: NaN, hi: NaN };
  const ci = confidenceInterval95(diffs);
  const sd = n > 1 ? Math.sqrt(diffs.reduce((acc, d) => acc + (d - ci.mean) ** 2, 0) / (n - 1)) : NaN;
  return { seeds, diffs, n, mean: ci.mean, sd, lo: n > 1 ? ci.lo : NaN, hi: n > 1 ? ci.hi : NaN };
}

/** Why a side cannot decide a claim (too few seeds or zero spread), or null when it can. */
function lackOfEvidence(s: SeedStats, name: string): string | null {
  if (s.n < MIN_SEEDS) return `${s.n} seed${s.n === 1 ? '' : 's'} for ${name} (at least ${MIN_SEEDS} needed)`;
  if (!(s.std > 0)) return `zero spread across the ${s.n} seeds of ${name} (identical values: no estimate of the seed-to-seed variation)`;
  return null;
}

function relativeTo(diff: number, base: number): number {
  return base === 0 ? NaN : diff / Math.abs(base);
}

function effectText(e: Effect): string {
  const sign = (x: number): string => (x >= 0 ? '+' : '') + fmtNum(x);
  const rel = Number.isFinite(e.relative) ? ` (${e.relative >= 0 ? '+' : ''}${(100 * e.relative).toFixed(1)}%)` : '';
  const dz = e.paired && Number.isFinite(e.dz) ? `, d_z = ${e.dz.toFixed(2)}` : '';
  return `effect ${sign(e.diff)}${rel}${dz}`;
}

export interface Claim extends Judgement {
  /** Stable id, e.g. 'online-long-simulator-reward-vs-hrl'. */
  id: string;
  /** Section of the summary, e.g. 'Online test, long sessions (simulator)'. */
  group: string;
  /** The claim as a sentence, e.g. 'HRL-MG beats HRL on total reward'. */
  text: string;
  /** Where the paper makes it, e.g. 'Fig. 8(a)'. */
  source: string;
}

function hasCi(s: SeedStats): boolean {
  return s.n >= 2 && Number.isFinite(s.lo) && Number.isFinite(s.hi);
}

function fmtNum(x: number): string {
  const a = Math.abs(x);
  return x.toFixed(a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4);
}

/** Where two intervals overlap, e.g. "overlap on [1.20, 1.35]". */
function overlapText(a: SeedStats, b: SeedStats): string {
  return `overlap on [${fmtNum(Math.max(a.lo, b.lo))}, ${fmtNum(Math.min(a.hi, b.hi))}]`;
}

/**
 * The claim "a > b" (see the module comment). With `paired` (per-seed values of both sides, e.g. from
 * seedValues in results.ts) the per-seed differences decide; without, the two CIs.
 */
export function judgeGreater(a: SeedStats, b: SeedStats, names: [string, string], paired?: { a: BySeed; b: BySeed }): Judgement {
  const [na, nb] = names;
  if (a.n === 0 || b.n === 0) return { verdict: 'not tested', detail: `no results for ${a.n === 0 ? na : nb}` };
  const ia = `${na} ${formatInterval(a)}`;
  const ib = `${nb} ${formatInterval(b)}`;
  const pd = paired ? pairedDifference(paired.a, paired.b) : null;
  if (pd && pd.n > 0) {
    const effect: Effect = { diff: pd.mean, relative: relativeTo(pd.mean, b.mean), dz: pd.sd > 0 ? pd.mean / pd.sd : NaN, paired: true, n: pd.n };
    const eff = effectText(effect);
    if (pd.n < MIN_SEEDS) {
      return { verdict: 'inconclusive', detail: `${pd.n} common seed${pd.n === 1 ? '' : 's'} (at least ${MIN_SEEDS} needed) for the paired comparison; ${eff}: ${ia} vs ${ib}`, effect };
    }
    if (!(pd.sd > 0)) {
      return { verdict: 'inconclusive', detail: `zero spread of the per-seed differences over ${pd.n} seeds (no estimate of their variation); ${eff}`, effect };
    }
    const ci = `paired over ${pd.n} seeds: ${na} - ${nb} = ${fmtNum(pd.mean)} [${fmtNum(pd.lo)}, ${fmtNum(pd.hi)}], ${eff}`;
    if (pd.lo > 0) return { verdict: 'held', detail: `95% CI of the per-seed difference lies above 0 (${ci})`, effect };
    if (pd.hi < 0) return { verdict: 'did not hold', detail: `95% CI of the per-seed difference lies below 0, opposite direction (${ci})`, effect };
    return { verdict: 'inconclusive', detail: `95% CI of the per-seed difference contains 0 (${ci})`, effect };
  }
  const effect: Effect = { diff: a.mean - b.mean, relative: relativeTo(a.mean - b.mean, b.mean), dz: NaN, paired: false, n: Math.min(a.n, b.n) };
  const eff = effectText(effect);
  const lack = [lackOfEvidence(a, na), lackOfEvidence(b, nb)].filter((x): x is string => x !== null);
  if (lack.length) return { verdict: 'inconclusive', detail: `${lack.join('; ')}; ${eff}: ${ia} vs ${ib}`, effect };
  if (a.lo > b.hi) return { verdict: 'held', detail: `95% CIs do not overlap: ${ia} lies above ${ib}; ${eff}`, effect };
  if (a.hi < b.lo) return { verdict: 'did not hold', detail: `95% CIs do not overlap, opposite direction: ${ia} lies below ${ib}; ${eff}`, effect };
  return { verdict: 'inconclusive', detail: `95% CIs ${overlapText(a, b)}: ${ia} vs ${ib}; ${eff}`, effect };
}

export interface SweepPoint {
  x: number;
  stats: SeedStats;
}

/**
 * The claim "the metric peaks at a value in `near`" over a sweep (see the module comment).
 * `param` names the parameter in the text (e.g. 'α', 'M').
 */
export function judgePeak(points: SweepPoint[], near: (x: number) => boolean, param: string): Judgement {
  const inside = points.filter((p) => near(p.x) && p.stats.n > 0);
  const outside = points.filter((p) => !near(p.x) && p.stats.n > 0);
  if (!inside.length) return { verdict: 'not tested', detail: `the sweep has no result at the claimed ${param}` };
  if (!outside.length) return { verdict: 'not tested', detail: `the sweep has no ${param} outside the claimed peak to compare with` };
  const lacking = [...inside, ...outside].filter((p) => !hasCi(p.stats) || p.stats.n < MIN_SEEDS);
  if (lacking.length) {
    return { verdict: 'inconclusive', detail: `fewer than ${MIN_SEEDS} seeds at ${lacking.map((p) => `${param}=${p.x} (n = ${p.stats.n})`).join(', ')}` };
  }
  const flat = [...inside, ...outside].filter((p) => !(p.stats.std > 0));
  if (flat.length) {
    return { verdict: 'inconclusive', detail: `zero spread across seeds at ${flat.map((p) => `${param}=${p.x}`).join(', ')} (no estimate of the seed-to-seed variation)` };
  }
  const best = inside.reduce((a, b) => (b.stats.mean > a.stats.mean ? b : a));
  const lbl = (p: SweepPoint): string => `${param}=${p.x} ${formatInterval(p.stats)}`;
  const above = outside.filter((p) => p.stats.lo > best.stats.hi);
  if (above.length) {
    return { verdict: 'did not hold', detail: `95% CI of ${above.map(lbl).join(' and ')} lies above that of the best claimed value ${lbl(best)}` };
  }
  const overlapping = outside.filter((p) => !(best.stats.lo > p.stats.hi));
  if (!overlapping.length) {
    return { verdict: 'held', detail: `95% CI of ${lbl(best)} lies above those of ${outside.map(lbl).join(', ')}` };
  }
  return {
    verdict: 'inconclusive',
    detail: `95% CI of the best claimed value ${lbl(best)} overlaps ${overlapping.map((p) => `${lbl(p)} (${overlapText(best.stats, p.stats)})`).join(', ')}`,
  };
}

/** Counts per verdict. */
export function tally(claims: ReadonlyArray<Judgement>): Record<Verdict, number> {
  const out: Record<Verdict, number> = { held: 0, 'did not hold': 0, inconclusive: 0, 'not tested': 0 };
  for (const c of claims) out[c.verdict]++;
  return out;
}
