/**
 * Layout helpers between the replay buffers (record-major: [n, K, W]) and DdpgCore (head-major:
 * [K, n, W]), plus the item-embedding gather that turns executed items into actions.
 */
import { UsageError } from '../util/errors';

/** [n, K, W] -> [K, n, W] (W = 1 for per-head scalars such as rewards). */
export function recordToHeadMajor(x: Float32Array, n: number, K: number, W: number): Float32Array {
  if (x.length !== n * K * W) throw new UsageError(`recordToHeadMajor: length ${x.length} != n*K*W = ${n}*${K}*${W}`);
  if (K === 1) return x;
  const out = new Float32Array(x.length);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < K; k++) out.set(x.subarray((r * K + k) * W, (r * K + k + 1) * W), (k * n + r) * W);
  }
  return out;
}

/** [K, n, W] -> [n, K, W]. */
export function headToRecordMajor(x: Float32Array, n: number, K: number, W: number): Float32Array {
  if (x.length !== n * K * W) throw new UsageError(`headToRecordMajor: length ${x.length} != K*n*W = ${K}*${n}*${W}`);
  if (K === 1) return x;
  const out = new Float32Array(x.length);
  for (let k = 0; k < K; k++) {
    for (let r = 0; r < n; r++) out.set(x.subarray((k * n + r) * W, (k * n + r + 1) * W), (r * K + k) * W);
  }
  return out;
}

/** Embedding rows of items [B] from table [nItems, E] -> [B, E] (the executed actions a_t). */
export function gatherRows(table: Float32Array, E: number, items: Int32Array): Float32Array {
  const n = table.length / E;
  const out = new Float32Array(items.length * E);
  for (let b = 0; b < items.length; b++) {
    const it = items[b];
    if (!(Number.isInteger(it) && it >= 0 && it < n)) throw new UsageError(`gatherRows: items[${b}] = ${it} is not an item index in [0, ${n})`);
    out.set(table.subarray(it * E, (it + 1) * E), b * E);
  }
  return out;
}

/** u8 0/1 flags -> float32 (DdpgCore's done vector). */
export function toFloat(x: Uint8Array): Float32Array {
  return Float32Array.from(x);
}
