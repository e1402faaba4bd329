/**
 * Point estimates with error bars, in whatever shape results come in: a plain number, {mean, err},
 * {mean, lo, hi}, or lib/eval's Summary ({mean, ci95: {lo, hi, halfWidth}}). Builders normalise
 * them with `toEstimate`; `meanCi` summarises raw values (e.g. one per seed).
 */
import { tQuantile975 } from '../eval/metrics';
import { UsageError } from '../util/errors';

/** Anything the figure builders accept as "a value with an error bar". */
export type EstimateLike =
  | number
  | null
  | {
      mean: number | null;
      /** Symmetric half-width of the error bar (e.g. a 95% CI half-width). */
      err?: number | null;
      /** Interval bounds (asymmetric bars). */
      lo?: number | null;
      hi?: number | null;
      /** lib/eval Summary shape. */
      ci95?: { lo?: number | null; hi?: number | null; halfWidth?: number | null } | null;
    };

/** A normalised estimate: NaN mean = missing; plus/minus = error bar half-widths (0 = no bar). */
export interface Estimate {
  mean: number;
  plus: number;
  minus: number;
}

const fin = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

export function toEstimate(e: EstimateLike, where = 'value'): Estimate {
  if (e === null || e === undefined) return { mean: NaN, plus: 0, minus: 0 };
  if (typeof e === 'number') return { mean: e, plus: 0, minus: 0 };
  if (typeof e !== 'object' || !('mean' in e)) throw new UsageError(`${where}: expected a number or {mean, err | lo/hi | ci95}, got ${JSON.stringify(e)}`);
  const mean = fin(e.mean) ? e.mean : NaN;
  if (!Number.isFinite(mean)) return { mean: NaN, plus: 0, minus: 0 };
  if (fin(e.lo) && fin(e.hi)) return { mean, plus: Math.max(0, e.hi - mean), minus: Math.max(0, mean - e.lo) };
  if (fin(e.err)) return { mean, plus: Math.abs(e.err), minus: Math.abs(e.err) };
  const ci = e.ci95;
  if (ci) {
    if (fin(ci.lo) && fin(ci.hi)) return { mean, plus: Math.max(0, ci.hi - mean), minus: Math.max(0, mean - ci.lo) };
    if (fin(ci.halfWidth)) return { mean, plus: ci.halfWidth, minus: ci.halfWidth };
  }
  return { mean, plus: 0, minus: 0 };
}

/**
 * Mean and 95% Student-t confidence interval of the finite values (non-finite and null are
 * skipped). n < 2 gives a zero-width interval; n = 0 a NaN mean.
 */
export function meanCi(values: ArrayLike<number | null>): { n: number; mean: number; lo: number; hi: number; halfWidth: number } {
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (fin(x)) v.push(x);
  }
  const n = v.length;
  if (n === 0) return { n, mean: NaN, lo: NaN, hi: NaN, halfWidth: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, lo: mean, hi: mean, halfWidth: 0 };
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const halfWidth = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, lo: mean - halfWidth, hi: mean + halfWidth, halfWidth };
}

/** Wilson 95% interval of a proportion k/n (well-behaved for small k, as order counts are). */
export function wilson95(k: number, n: number): { lo: number; hi: number } {
  if (!(n > 0)) return { lo: NaN, hi: NaN };
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { lo: Math.max(0, c - h), hi: Math.min(1, c + h) };
}

/** y value for plotly: NaN becomes null (a gap), so the JSON stays valid and explicit. */
export function yValue(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
