/**
 * Statistics across seeds: each training seed contributes ONE number (e.g. its mean reward per test
 * session), and the 95% confidence interval of the mean over seeds is Student-t with n-1 degrees
 * of freedom (lib/eval/metrics confidenceInterval95). Fewer than 2 seeds have no interval.
 */
import { confidenceInterval95 } from '../eval/metrics';

export interface SeedStats {
  /** Seeds with a finite value. */
  n: number;
  mean: number;
  /** Sample standard deviation (n-1); NaN when n < 2. */
  std: number;
  /** t_{0.975,n-1} * std / sqrt(n); NaN when n < 2. */
  halfWidth: number;
  lo: number;
  hi: number;
  /** The per-seed values (non-finite ones dropped). */
  values: number[];
}

/** Mean and 95% CI over per-seed values (non-finite values are dropped; n = 0 gives NaN everywhere). */
export function seedStats(values: ArrayLike<number>): SeedStats {
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) v.push(values[i]);
  if (v.length === 0) return { n: 0, mean: NaN, std: NaN, halfWidth: NaN, lo: NaN, hi: NaN, values: [] };
  const ci = confidenceInterval95(v);
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, x) => a + (x - ci.mean) ** 2, 0) / (v.length - 1)) : NaN;
  return { n: v.length, mean: ci.mean, std, halfWidth: ci.halfWidth, lo: ci.lo, hi: ci.hi, values: v };
}

/** Significant digits that keep `x` readable: 4 below 10, fewer above. */
function digitsFor(x: number): number {
  const a = Math.abs(x);
  return a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : 4;
}

/** "12.34 ± 0.56" (half-width of the 95% CI); "12.34 ± n/a" with fewer than 2 seeds; "n/a" without data. */
export function formatStats(s: SeedStats, digits?: number): string {
  if (s.n === 0 || !Number.isFinite(s.mean)) return 'n/a';
  const d = digits ?? digitsFor(s.mean);
  return `${s.mean.toFixed(d)} ± ${Number.isFinite(s.halfWidth) ? s.halfWidth.toFixed(d) : 'n/a'}`;
}

/** "[lo, hi]" of the 95% CI, or "(no CI: n < 2)". */
export function formatInterval(s: SeedStats, digits?: number): string {
  if (!(s.n >= 2 && Number.isFinite(s.lo) && Number.isFinite(s.hi))) return `(no CI: n = ${s.n})`;
  const d = digits ?? digitsFor(s.mean);
  return `[${s.lo.toFixed(d)}, ${s.hi.toFixed(d)}]`;
}

/** A SeedStats whose 95% CI is clipped to the metric's range [min, max] (MAP, NDCG, AUC: [0, 1]). */
export interface ClippedStats extends SeedStats {
  /** True when the t interval left the range and was cut at its bound(s). */
  clipped: boolean;
}

/** Clip the CI of `s` to [min, max] (a bounded metric's mean over seeds cannot leave its range). */
export function clipInterval(s: SeedStats, min: number, max: number): ClippedStats {
  if (!(s.n >= 2 && Number.isFinite(s.lo) && Number.isFinite(s.hi))) return { ...s, clipped: false };
  const lo = Math.max(min, s.lo);
  const hi = Math.min(max, s.hi);
  return { ...s, lo, hi, clipped: lo !== s.lo || hi !== s.hi };
}
