/** Streaming preparation of big logs (10M+ impressions) in bounded memory; see docs/performance.md "Big logs". */
export * from './logSource';
export * from './columnWriter';
export * from './datasetWriter';
export * from './cooccurrenceAccumulator';
export * from './embeddingsFromCooccurrence';
export * from './funnelAccumulator';
export * from './streamFilter';
export * from './streamPrepareDataset';
