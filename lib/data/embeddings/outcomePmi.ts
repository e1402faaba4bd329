/**
 * The item x outcome block of PMI (a kit extension; see docs/deviations.md "engagement-aware
 * embeddings"): how much more (or less) often than average each item is skipped, clicked and
 * ordered, from the training split's outcome counts (outcomeCounts.ts):
 *
 *   PMI(i, f) = log( P~(f | i) / P(f) ),   P~(f | i) = (count(i, f) + s P(f)) / (count(i) + s)
 *
 * with P(f) the global share of outcome f and s pseudo-impressions at the global shares (additive
 * smoothing: an item with few impressions stays near 0 instead of log(1/5 / 0.005) for one order
 * in five impressions). Unlike the item-item PPMI the block is dense and every entry is estimated
 * from the item's own impressions, so negative values are kept (a rarely clicked item has a
 * negative click PMI) and no context smoothing (alpha) is applied: there are only 3 contexts.
 * Items never shown get 0 (the smoothed rate is the global share).
 */
import { OUTCOMES } from './outcomeCounts';
import { Csr, CsrBuilder } from './sparse';

/**
 * [n x 3] PMI block as a Csr (every entry present, also zeros, so the shape is explicit), each
 * column multiplied by `columnWeight[f]`. Columns of an outcome that never occurs are 0.
 */
export function outcomePmi(counts: Float64Array, smoothing: number, columnWeight: readonly number[] = [1, 1, 1]): Csr {
  if (counts.length % OUTCOMES !== 0) throw new Error(`outcomePmi: ${counts.length} counts is not a multiple of ${OUTCOMES}`);
  if (!(smoothing > 0)) throw new Error(`outcomePmi: smoothing must be > 0, got ${smoothing}`);
  const n = counts.length / OUTCOMES;
  const total = new Float64Array(OUTCOMES);
  for (let i = 0; i < n; i++) for (let f = 0; f < OUTCOMES; f++) total[f] += counts[i * OUTCOMES + f];
  const all = total[0] + total[1] + total[2];
  const prior = Array.from(total, (t) => (all > 0 ? t / all : 0)); // P(f)
  const out = new CsrBuilder(n, OUTCOMES);
  for (let i = 0; i < n; i++) {
    const ni = counts[i * OUTCOMES] + counts[i * OUTCOMES + 1] + counts[i * OUTCOMES + 2];
    for (let f = 0; f < OUTCOMES; f++) {
      let v = 0;
      if (prior[f] > 0) {
        const p = (counts[i * OUTCOMES + f] + smoothing * prior[f]) / (ni + smoothing);
        v = Math.log(p / prior[f]) * columnWeight[f]; // p > 0: smoothing > 0
      }
      out.push(f, v);
    }
    out.endRow();
  }
  return out.build();
}
