/**
 * Turning index histories into per-step GRU inputs.
 *
 * Convention (kit-wide): a history is an `Int32Array` [batch * N] of item index + 1, 0 = padding,
 * chronological and LEFT-padded (most recent item last). The item table is a `Float32Array`
 * [nItems, E] (row i = item i). Per-step inputs [batch, E] are built in JS from the table and
 * uploaded once per step (gather/slice are slow on wasm).
 *
 * Padding: each step carries a mask (1 = real item, 0 = padding) and the GRU keeps its state on
 * padded rows (h <- mask*h' + (1-mask)*h), so a padded history gives exactly the final state of the
 * shorter unpadded one. Steps padded on every row are skipped (`null`) and steps real on every row
 * carry no mask: both are bit-identical to applying the mask.
 */
import * as tf from '@tensorflow/tfjs';
import { UsageError } from '../util/errors';

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

/** Per-step inputs of one history batch; `steps[t]` null when step t is padding on every row. */
export interface HistoryInput {
  batch: number;
  steps: (StepInput | null)[];
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
 * Build and upload the per-step inputs of a history batch. The tensors are owned by the caller:
 * call inside tf.tidy, or `disposeHistory` afterwards.
 */
export function embedHistory(table: EmbeddingTable, hist: Int32Array, batch: number, N: number, what = 'history'): HistoryInput {
  checkHistory(hist, batch, N, table.nItems, what);
  const E = table.dim;
  const src = table.data;
  const steps: (StepInput | null)[] = [];
  for (let t = 0; t < N; t++) {
    let real = 0;
    for (let b = 0; b < batch; b++) if (hist[b * N + t] !== 0) real++;
    if (real === 0) {
      steps.push(null);
      continue;
    }
    const x = new Float32Array(batch * E); // padding rows stay zero
    let mask: Float32Array | null = null;
    let keep: Float32Array | null = null;
    if (real < batch) {
      mask = new Float32Array(batch);
      keep = new Float32Array(batch);
    }
    for (let b = 0; b < batch; b++) {
      const v = hist[b * N + t];
      if (v !== 0) {
        const o = (v - 1) * E;
        x.set(src.subarray(o, o + E), b * E);
        if (mask) mask[b] = 1;
      } else if (keep) {
        keep[b] = 1;
      }
    }
    steps.push({
      x: tf.tensor2d(x, [batch, E]),
      mask: mask ? tf.tensor2d(mask, [batch, 1]) : null,
      keep: keep ? tf.tensor2d(keep, [batch, 1]) : null,
    });
  }
  return { batch, steps };
}

export function disposeHistory(h: HistoryInput): void {
  for (const s of h.steps) {
    if (!s) continue;
    s.x.dispose();
    s.mask?.dispose();
    s.keep?.dispose();
  }
}
