/**
 * Item embeddings learned from an impression log (the training split only): PPMI of item
 * co-occurrence factorised by randomized truncated SVD, embedding = U * sqrt(Sigma) (the symmetric
 * variant Levy, Goldberg & Dagan 2015 recommend), then rows L2-normalised (optional).
 *
 * Items with no positive PPMI entry (never co-occurring in the training split) get the mean
 * embedding of their category's other items plus small seeded noise (a random unit-scale vector
 * when no item of the category has one).
 */
import { ConfigError } from '../../util/errors';
import { Rng } from '../../util/rng';
import { PrepareConfig } from '../prepare/config';
import { EventLog } from '../schema';
import { cooccurrence } from './cooccurrence';
import { ppmi } from './ppmi';
import { nnz } from './sparse';
import { randomizedSvd } from './svd';

export type EmbeddingConfig = Pick<
  PrepareConfig,
  | 'embeddingDim'
  | 'embWindow'
  | 'embSkipWeight'
  | 'embOrderWeight'
  | 'embDistance'
  | 'ppmiAlpha'
  | 'ppmiShift'
  | 'svdOversample'
  | 'svdPowerIters'
  | 'embNormalize'
  | 'embFallbackNoise'
  | 'seed'
>;

export interface EmbeddingInfo {
  method: 'ppmi-svd';
  dim: number;
  nItems: number;
  /** Non-zeros of the co-occurrence matrix and of its PPMI. */
  cooccurrenceNnz: number;
  ppmiNnz: number;
  /** Top singular values of the PPMI matrix, descending. */
  singularValues: number[];
  /** Items given the category-mean fallback (no co-occurrence in the training split). */
  fallbackItems: number;
  normalize: 'l2' | 'none';
  seconds: number;
}

export function learnItemEmbeddings(
  log: EventLog,
  cfg: EmbeddingConfig,
  opts: { progress?: boolean } = {},
): { embeddings: Float32Array; info: EmbeddingInfo } {
  const t0 = Date.now();
  const n = log.items.n;
  const E = cfg.embeddingDim;
  if (E >= n) throw new ConfigError('prepare', 'embeddingDim', `must be < the number of items after filtering (${n}), got ${E}`);
  const rng = new Rng(cfg.seed).fork('embeddings');
  const cooc = cooccurrence(log, {
    window: cfg.embWindow,
    feedbackWeight: [cfg.embSkipWeight, 1, cfg.embOrderWeight],
    distance: cfg.embDistance,
    progress: opts.progress,
  });
  const m = ppmi(cooc, cfg.ppmiAlpha, cfg.ppmiShift);
  const { U, S } = randomizedSvd(m, E, { oversample: cfg.svdOversample, powerIters: cfg.svdPowerIters, rng: rng.fork('svd'), progress: opts.progress });
  const emb = new Float32Array(n * E);
  const sq = Array.from(S, (s) => Math.sqrt(s));
  for (let i = 0; i < n; i++) for (let c = 0; c < E; c++) emb[i * E + c] = U[i * E + c] * sq[c];

  const normalizeRow = (i: number): void => {
    let s = 0;
    for (let c = 0; c < E; c++) s += emb[i * E + c] * emb[i * E + c];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let c = 0; c < E; c++) emb[i * E + c] *= inv;
    }
  };
  const has = new Uint8Array(n);
  let meanNorm = 0;
  let nHas = 0;
  for (let i = 0; i < n; i++) {
    if (m.indptr[i + 1] > m.indptr[i]) {
      has[i] = 1;
      nHas++;
      if (cfg.embNormalize === 'l2') normalizeRow(i);
      let s = 0;
      for (let c = 0; c < E; c++) s += emb[i * E + c] * emb[i * E + c];
      meanNorm += Math.sqrt(s);
    }
  }
  meanNorm = nHas ? meanNorm / nHas : 1;

  // fallback: category mean + noise
  const nCat = Math.max(log.items.nCategories, 1);
  const catSum = new Float64Array(nCat * E);
  const catN = new Int32Array(nCat);
  for (let i = 0; i < n; i++) {
    if (!has[i]) continue;
    const k = log.items.category[i];
    catN[k]++;
    for (let c = 0; c < E; c++) catSum[k * E + c] += emb[i * E + c];
  }
  const noise = rng.fork('fallback');
  let fallbackItems = 0;
  for (let i = 0; i < n; i++) {
    if (has[i]) continue;
    fallbackItems++;
    const k = log.items.category[i];
    const std = (catN[k] > 0 ? cfg.embFallbackNoise : 1) * meanNorm / Math.sqrt(E);
    for (let c = 0; c < E; c++) emb[i * E + c] = (catN[k] > 0 ? catSum[k * E + c] / catN[k] : 0) + noise.normal(0, std);
    if (cfg.embNormalize === 'l2') normalizeRow(i);
  }
  return {
    embeddings: emb,
    info: {
      method: 'ppmi-svd',
      dim: E,
      nItems: n,
      cooccurrenceNnz: nnz(cooc),
      ppmiNnz: nnz(m),
      singularValues: Array.from(S, (s) => Number(s.toPrecision(6))),
      fallbackItems,
      normalize: cfg.embNormalize,
      seconds: (Date.now() - t0) / 1000,
    },
  };
}
