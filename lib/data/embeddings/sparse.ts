/**
 * Compressed sparse row matrices and the two products the randomized SVD needs. Dense matrices are
 * row-major Float64Array [rows * cols].
 */

export interface Csr {
  rows: number;
  cols: number;
  indptr: Float64Array; // [rows + 1] (float64: nnz may exceed 2^31 on huge logs)
  indices: Int32Array; // [nnz] column indices, ascending within a row
  data: Float32Array; // [nnz]
}

export function nnz(a: Csr): number {
  return a.indptr[a.rows];
}

/** Y = A X, X [a.cols * l] -> Y [a.rows * l]. */
export function spmm(a: Csr, x: Float64Array, l: number): Float64Array {
  const y = new Float64Array(a.rows * l);
  for (let i = 0; i < a.rows; i++) {
    const yo = i * l;
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) {
      const v = a.data[p];
      const xo = a.indices[p] * l;
      for (let c = 0; c < l; c++) y[yo + c] += v * x[xo + c];
    }
  }
  return y;
}

/** Y = A^T X, X [a.rows * l] -> Y [a.cols * l]. */
export function spmmT(a: Csr, x: Float64Array, l: number): Float64Array {
  const y = new Float64Array(a.cols * l);
  for (let i = 0; i < a.rows; i++) {
    const xo = i * l;
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) {
      const v = a.data[p];
      const yo = a.indices[p] * l;
      for (let c = 0; c < l; c++) y[yo + c] += v * x[xo + c];
    }
  }
  return y;
}

/** Growable typed buffers for building a Csr row by row. */
export class CsrBuilder {
  private indices = new Int32Array(1024);
  private data = new Float32Array(1024);
  private len = 0;
  private readonly indptr: Float64Array;
  private row = 0;

  constructor(
    readonly rows: number,
    readonly cols: number,
  ) {
    this.indptr = new Float64Array(rows + 1);
  }

  /** Append one entry to the current row (columns must be pushed in ascending order). */
  push(col: number, v: number): void {
    if (this.len === this.indices.length) {
      const cap = this.len * 2;
      const ni = new Int32Array(cap);
      ni.set(this.indices);
      this.indices = ni;
      const nd = new Float32Array(cap);
      nd.set(this.data);
      this.data = nd;
    }
    this.indices[this.len] = col;
    this.data[this.len] = v;
    this.len++;
  }

  /** Close the current row. */
  endRow(): void {
    this.row++;
    this.indptr[this.row] = this.len;
  }

  build(): Csr {
    if (this.row !== this.rows) throw new Error(`CsrBuilder: ${this.row} rows ended, expected ${this.rows}`);
    return { rows: this.rows, cols: this.cols, indptr: this.indptr, indices: this.indices.slice(0, this.len), data: this.data.slice(0, this.len) };
  }
}
