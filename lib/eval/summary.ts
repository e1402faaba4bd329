/**
 * Mean, spread and 95% confidence interval of per-session values, in a JSON-able shape (NaN becomes
 * null in JSON: n = 0 gives a NaN mean, n < 2 a NaN std and interval).
 */
import { confidenceInterval95 } from './metrics';

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 denominator). */
  std: number;
  /** 95% CI of the mean, Student t with n - 1 degrees of freedom (metrics.confidenceInterval95). */
  ci95: { lo: number; hi: number; halfWidth: number };
}

export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: NaN, std: NaN, ci95: { lo: NaN, hi: NaN, halfWidth: NaN } };
  const ci = confidenceInterval95(values); // throws on a non-finite value
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - ci.mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  return { n, mean: ci.mean, std, ci95: { lo: ci.lo, hi: ci.hi, halfWidth: ci.halfWidth } };
}
