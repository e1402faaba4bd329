/**
 * Item co-occurrence (lib/data/embeddings/cooccurrence.ts) accumulated chunk by chunk, so memory is
 * O(nItems + nnz + batch) instead of O(rows).
 *
 * Chunks (whole sessions, in log order) are buffered into batches of about `batchRows` rows; each
 * batch is folded into the running matrix row by row (Gustavson): row i starts from its running
 * values, then adds the batch's contributions in the order cooccurrence() adds them (occurrences
 * of i by ascending row, window neighbours by ascending row). Every entry is therefore the same
 * float64 sum, in the same order, as the in-memory function computes, and toCsr() rounds it to
 * float32 the same way: the result is bit-identical to cooccurrence() on the concatenated log.
 *
 * Memory: the running matrix is CSR with float64 values (12 bytes a non-zero), stored in blocks of
 * rows, and a fold rebuilds one block at a time, so the transient copy is one block, not the whole
 * matrix; blocks without an occurrence in the batch are kept as they are. toCsr() peaks at about
 * 20 bytes a non-zero (running blocks + the float32 result) and returns 8 bytes a non-zero.
 *
 * It also counts each item's impressions per feedback outcome (`outcomes`, for the engagement
 * extension of the embeddings, lib/data/embeddings/outcomeCounts.ts): integer counts, equal to
 * outcomeCounts() on the whole log.
 */
import { CooccurrenceOptions } from '../embeddings/cooccurrence';
import { addOutcomeCounts, OUTCOMES } from '../embeddings/outcomeCounts';
import { Csr } from '../embeddings/sparse';

export interface CooccurrenceChunk {
  /** Item of each row (dense index in [0, nItems)). */
  item: Int32Array; // [rows]
  feedback: Uint8Array; // [rows]
  /** Session k spans rows [sessionStart[k], sessionStart[k+1]). */
  sessionStart: Int32Array; // [sessions + 1], from 0
  nSessions: number;
}

/** Rows [lo, hi) of the running matrix: row i's entries at [ptr[i - lo], ptr[i - lo + 1]). */
interface Block {
  lo: number;
  hi: number;
  ptr: Float64Array; // [hi - lo + 1]
  idx: Int32Array; // [>= nnz of the block] column indices, ascending within a row
  val: Float64Array; // [>= nnz of the block]
}

export interface CooccurrenceAccumulatorOptions extends Omit<CooccurrenceOptions, 'progress'> {
  /** Rows buffered before a fold (default 2^21); larger = fewer passes over the running matrix. */
  batchRows?: number;
  /** Row blocks of the running matrix (default 64). */
  blocks?: number;
}

export class CooccurrenceAccumulator {
  private readonly blocks: (Block | null)[] = [];
  private readonly dist: Float64Array;
  private readonly batchRows: number;
  // batch buffer
  private pending: CooccurrenceChunk[] = [];
  private pendingRows = 0;
  // scratch, reused across folds
  private readonly acc: Float64Array; // [n]
  private readonly touched: Int32Array; // [n]
  private readonly occStart: Int32Array; // [n + 1]
  /** Batches folded in so far. */
  folds = 0;
  /** Impressions of each item per feedback [n * 3] (skip, click, order), over every row added so far. */
  readonly outcomes: Float64Array;

  constructor(
    readonly n: number,
    private readonly o: CooccurrenceAccumulatorOptions,
  ) {
    this.dist = new Float64Array(o.window + 1);
    for (let d = 1; d <= o.window; d++) this.dist[d] = o.distance === 'harmonic' ? 1 / d : 1;
    this.batchRows = o.batchRows ?? 1 << 21;
    this.acc = new Float64Array(n);
    this.touched = new Int32Array(n);
    this.occStart = new Int32Array(n + 1);
    this.outcomes = new Float64Array(n * OUTCOMES);
    const nb = Math.max(1, Math.min(o.blocks ?? 64, n));
    const size = Math.ceil(n / nb);
    for (let lo = 0; lo < n; lo += size) {
      const hi = Math.min(n, lo + size);
      this.blocks.push({ lo, hi, ptr: new Float64Array(hi - lo + 1), idx: new Int32Array(0), val: new Float64Array(0) });
    }
  }

  /** Non-zeros so far (folded batches only). */
  get nnz(): number {
    let s = 0;
    for (const b of this.blocks) if (b) s += b.ptr[b.hi - b.lo];
    return s;
  }

  /** Add the rows of one chunk (its arrays are copied when buffered, so views are fine). */
  add(c: CooccurrenceChunk): void {
    if (this.blocks.some((b) => b === null)) throw new Error('CooccurrenceAccumulator: add() after toCsr()');
    const rows = c.item.length;
    if (rows === 0) return;
    addOutcomeCounts(this.outcomes, c.item, c.feedback);
    this.pending.push({ item: c.item.slice(), feedback: c.feedback.slice(), sessionStart: c.sessionStart.slice(0, c.nSessions + 1), nSessions: c.nSessions });
    this.pendingRows += rows;
    if (this.pendingRows >= this.batchRows) this.flush();
  }

  /** Fold the buffered rows into the running matrix. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.concat(this.pending);
    this.pending = [];
    this.pendingRows = 0;
    this.fold(batch);
  }

  private concat(parts: CooccurrenceChunk[]): CooccurrenceChunk {
    if (parts.length === 1) return parts[0];
    let rows = 0;
    let sessions = 0;
    for (const p of parts) {
      rows += p.item.length;
      sessions += p.nSessions;
    }
    const item = new Int32Array(rows);
    const feedback = new Uint8Array(rows);
    const sessionStart = new Int32Array(sessions + 1);
    let r = 0;
    let s = 0;
    for (const p of parts) {
      item.set(p.item, r);
      feedback.set(p.feedback, r);
      for (let k = 0; k < p.nSessions; k++) sessionStart[s + k] = r + p.sessionStart[k];
      r += p.item.length;
      s += p.nSessions;
    }
    sessionStart[sessions] = rows;
    return { item, feedback, sessionStart, nSessions: sessions };
  }

  private fold(c: CooccurrenceChunk): void {
    const n = this.n;
    const rows = c.item.length;
    const fw = this.o.feedbackWeight;
    const w = new Float64Array(rows);
    for (let r = 0; r < rows; r++) w[r] = fw[c.feedback[r]];
    const sess = new Int32Array(rows); // session of each row
    for (let s = 0; s < c.nSessions; s++) sess.fill(s, c.sessionStart[s], c.sessionStart[s + 1]);
    // occurrences of each item in the batch (counting sort of rows by item, stable)
    const occStart = this.occStart;
    occStart.fill(0);
    for (let r = 0; r < rows; r++) if (w[r] > 0) occStart[c.item[r] + 1]++;
    for (let i = 0; i < n; i++) occStart[i + 1] += occStart[i];
    const fill = occStart.slice(0, n);
    const occ = new Int32Array(occStart[n]);
    for (let r = 0; r < rows; r++) if (w[r] > 0) occ[fill[c.item[r]]++] = r;

    const acc = this.acc;
    const touched = this.touched;
    const dist = this.dist;
    const win = this.o.window;
    for (let bi = 0; bi < this.blocks.length; bi++) {
      const old = this.blocks[bi]!;
      if (occStart[old.hi] === occStart[old.lo]) continue; // nothing new in this block
      const ptr = new Float64Array(old.hi - old.lo + 1);
      let cap = Math.max(256, Math.ceil(old.ptr[old.hi - old.lo] * 1.25));
      let idx = new Int32Array(cap);
      let val = new Float64Array(cap);
      let len = 0;
      for (let i = old.lo; i < old.hi; i++) {
        const a = old.ptr[i - old.lo];
        const b = old.ptr[i - old.lo + 1];
        let nt = 0;
        for (let p = a; p < b; p++) {
          const j = old.idx[p];
          acc[j] = old.val[p];
          touched[nt++] = j;
        }
        // same loop and arithmetic as cooccurrence(): contributions in the same order
        for (let p = occStart[i]; p < occStart[i + 1]; p++) {
          const r = occ[p];
          const s = sess[r];
          const lo = Math.max(c.sessionStart[s], r - win);
          const hi = Math.min(c.sessionStart[s + 1] - 1, r + win);
          const wr = w[r];
          for (let r2 = lo; r2 <= hi; r2++) {
            const j = c.item[r2];
            if (j === i || w[r2] === 0) continue;
            const v = wr * w[r2] * dist[r2 > r ? r2 - r : r - r2];
            if (acc[j] === 0) touched[nt++] = j;
            acc[j] += v;
          }
        }
        if (len + nt > cap) {
          cap = Math.max(len + nt, Math.ceil(cap * 1.5));
          const ni = new Int32Array(cap);
          ni.set(idx.subarray(0, len));
          idx = ni;
          const nv = new Float64Array(cap);
          nv.set(val.subarray(0, len));
          val = nv;
        }
        const t = nt === b - a ? touched.subarray(0, nt) : touched.subarray(0, nt).sort(); // no new column: still sorted
        for (let k = 0; k < nt; k++) {
          idx[len] = t[k];
          val[len] = acc[t[k]];
          acc[t[k]] = 0;
          len++;
        }
        ptr[i - old.lo + 1] = len;
      }
      this.blocks[bi] = { lo: old.lo, hi: old.hi, ptr, idx, val };
    }
    this.folds++;
  }

  /** The matrix as the kit's Csr (float32 values), as cooccurrence() returns it. Ends the accumulation. */
  toCsr(): Csr {
    this.flush();
    const n = this.n;
    const nz = this.nnz;
    const indptr = new Float64Array(n + 1);
    const indices = new Int32Array(nz);
    const data = new Float32Array(nz);
    let off = 0;
    for (let bi = 0; bi < this.blocks.length; bi++) {
      const b = this.blocks[bi]!;
      const len = b.ptr[b.hi - b.lo];
      indices.set(b.idx.subarray(0, len), off);
      data.set(b.val.subarray(0, len), off); // float64 -> float32, rounded as CsrBuilder.push does
      for (let i = b.lo; i < b.hi; i++) indptr[i + 1] = off + b.ptr[i - b.lo + 1];
      off += len;
      this.blocks[bi] = null; // release as we go
    }
    return { rows: n, cols: n, indptr, indices, data };
  }
}
