/**
 * Positive pointwise mutual information of a co-occurrence matrix with context-distribution
 * smoothing (Levy, Goldberg & Dagan 2015), optionally shifted by log k (Levy & Goldberg 2014):
 *
 *   PPMI(i, j) = max(0, log( C(i,j) * Z / (C(i,*) * C(*,j)^alpha) ) - log k),  Z = sum_j C(*,j)^alpha
 *
 * which is log( P(i,j) / (P(i) P_alpha(j)) ) with P_alpha(j) = C(*,j)^alpha / Z.
 * Entries that are not positive are dropped (the result stays sparse).
 */
import { Csr, CsrBuilder } from './sparse';

export function ppmi(c: Csr, alpha: number, shiftK = 1): Csr {
  const rowSum = new Float64Array(c.rows);
  const colSum = new Float64Array(c.cols);
  for (let i = 0; i < c.rows; i++) {
    for (let p = c.indptr[i]; p < c.indptr[i + 1]; p++) {
      rowSum[i] += c.data[p];
      colSum[c.indices[p]] += c.data[p];
    }
  }
  const ctx = new Float64Array(c.cols);
  let z = 0;
  for (let j = 0; j < c.cols; j++) {
    ctx[j] = colSum[j] > 0 ? Math.pow(colSum[j], alpha) : 0;
    z += ctx[j];
  }
  const shift = Math.log(shiftK);
  const out = new CsrBuilder(c.rows, c.cols);
  for (let i = 0; i < c.rows; i++) {
    for (let p = c.indptr[i]; p < c.indptr[i + 1]; p++) {
      const j = c.indices[p];
      const v = c.data[p];
      if (!(v > 0)) continue;
      const pmi = Math.log((v * z) / (rowSum[i] * ctx[j])) - shift;
      if (pmi > 0) out.push(j, pmi);
    }
    out.endRow();
  }
  return out.build();
}
