/**
 * The streaming preparation finishes its chunk-by-chunk co-occurrence (CooccurrenceAccumulator)
 * with the same function as the in-memory path (lib/data/embeddings/embeddingsFromCooccurrence.ts),
 * so the two write byte-identical embeddings (test/streamingPrepare.test.ts compares them).
 */
export { checkEmbeddingDim, embeddingsFromCooccurrence } from '../embeddings/embeddingsFromCooccurrence';
