/**
 * Impressions of each item per feedback outcome (skip, click, order) in the training split: the
 * engagement statistics the outcome extensions of the embeddings use (outcomePmi.ts, outcomeTokens.ts).
 */
import { Feedback } from '../schema';

/** Number of feedback outcomes (one per Feedback value: skip, click, order). */
export const OUTCOMES = 3;

/**
 * Add each row's impression to its item's outcome counts: counts[i * 3 + f] += 1 for a row of item
 * i with feedback f. `counts` is [n * 3] (integers in float64: exact in any order, so the streaming
 * path's chunked counting equals the whole-log count).
 */
export function addOutcomeCounts(counts: Float64Array, item: ArrayLike<number>, feedback: ArrayLike<number>): Float64Array {
  const n = counts.length / OUTCOMES;
  for (let r = 0; r < item.length; r++) {
    const i = item[r];
    const f = feedback[r];
    if (!(i >= 0 && i < n) || !(f === Feedback.Skip || f === Feedback.Click || f === Feedback.Order)) {
      throw new Error(`outcomeCounts: row ${r} has item ${i} (of ${n}) and feedback ${f}`);
    }
    counts[i * OUTCOMES + f]++;
  }
  return counts;
}

/** Impressions of each item per feedback outcome [n * 3] (see addOutcomeCounts). */
export function outcomeCounts(log: { item: Int32Array; feedback: Uint8Array; items: { n: number } }): Float64Array {
  return addOutcomeCounts(new Float64Array(log.items.n * OUTCOMES), log.item, log.feedback);
}
