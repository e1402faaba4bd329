/**
 * Randomized truncated SVD of a sparse matrix (Halko, Martinsson & Tropp 2011, Alg. 4.4 + 5.1),
 * plain JS over typed arrays, seeded by the kit's Rng:
 *
 *   Omega ~ N(0,1) [cols x l], l = k + oversample;  Q = orth(A Omega)
 *   repeat q times: Q = orth(A orth(A^T Q))          (power iterations sharpen the spectrum)
 *   B = Q^T A [l x cols];  B B^T = W diag(s^2) W^T (Jacobi);  U = Q W,  Sigma = s
 *
 * Cost O(nnz * l * (2q + 2) + n * l^2); memory a few dense [n x l] matrices.
 */
import { Progress } from '../../util/progress';
import { Rng } from '../../util/rng';
import { Csr, spmm, spmmT } from './sparse';

export interface SvdOptions {
  oversample: number;
  powerIters: number;
  rng: Rng;
  progress?: boolean;
}

export interface SvdResult {
  /** Left singular vectors, row-major [rows * k]. */
  U: Float64Array;
  /** Singular values, descending [k]. */
  S: Float64Array;
  k: number;
}

/**
 * Orthonormalize the columns of a row-major [n x l] matrix (modified Gram-Schmidt, applied twice
 * for numerical orthogonality). Columns dependent on earlier ones become zero.
 */
export function orthonormalize(y: Float64Array, n: number, l: number): Float64Array {
  const col = new Float64Array(n * l); // column-major copy: contiguous columns
  for (let i = 0; i < n; i++) for (let c = 0; c < l; c++) col[c * n + i] = y[i * l + c];
  for (let c = 0; c < l; c++) {
    const v = col.subarray(c * n, (c + 1) * n);
    let norm0 = 0;
    for (let i = 0; i < n; i++) norm0 += v[i] * v[i];
    norm0 = Math.sqrt(norm0);
    for (let pass = 0; pass < 2; pass++) {
      for (let d = 0; d < c; d++) {
        const u = col.subarray(d * n, (d + 1) * n);
        let dot = 0;
        for (let i = 0; i < n; i++) dot += u[i] * v[i];
        if (dot !== 0) for (let i = 0; i < n; i++) v[i] -= dot * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (!(norm > 1e-10 * norm0) || norm === 0) v.fill(0);
    else for (let i = 0; i < n; i++) v[i] /= norm;
  }
  const q = new Float64Array(n * l);
  for (let i = 0; i < n; i++) for (let c = 0; c < l; c++) q[i * l + c] = col[c * n + i];
  return q;
}

/**
 * Eigen-decomposition of a symmetric [m x m] matrix (cyclic Jacobi). Returns eigenvalues
 * descending and the matching eigenvectors as columns of a row-major [m x m] matrix.
 */
export function symmetricEigen(a0: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(a0);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < m; i++) {
      diag += a[i * m + i] * a[i * m + i];
      for (let j = i + 1; j < m; j++) off += a[i * m + j] * a[i * m + j];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          // rotate rows/columns p and q of a
          const akp = a[k * m + p];
          const akq = a[k * m + q];
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k];
          const aqk = a[q * m + k];
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => a[y * m + y] - a[x * m + x] || x - y);
  const values = new Float64Array(m);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    values[dst] = a[src * m + src];
    for (let k = 0; k < m; k++) vectors[k * m + dst] = v[k * m + src];
  });
  return { values, vectors };
}

/** Top-k singular triplets (U, Sigma) of a sparse matrix. k must be <= min(rows, cols). */
export function randomizedSvd(a: Csr, k: number, o: SvdOptions): SvdResult {
  const n = a.rows;
  if (!(k >= 1 && k <= Math.min(a.rows, a.cols))) throw new Error(`randomizedSvd: k=${k} outside [1, ${Math.min(a.rows, a.cols)}]`);
  const l = Math.min(k + o.oversample, a.rows, a.cols);
  const bar = o.progress ? new Progress('SVD', 2 * o.powerIters + 3, { unit: 'steps' }) : null;
  const omega = new Float64Array(a.cols * l);
  for (let i = 0; i < omega.length; i++) omega[i] = o.rng.normal();
  let q = orthonormalize(spmm(a, omega, l), n, l);
  bar?.tick();
  for (let it = 0; it < o.powerIters; it++) {
    const z = orthonormalize(spmmT(a, q, l), a.cols, l);
    bar?.tick();
    q = orthonormalize(spmm(a, z, l), n, l);
    bar?.tick();
  }
  const bt = spmmT(a, q, l); // B^T = A^T Q  [cols x l]
  const g = new Float64Array(l * l); // B B^T  [l x l]
  for (let i = 0; i < a.cols; i++) {
    const o2 = i * l;
    for (let x = 0; x < l; x++) {
      const bx = bt[o2 + x];
      if (bx === 0) continue;
      for (let y = x; y < l; y++) g[x * l + y] += bx * bt[o2 + y];
    }
  }
  for (let x = 0; x < l; x++) for (let y = 0; y < x; y++) g[x * l + y] = g[y * l + x];
  bar?.tick();
  const { values, vectors } = symmetricEigen(g, l);
  const S = new Float64Array(k);
  for (let c = 0; c < k; c++) S[c] = Math.sqrt(Math.max(values[c], 0));
  const U = new Float64Array(n * k); // Q W[:, :k]
  for (let i = 0; i < n; i++) {
    for (let x = 0; x < l; x++) {
      const qix = q[i * l + x];
      if (qix === 0) continue;
      for (let c = 0; c < k; c++) U[i * k + c] += qix * vectors[x * l + c];
    }
  }
  // sign convention: the largest-magnitude entry of each singular vector is positive
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let i = 0; i < n; i++) if (Math.abs(U[i * k + c]) > Math.abs(best)) best = U[i * k + c];
    if (best < 0) for (let i = 0; i < n; i++) U[i * k + c] = -U[i * k + c];
  }
  bar?.tick();
  bar?.finish();
  return { U, S, k };
}
