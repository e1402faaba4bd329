/**
 * Feedback-outcome pseudo-context tokens (a kit extension of the co-occurrence matrix; see
 * docs/deviations.md "engagement-aware embeddings").
 *
 * Item-item co-occurrence captures what items are browsed together (category structure) but not how
 * users respond to an item. Three pseudo-context tokens, one per feedback outcome (skip, click,
 * order), make the response part of the factorised matrix: item i co-occurs with outcome token f
 * with weight (impressions of i with feedback f) x weight_f. The PMI of (i, click) is then positive
 * when i is clicked more often than average, and so on. The matrix stays symmetric: the tokens are
 * appended as rows and columns n, n+1, n+2 of an (n+3) x (n+3) matrix, whose first n rows of the
 * SVD are the item embeddings (prepare.embOutcomeMode = 'tokens').
 *
 * Measured on the default world (bench/embeddings.ts) the tokens reach the top singular directions
 * only when their mass is several times the items' co-occurrence mass, which shifts every item-item
 * PMI down (the shared row sums grow) and thins the category structure; 'reserved' (outcomePmi.ts)
 * is the default mode for that reason.
 */
import { OUTCOMES } from './outcomeCounts';
import { Csr, CsrBuilder } from './sparse';

/**
 * The co-occurrence matrix [n x n] extended by the outcome tokens: [(n+3) x (n+3)], symmetric,
 * C(i, n+f) = C(n+f, i) = counts[i, f] * weights[f] (float32 like every Csr value), tokens never
 * co-occur with each other. Zero entries are left out (a zero weight drops its token's entries).
 */
export function withOutcomeTokens(cooc: Csr, counts: Float64Array, weights: readonly [number, number, number]): Csr {
  const n = cooc.rows;
  if (cooc.cols !== n) throw new Error(`withOutcomeTokens: matrix is ${cooc.rows}x${cooc.cols}, expected square`);
  if (counts.length !== n * OUTCOMES) throw new Error(`withOutcomeTokens: ${counts.length} outcome counts for ${n} items (expected ${n * OUTCOMES})`);
  const m = n + OUTCOMES;
  const out = new CsrBuilder(m, m);
  for (let i = 0; i < n; i++) {
    for (let p = cooc.indptr[i]; p < cooc.indptr[i + 1]; p++) out.push(cooc.indices[p], cooc.data[p]);
    for (let f = 0; f < OUTCOMES; f++) {
      const v = counts[i * OUTCOMES + f] * weights[f];
      if (v > 0) out.push(n + f, v);
    }
    out.endRow();
  }
  for (let f = 0; f < OUTCOMES; f++) {
    for (let i = 0; i < n; i++) {
      const v = counts[i * OUTCOMES + f] * weights[f];
      if (v > 0) out.push(i, v);
    }
    out.endRow();
  }
  return out.build();
}
