/**
 * Fixed-length item histories, the dataset's convention: row b of an Int32Array [B*N] holds item
 * index + 1, 0 = padding, left-padded, most recent last. Preparation, the environment and the offline
 * test all advance histories through `recordImpression`, so the state rule is written once.
 */
import { Feedback } from './schema';

/** Append `item` (a dense index) to row b of `hist` [B*N], dropping the oldest entry. */
export function pushHistory(hist: Int32Array, b: number, N: number, item: number): void {
  const off = b * N;
  hist.copyWithin(off, off + 1, off + N);
  hist[off + N - 1] = item + 1;
}

/**
 * The state after an impression of `item` with `feedback` (paper Sec. 2.1): browsed gets every shown
 * item, clicked gets clicked or ordered items, ordered gets ordered items. Row b of each [B*N] array.
 */
export function recordImpression(
  browsed: Int32Array,
  clicked: Int32Array,
  ordered: Int32Array,
  b: number,
  N: number,
  item: number,
  feedback: number,
): void {
  pushHistory(browsed, b, N, item);
  if (feedback !== Feedback.Skip) pushHistory(clicked, b, N, item);
  if (feedback === Feedback.Order) pushHistory(ordered, b, N, item);
}

/** The items (dense indices) of row b, oldest first, padding skipped. */
export function historyItems(hist: Int32Array, b: number, N: number): number[] {
  const out: number[] = [];
  for (let k = b * N; k < (b + 1) * N; k++) if (hist[k] > 0) out.push(hist[k] - 1);
  return out;
}
