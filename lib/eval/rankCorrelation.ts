/**
 * Spearman rank correlation (Pearson correlation of the ranks, ties get their average rank): how well
 * one score orders items like another, e.g. a critic's Q against the true expected reward
 * (bench/agentDiagnostics.ts). NaN when either side is constant or fewer than 2 values.
 */
import { UsageError } from '../util/errors';

/** Ranks 1..n with ties averaged (float64). */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new UsageError(`spearman: ${x.length} values against ${y.length}`);
  const n = x.length;
  if (n < 2) return NaN;
  const rx = averageRanks(x), ry = averageRanks(y);
  const m = (n + 1) / 2;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const a = rx[i] - m, b = ry[i] - m;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}
