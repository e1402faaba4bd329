/**
 * Fixed-length item histories, the dataset's convention: row b of an Int32Array [B*N] holds item
 * index + 1, 0 = padding, left-padded, most recent last.
 */

/** Append `item` (a dense index) to row b of `hist` [B*N], dropping the oldest entry. */
export function pushHistory(hist: Int32Array, b: number, N: number, item: number): void {
  const off = b * N;
  hist.copyWithin(off, off + 1, off + N);
  hist[off + N - 1] = item + 1;
}

/** The items (dense indices) of row b, oldest first, padding skipped. */
export function historyItems(hist: Int32Array, b: number, N: number): number[] {
  const out: number[] = [];
  for (let k = b * N; k < (b + 1) * N; k++) if (hist[k] > 0) out.push(hist[k] - 1);
  return out;
}
