/**
 * Turning index histories into GRU inputs.
 *
 * Convention (kit-wide): a history is an `Int32Array` [batch * N] of item index + 1, 0 = padding,
 * chronological and LEFT-padded (most recent item last). The item table is a `Float32Array`
 * [nItems, E] (row i = item i). Inputs are built in JS from the table and uploaded once, never
 * sliced on the device (gather/slice are slow on wasm): per step [batch, E] for the reference
 * path, all real steps stacked [1, T*batch, E] for the fast path.
 *
 * Padding: each step carries a mask (1 = real item, 0 = padding) and the GRU keeps its state on
 * padded rows (h <- mask*h' + (1-mask)*h), so a padded history gives exactly the final state of the
 * shorter unpadded one. Steps padded on every row are skipped (`null`) and steps real on every row
 * carry no mask: both are bit-identical to applying the mask.
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../util/errors';
import { type Engine, defaultEngine } from './engine/engine';

/** A checked view of the item embedding table. */
export class EmbeddingTable {
  readonly nItems: number;
  constructor(
    readonly data: Float32Array,
    readonly dim: number,
  ) {
    if (!(data instanceof Float32Array)) throw new UsageError('item table: expected a Float32Array [nItems, E]');
    if (!Number.isInteger(dim) || dim < 1) throw new UsageError(`item table: E must be a positive integer, got ${dim}`);
    if (data.length === 0 || data.length % dim !== 0) {
      throw new UsageError(`item table: length ${data.length} is not a positive multiple of E=${dim}`);
    }
    this.nItems = data.length / dim;
  }

  /** Rows of the given item indices (0-based) -> Float32Array [items.length, E]. */
  rows(items: Int32Array, what = 'items'): Float32Array {
    const E = this.dim;
    const out = new Float32Array(items.length * E);
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (!(it >= 0 && it < this.nItems)) throw new UsageError(`${what}[${i}] = ${it}: item index outside [0, ${this.nItems})`);
      out.set(this.data.subarray(it * E, it * E + E), i * E);
    }
    return out;
  }
}

/** One GRU step's inputs: x [batch, E]; `mask`/`keep` [batch, 1] (= m, 1-m), null when all real. */
export interface StepInput {
  x: tf.Tensor2D;
  mask: tf.Tensor2D | null;
  keep: tf.Tensor2D | null;
}

/**
 * The real steps of a history batch stacked (fast path): X [1, Kp, E] (step k = rows
 * k*batch .. k*batch+batch-1; rows from T*batch to Kp = padRows(T*batch) are zero), X0 [1, batch, E]
 * (the first real step alone) and the masks M [1, T, batch] (1 = real item, 0 = padding; null when
 * every step is real on every row).
 */
export interface SeqInput {
  T: number;
  E: number;
  /** Rows of X (>= T * batch), see `padRows`. */
  Kp: number;
  X: tf.Tensor;
  X0: tf.Tensor;
  M: tf.Tensor | null;
}

/**
 * Per-step inputs of one history batch. `steps[t]` (reference form, plain tensors) is null when
 * step t is padding on every row; `seq` is the stacked fast form (null when every step is padding).
 * Only the form of the network's engine is uploaded by `embedHistory`; `stepsOf`/`seqOf`
 * upload the other on demand (into the current tf.tidy scope).
 */
export interface HistoryInput {
  batch: number;
  /** Reference form; null until uploaded (use `stepsOf`). */
  steps: (StepInput | null)[] | null;
  /** Fast form; null until uploaded or when T = 0 (use `seqOf`). */
  seq: SeqInput | null;
  /** Host-side data both forms are built from. */
  host: HostHistory;
}

/** Host-side history data: the real steps' rows stacked, their indices and masks. */
export interface HostHistory {
  N: number;
  E: number;
  /** Indices t of the steps real on at least one row. */
  real: number[];
  /** [padRows(real.length * batch) * E]: real step k = rows k*batch..; padding rows are zero. */
  x: Float32Array;
  masks: (Uint8Array | null)[];
}

/** Check a history array's length and values; throws naming `what`. */
export function checkHistory(hist: Int32Array, batch: number, N: number, nItems: number, what: string): void {
  if (!(hist instanceof Int32Array)) throw new UsageError(`${what}: expected an Int32Array [batch * N]`);
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`${what}: batch must be a positive integer, got ${batch}`);
  if (hist.length !== batch * N) {
    throw new UsageError(`${what}: length ${hist.length} != batch ${batch} * N ${N}`);
  }
  for (let i = 0; i < hist.length; i++) {
    const v = hist[i];
    if (!(v >= 0 && v <= nItems)) {
      throw new UsageError(`${what}[${i}] = ${v}: must be 0 (padding) or item index + 1 in [1, ${nItems}]`);
    }
  }
}

/**
 * Build the inputs of a history batch and upload the form `engine` uses (that of the network the
 * input is for; the other form is uploaded on demand). The tensors are owned by the caller: call
 * inside tf.tidy, or `disposeHistory` afterwards.
 */
export function embedHistory(table: EmbeddingTable, hist: Int32Array, batch: number, N: number, what = 'history', engine: Engine = defaultEngine()): HistoryInput {
  checkHistory(hist, batch, N, table.nItems, what);
  const E = table.dim;
  const src = table.data;
  const real: number[] = [];
  const masks: (Uint8Array | null)[] = [];
  for (let t = 0; t < N; t++) {
    let n = 0;
    for (let b = 0; b < batch; b++) if (hist[b * N + t] !== 0) n++;
    if (n === 0) continue;
    real.push(t);
    let mask: Uint8Array | null = null;
    if (n < batch) {
      mask = new Uint8Array(batch);
      for (let b = 0; b < batch; b++) mask[b] = hist[b * N + t] !== 0 ? 1 : 0;
    }
    masks.push(mask);
  }
  // rows padded to padRows(T*batch) (the fast path's stacked length); padding rows stay zero
  const x = new Float32Array((real.length ? padRows(real.length * batch) : 0) * E);
  real.forEach((t, k) => {
    let o = k * batch * E;
    for (let b = 0, i = t; b < batch; b++, i += N, o += E) {
      const v = hist[i];
      if (v !== 0) x.set(src.subarray((v - 1) * E, v * E), o);
    }
  });
  const h: HistoryInput = { batch, steps: null, seq: null, host: { N, E, real, x, masks } };
  if (engine.fast) seqOf(h);
  else stepsOf(h);
  return h;
}

/** The reference form (uploaded now if needed). */
export function stepsOf(h: HistoryInput): (StepInput | null)[] {
  if (h.steps && h.steps.every((s) => !s || !s.x.isDisposed)) return h.steps;
  const { N, E, real, x, masks } = h.host;
  const B = h.batch;
  const steps: (StepInput | null)[] = new Array(N).fill(null);
  real.forEach((t, k) => {
    const m = masks[k];
    let mask: tf.Tensor2D | null = null, keep: tf.Tensor2D | null = null;
    if (m) {
      const mf = new Float32Array(B), kf = new Float32Array(B);
      for (let b = 0; b < B; b++) {
        mf[b] = m[b];
        kf[b] = 1 - m[b];
      }
      mask = tf.tensor2d(mf, [B, 1]);
      keep = tf.tensor2d(kf, [B, 1]);
    }
    steps[t] = { x: tf.tensor2d(x.subarray(k * B * E, (k + 1) * B * E), [B, E]), mask, keep };
  });
  h.steps = steps;
  return steps;
}

/**
 * The stacked length K = T*batch rounded up so that a float32 row of K values spans an odd number
 * of 64-byte cache lines: the backward pass writes the transposed gate gradients [3H, K] one
 * column at a time, and a power-of-two-ish row stride (e.g. 2560 floats) maps every row to the
 * same few L1 cache sets (measured 10x slower). The extra rows/columns are zero.
 */
export function padRows(K: number): number {
  let k = Math.ceil(K / 16) * 16;
  if ((k / 16) % 2 === 0) k += 16;
  return k;
}

/** The fast form (uploaded now if needed); null when every step is padding. */
export function seqOf(h: HistoryInput): SeqInput | null {
  const { E, real, x, masks } = h.host;
  if (real.length === 0) return null;
  if (h.seq && !h.seq.X.isDisposed && !h.seq.X0.isDisposed && !h.seq.M?.isDisposed) return h.seq;
  const B = h.batch;
  const T = real.length;
  const Kp = padRows(T * B);
  const X = tf.tensor(x, [1, Kp, E], 'float32');
  const X0 = tf.tensor(x.subarray(0, B * E), [1, B, E], 'float32');
  let M: tf.Tensor | null = null;
  if (masks.some((m) => m)) {
    const m = new Float32Array(T * B).fill(1);
    masks.forEach((mk, k) => {
      if (mk) for (let b = 0; b < B; b++) m[k * B + b] = mk[b];
    });
    M = tf.tensor(m, [1, T, B], 'float32');
  }
  h.seq = { T, E, Kp, X, X0, M };
  return h.seq;
}

export function disposeHistory(h: HistoryInput): void {
  for (const s of h.steps ?? []) {
    if (!s) continue;
    s.x.dispose();
    s.mask?.dispose();
    s.keep?.dispose();
  }
  if (h.seq) {
    h.seq.X.dispose();
    h.seq.X0.dispose();
    h.seq.M?.dispose();
  }
}
