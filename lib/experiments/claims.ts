/**
 * Judging the paper's claims from per-seed statistics, by their 95% confidence intervals across
 * seeds (seedStats.ts), never by the means alone:
 *   - "A beats B": held when A's CI lies entirely above B's; did not hold when it lies entirely below
 *     (the opposite direction, significantly); inconclusive when the CIs overlap (the line names the
 *     overlap) or when either side has fewer than 2 seeds (no CI).
 *   - "the sweep peaks at/near x*" (Figures 9-12): `near` are the parameter values that count as the
 *     peak's place (M: {2}; alpha: {0.25, 0.5, 0.75}). Held when the best near value (highest mean)
 *     has a CI above the CIs of every other value; did not hold when some value outside `near` has a
 *     CI entirely above the best near value's; inconclusive otherwise (overlaps listed).
 */
import { formatInterval, type SeedStats } from './seedStats';

export type Verdict = 'held' | 'did not hold' | 'inconclusive' | 'not tested';

export interface Judgement {
  verdict: Verdict;
  /** One sentence: which intervals, and where they overlap. */
  detail: string;
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

/** The claim "a > b" from their CIs (see the module comment). */
export function judgeGreater(a: SeedStats, b: SeedStats, names: [string, string]): Judgement {
  const [na, nb] = names;
  if (a.n === 0 || b.n === 0) return { verdict: 'not tested', detail: `no results for ${a.n === 0 ? na : nb}` };
  if (!hasCi(a) || !hasCi(b)) {
    return { verdict: 'inconclusive', detail: `fewer than 2 seeds (n = ${a.n} for ${na}, ${b.n} for ${nb}): no confidence interval` };
  }
  const ia = `${na} ${formatInterval(a)}`;
  const ib = `${nb} ${formatInterval(b)}`;
  if (a.lo > b.hi) return { verdict: 'held', detail: `95% CIs do not overlap: ${ia} lies above ${ib}` };
  if (a.hi < b.lo) return { verdict: 'did not hold', detail: `95% CIs do not overlap, opposite direction: ${ia} lies below ${ib}` };
  return { verdict: 'inconclusive', detail: `95% CIs ${overlapText(a, b)}: ${ia} vs ${ib}` };
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
  const lacking = [...inside, ...outside].filter((p) => !hasCi(p.stats));
  if (lacking.length) {
    return { verdict: 'inconclusive', detail: `fewer than 2 seeds at ${lacking.map((p) => `${param}=${p.x} (n = ${p.stats.n})`).join(', ')}: no confidence interval` };
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
