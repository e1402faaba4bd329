/**
 * Sentences that read a result from its numbers, for notebooks and reports: where an agent sits
 * between random and the oracle (h), whether the low level follows its goals (mean r_in against a
 * random item's), whether a training curve grows or falls, whether an actor saturates. The
 * thresholds are stated in each sentence's rule (docs: notebooks 03 and 04), so a reader can check
 * the reading against the numbers next to it. Every function returns Markdown.
 */
import type { SaturationStats } from './actorSaturation';

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** |h| below this is "at the random level". */
export const H_RANDOM_BAND = 0.1;

/**
 * Where h (headroom captured: 0 = random, 1 = the one-step greedy oracle on the true expected
 * reward) puts a policy: below random, at the random level (|h| < 0.1), part of the way, at or
 * above the oracle (h >= 0.9).
 */
export function readHeadroom(name: string, h: number, T?: number): string {
  const at = T === undefined ? '' : ` on T = ${T} sessions`;
  if (!Number.isFinite(h)) return `**${name}**: h is undefined${at} (the oracle does not beat random, or no ground truth).`;
  if (h < -H_RANDOM_BAND) return `**${name} is below the random level**${at} (h = ${f(h)}): it recommends worse than chance.`;
  if (h < H_RANDOM_BAND) return `**${name} is at the random level**${at} (h = ${f(h)}, within ±${H_RANDOM_BAND} of 0): training has not yet given it anything a random pick lacks.`;
  if (h < 0.9) return `**${name} captures ${Math.round(100 * h)}% of the headroom**${at} (h = ${f(h)}): better than random, short of the one-step greedy oracle.`;
  return `**${name} is at or above the one-step greedy oracle**${at} (h = ${f(h)}).`;
}

/** The gap in mean r_in (a cosine in [-1, 1]) below which the low level "ignores its goals". */
export const GOAL_GAP = 0.05;

/**
 * Does the low level follow its goals? `rIn`: mean internal reward (Eq. 12) of the executed items;
 * `rInRandom`: the mean cosine of a random candidate to the same goals.
 */
export function readGoalFollowing(rIn: number, rInRandom: number): string {
  const gap = rIn - rInRandom;
  const nums = `mean r_in ${f(rIn, 3)} vs ${f(rInRandom, 3)} for a random item`;
  if (!Number.isFinite(gap)) return `r_in is not available (${nums}).`;
  if (gap < GOAL_GAP) return `**The low level ignores its goals** (${nums}; a gap under ${GOAL_GAP}): its items are no closer to the goals than chance, so the high level cannot steer it.`;
  return `**The low level follows its goals** (${nums}): the items it recommends are closer to the current goal than a random item is.`;
}

/** A relative change between the first and last third below this is "flat". */
export const TREND_BAND = 0.2;

/** Trend of a logged quantity over training: mean of the first third vs the last third. */
export function readTrend(what: string, values: ReadonlyArray<number | null | undefined>): string {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length < 3) return `${what}: too few logged values to tell a trend (${v.length}).`;
  const k = Math.max(1, Math.floor(v.length / 3));
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const a = mean(v.slice(0, k)), b = mean(v.slice(-k));
  const rel = (b - a) / Math.max(Math.abs(a), 1e-12);
  const nums = `first third ${f(a, 3)}, last third ${f(b, 3)}`;
  if (rel > TREND_BAND) return `**${what} grows** over training (${nums}, ${f(100 * rel, 0)}%).`;
  if (rel < -TREND_BAND) return `**${what} falls** over training (${nums}, ${f(100 * rel, 0)}%).`;
  return `${what} is roughly flat over training (${nums}, within ±${100 * TREND_BAND}%).`;
}

/** Share of saturated coordinates above which an actor "saturates". */
export const SATURATED_SHARE = 0.5;

/** Does an actor saturate (its actions pinned to the corners of the B tanh box)? */
export function readSaturation(name: string, st: SaturationStats): string {
  const nums = `mean norm ${f(st.norm)} of a corner's ${f(st.cornerNorm)}, ${f(100 * st.saturated, 0)}% of coordinates beyond 0.95 B, ${st.patterns} sign pattern(s) over ${st.rows} states`;
  if (st.saturated > SATURATED_SHARE) {
    return `**${name} saturates** (${nums}): its outputs sit in the corners of the tanh box, so it ${st.patterns <= Math.max(2, st.rows / 20) ? 'points the same way for nearly every user' : 'ignores most of its input'}; \`actionPenalty\` > 0 pulls it back.`;
  }
  return `${name} does not saturate (${nums}).`;
}
