/**
 * Offline-test metrics (Section 4.1, Appendix C.2): each test session's logged items are re-ranked
 * by the agent and scored with graded relevance = the external reward (skip 0, click 1, order 5).
 *
 * Definitions (the paper cites [9] for NDCG and [24] for MAP without formulas):
 * - NDCG@k: DCG@k = sum_{i=1..min(k,n)} gain(rel_i) / log2(i + 1); gain is LINEAR (gain = rel) by
 *   default, 'exponential' (2^rel - 1) on request. IDCG@k is the DCG@k of the same list's rels
 *   sorted descending (the ideal order of ALL items of the list, cut at k).
 * - AP: binary relevance (rel > 0 relevant). AP = (1/R) * sum over relevant positions i of
 *   precision@i, R = number of relevant items in the list (every relevant item of the session is in
 *   the re-ranked list, so this is the full, not truncated, AP).
 * - A list with no relevant item has no defined NDCG or AP: both return NaN, and `meanOf` either
 *   excludes such lists (default, 'exclude') or counts them as 0 ('zero').
 */
import { UsageError } from '../util/errors';

export type Gain = 'linear' | 'exponential';
export type NoRelevant = 'exclude' | 'zero';

function checkRels(rels: ArrayLike<number>, where: string): void {
  for (let i = 0; i < rels.length; i++) {
    const r = rels[i];
    if (!Number.isFinite(r) || r < 0) throw new UsageError(`${where}: relevance at position ${i} must be finite and >= 0, got ${r}`);
  }
}

function gainOf(rel: number, gain: Gain): number {
  return gain === 'linear' ? rel : Math.pow(2, rel) - 1;
}

/** DCG@k of rels in ranked order. */
export function dcgAtK(rels: ArrayLike<number>, k: number, gain: Gain = 'linear'): number {
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`dcgAtK: k must be an integer >= 1, got ${k}`);
  checkRels(rels, 'dcgAtK');
  const n = Math.min(k, rels.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += gainOf(rels[i], gain) / Math.log2(i + 2);
  return s;
}

/** NDCG@k of rels in ranked order; NaN when the list has no relevant item. */
export function ndcgAtK(rels: ArrayLike<number>, k: number, gain: Gain = 'linear'): number {
  const dcg = dcgAtK(rels, k, gain);
  const ideal = Array.from(rels).sort((a, b) => b - a);
  const idcg = dcgAtK(ideal, k, gain);
  return idcg > 0 ? dcg / idcg : NaN;
}

/** Average precision with binary relevance (rel > 0); NaN when the list has no relevant item. */
export function averagePrecision(rels: ArrayLike<number>): number {
  checkRels(rels, 'averagePrecision');
  let hits = 0, sum = 0;
  for (let i = 0; i < rels.length; i++) {
    if (rels[i] > 0) {
      hits++;
      sum += hits / (i + 1); // precision@(i+1)
    }
  }
  return hits > 0 ? sum / hits : NaN;
}

/**
 * Mean of per-list metric values. NaN entries (lists without a relevant item) are excluded
 * ('exclude', default) or counted as 0 ('zero'). Returns NaN when nothing is left to average.
 */
export function meanOf(values: ArrayLike<number>, noRelevant: NoRelevant = 'exclude'): number {
  let s = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      if (noRelevant === 'zero') n++;
      continue;
    }
    if (!Number.isFinite(v)) throw new UsageError(`meanOf: value at ${i} is ${v}`);
    s += v;
    n++;
  }
  return n > 0 ? s / n : NaN;
}

/** Two-sided 95% Student-t quantiles t_{0.975, df} for df = 1..30. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
  2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}: table for df <= 30, the normal 1.96 beyond (slightly narrow for df 31..120, < 2%). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new UsageError(`tQuantile975: df must be an integer >= 1, got ${df}`);
  return df <= 30 ? T975[df - 1] : 1.96;
}

export interface ConfidenceInterval {
  n: number;
  mean: number;
  /** t_{0.975, n-1} * s / sqrt(n), s = sample standard deviation (n-1 denominator); NaN when n < 2. */
  halfWidth: number;
  lo: number;
  hi: number;
}

/** 95% confidence interval of the mean (Student t, n-1 degrees of freedom). */
export function confidenceInterval95(values: ArrayLike<number>): ConfidenceInterval {
  const n = values.length;
  if (n === 0) throw new UsageError('confidenceInterval95: no values');
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) throw new UsageError(`confidenceInterval95: value at ${i} is ${values[i]}`);
    s += values[i];
  }
  const mean = s / n;
  if (n < 2) return { n, mean, halfWidth: NaN, lo: NaN, hi: NaN };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  const halfWidth = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, halfWidth, lo: mean - halfWidth, hi: mean + halfWidth };
}
