/**
 * Item embeddings from an already counted co-occurrence matrix: PPMI -> randomized truncated SVD ->
 * U sqrt(Sigma) -> optional L2 rows -> category-mean fallback for items without co-occurrence.
 *
 * This is the second half of lib/data/embeddings/itemEmbeddings.ts `learnItemEmbeddings`, which
 * counts co-occurrence itself from a whole in-memory log; the streaming preparation counts it chunk
 * by chunk (CooccurrenceAccumulator) and finishes here. Same seeds, same operations, same order, so
 * the result is bit-identical (test/streamingPrepare.test.ts compares the two). If itemEmbeddings.ts
 * is refactored to expose this half, this file should become a re-export of it.
 */
import { ConfigError } from '../../util/errors';
import { Rng } from '../../util/rng';
import { EmbeddingConfig, EmbeddingInfo } from '../embeddings/itemEmbeddings';
import { ppmi } from '../embeddings/ppmi';
import { Csr, nnz } from '../embeddings/sparse';
import { randomizedSvd } from '../embeddings/svd';
import { ItemTable } from '../schema';

/** The ConfigError learnItemEmbeddings throws when the dimension is too large for the items left. */
export function checkEmbeddingDim(E: number, nItems: number): void {
  if (E >= nItems) throw new ConfigError('prepare', 'embeddingDim', `must be < the number of items after filtering (${nItems}), got ${E}`);
}

/**
 * `t0` is when the embedding work started (Date.now()), for EmbeddingInfo.seconds (the streaming
 * path counts co-occurrence during its row pass, before this call).
 */
export function embeddingsFromCooccurrence(
  cooc: Csr,
  items: Pick<ItemTable, 'n' | 'category' | 'nCategories'>,
  cfg: EmbeddingConfig,
  opts: { progress?: boolean; t0?: number } = {},
): { embeddings: Float32Array; info: EmbeddingInfo } {
  const t0 = opts.t0 ?? Date.now();
  const n = items.n;
  const E = cfg.embeddingDim;
  checkEmbeddingDim(E, n);
  if (cooc.rows !== n || cooc.cols !== n) throw new Error(`embeddingsFromCooccurrence: matrix is ${cooc.rows}x${cooc.cols}, expected ${n}x${n}`);
  const rng = new Rng(cfg.seed).fork('embeddings');
  const m = ppmi(cooc, cfg.ppmiAlpha, cfg.ppmiShift);
  const { U, S } = randomizedSvd(m, E, { oversample: cfg.svdOversample, powerIters: cfg.svdPowerIters, rng: rng.fork('svd'), progress: opts.progress });
  const emb = new Float32Array(n * E); // [n, E]
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
  const nCat = Math.max(items.nCategories, 1);
  const catSum = new Float64Array(nCat * E);
  const catN = new Int32Array(nCat);
  for (let i = 0; i < n; i++) {
    if (!has[i]) continue;
    const k = items.category[i];
    catN[k]++;
    for (let c = 0; c < E; c++) catSum[k * E + c] += emb[i * E + c];
  }
  const noise = rng.fork('fallback');
  let fallbackItems = 0;
  for (let i = 0; i < n; i++) {
    if (has[i]) continue;
    fallbackItems++;
    const k = items.category[i];
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
