/**
 * Item embeddings learned from an impression log (the training split only): PPMI of item
 * co-occurrence (optionally extended by feedback-outcome tokens, outcomeTokens.ts) factorised by
 * randomized truncated SVD, embedding = U * sqrt(Sigma) (the symmetric variant Levy, Goldberg &
 * Dagan 2015 recommend), then rows L2-normalised (optional). See embeddingsFromCooccurrence.ts.
 */
import { EventLog } from '../schema';
import { cooccurrence } from './cooccurrence';
import { checkEmbeddingDim, EmbeddingConfig, EmbeddingInfo, embeddingsFromCooccurrence } from './embeddingsFromCooccurrence';
import { outcomeCounts } from './outcomeCounts';

export type { EmbeddingConfig, EmbeddingInfo } from './embeddingsFromCooccurrence';

export function learnItemEmbeddings(
  log: EventLog,
  cfg: EmbeddingConfig,
  opts: { progress?: boolean } = {},
): { embeddings: Float32Array; info: EmbeddingInfo } {
  const t0 = Date.now();
  checkEmbeddingDim(cfg.embeddingDim, log.items.n);
  const cooc = cooccurrence(log, {
    window: cfg.embWindow,
    feedbackWeight: [cfg.embSkipWeight, 1, cfg.embOrderWeight],
    distance: cfg.embDistance,
    progress: opts.progress,
  });
  return embeddingsFromCooccurrence(cooc, outcomeCounts(log), log.items, cfg, { progress: opts.progress, t0 });
}
