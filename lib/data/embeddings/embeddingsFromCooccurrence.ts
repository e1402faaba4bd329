/**
 * Item embeddings from an already counted co-occurrence matrix (the half shared by the in-memory
 * `learnItemEmbeddings` and the streaming preparation, which counts chunk by chunk):
 *
 *   PPMI -> randomized truncated SVD -> U sqrt(Sigma) -> optional L2 rows -> category-mean fallback
 *
 * U * sqrt(Sigma) is the symmetric variant Levy, Goldberg & Dagan (2015) recommend. Items with no
 * positive item-item PPMI entry (never co-occurring in the training split) get the mean embedding
 * of their category's other items plus small seeded noise (a random unit-scale vector when no item
 * of the category has one).
 *
 * Engagement (prepare.embOutcomeWeight > 0; a kit extension, docs/deviations.md): the item-item
 * co-occurrence carries category structure but hardly how users respond to an item, and the agents
 * see items only through these vectors. Two ways to add the items' skip / click / order outcomes:
 *  - 'reserved' (default): the first E - k dimensions are the SVD of the item-item PPMI as above,
 *    the last k = min(embOutcomeDims, floor(E / 4)) are U sqrt(Sigma) of the smoothed item x outcome
 *    PMI block (outcomePmi.ts), scaled so that each carries embOutcomeWeight times the energy (sum
 *    over items of its squared values, before the L2 rows) of an average co-occurrence dimension.
 *  - 'tokens': skip / click / order pseudo-context tokens appended to the co-occurrence matrix
 *    (outcomeTokens.ts) before PPMI + SVD; the first n rows are the items. Measured weaker and
 *    erratic (bench/embeddings.ts): kept for comparison, not the default.
 * With embOutcomeWeight = 0 nothing is added and the result is byte-identical to the embeddings of
 * the item co-occurrence alone (the same seeds, operations and order as before the extension).
 */
import { ConfigError } from '../../util/errors';
import { Rng } from '../../util/rng';
import { PrepareConfig } from '../prepare/config';
import { ItemTable } from '../schema';
import { OUTCOMES } from './outcomeCounts';
import { outcomePmi } from './outcomePmi';
import { withOutcomeTokens } from './outcomeTokens';
import { ppmi } from './ppmi';
import { Csr, nnz } from './sparse';
import { randomizedSvd } from './svd';

export type EmbeddingConfig = Pick<
  PrepareConfig,
  | 'embeddingDim'
  | 'embWindow'
  | 'embSkipWeight'
  | 'embOrderWeight'
  | 'embDistance'
  | 'embOutcomeWeight'
  | 'embOutcomeMode'
  | 'embOutcomeDims'
  | 'embOutcomeSmoothing'
  | 'embOutcomeTokenWeights'
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
  /** Non-zeros of the co-occurrence matrix (items only) and of the factorised PPMI (with tokens). */
  cooccurrenceNnz: number;
  ppmiNnz: number;
  /** Top singular values of the PPMI matrix, descending. */
  singularValues: number[];
  /** Items given the category-mean fallback (no co-occurrence in the training split). */
  fallbackItems: number;
  normalize: 'l2' | 'none';
  /**
   * Engagement extension: null when off (embOutcomeWeight 0); reserved mode: the reserved dimensions,
   * singular values of the outcome PMI block and the scale applied to its U sqrt(Sigma); tokens mode:
   * the tokens' co-occurrence weight per impression [skip, click, order]. (Absent in datasets
   * prepared before the extension.)
   */
  outcomes?:
    | { mode: 'reserved'; dims: number; singularValues: number[]; scale: number }
    | { mode: 'tokens'; weightPerImpression: number[] }
    | null;
  seconds: number;
}

/** The ConfigError learnItemEmbeddings throws when the dimension is too large for the items left. */
export function checkEmbeddingDim(E: number, nItems: number): void {
  if (E >= nItems) throw new ConfigError('prepare', 'embeddingDim', `must be < the number of items after filtering (${nItems}), got ${E}`);
}

/** Reserved outcome dimensions for embeddingDim E: at most a quarter of E, so co-occurrence keeps most (0 below E = 4). */
export function reservedDims(embOutcomeDims: number, E: number): number {
  return Math.max(0, Math.min(embOutcomeDims, Math.floor(E / 4)));
}

/**
 * Co-occurrence weight per impression [skip, click, order] of the outcome tokens:
 * embOutcomeWeight x embOutcomeTokenWeights[f] x (item co-occurrence mass per impression), where the
 * mass per impression is sum(cooc) / sum(outcomes) (both over the training split). The last factor
 * makes embOutcomeWeight scale-free: the tokens' total mass is embOutcomeWeight x
 * mean(embOutcomeTokenWeights weighted by outcome shares) x the items' total co-occurrence mass,
 * whatever the window, distance and feedback weights of the item co-occurrence. All 0 = no tokens.
 */
export function outcomeTokenWeights(
  cfg: Pick<EmbeddingConfig, 'embOutcomeWeight' | 'embOutcomeTokenWeights'>,
  cooc: Csr,
  outcomes: Float64Array,
): [number, number, number] {
  const t = cfg.embOutcomeTokenWeights;
  if (t.length !== OUTCOMES) throw new ConfigError('prepare', 'embOutcomeTokenWeights', `must have 3 entries [skip, click, order], got ${t.length}`);
  if (cfg.embOutcomeWeight === 0 || t.every((x) => x === 0)) return [0, 0, 0];
  let mass = 0;
  for (let p = 0, end = nnz(cooc); p < end; p++) mass += cooc.data[p];
  let imps = 0;
  for (let k = 0; k < outcomes.length; k++) imps += outcomes[k];
  const unit = imps > 0 ? (cfg.embOutcomeWeight * mass) / imps : 0;
  return [t[0] * unit, t[1] * unit, t[2] * unit];
}

/**
 * `cooc` [n x n] item co-occurrence; `outcomes` [n * 3] impressions per item and feedback
 * (outcomeCounts; only read when embOutcomeWeight > 0). `t0` is when the embedding work started
 * (Date.now()), for EmbeddingInfo.seconds (the streaming path counts co-occurrence before this call).
 */
export function embeddingsFromCooccurrence(
  cooc: Csr,
  outcomes: Float64Array,
  items: Pick<ItemTable, 'n' | 'category' | 'nCategories'>,
  cfg: EmbeddingConfig,
  opts: { progress?: boolean; t0?: number } = {},
): { embeddings: Float32Array; info: EmbeddingInfo } {
  const t0 = opts.t0 ?? Date.now();
  const n = items.n;
  const E = cfg.embeddingDim;
  checkEmbeddingDim(E, n);
  if (cooc.rows !== n || cooc.cols !== n) throw new Error(`embeddingsFromCooccurrence: matrix is ${cooc.rows}x${cooc.cols}, expected ${n}x${n}`);
  if (outcomes.length !== n * OUTCOMES) throw new Error(`embeddingsFromCooccurrence: ${outcomes.length} outcome counts, expected ${n * OUTCOMES}`);
  const rng = new Rng(cfg.seed).fork('embeddings');
  const on = cfg.embOutcomeWeight > 0 && cfg.embOutcomeTokenWeights.some((x) => x > 0);
  const tokens = on && cfg.embOutcomeMode === 'tokens';
  const reserved = on && cfg.embOutcomeMode === 'reserved' ? reservedDims(cfg.embOutcomeDims, E) : 0;
  const ow = tokens ? outcomeTokenWeights(cfg, cooc, outcomes) : null;
  // [n x n], or [(n+3) x (n+3)] with the outcome tokens as the last rows/columns
  const m = ppmi(ow ? withOutcomeTokens(cooc, outcomes, ow) : cooc, cfg.ppmiAlpha, cfg.ppmiShift);
  const Ec = E - reserved; // co-occurrence dimensions
  const { U, S } = randomizedSvd(m, Ec, { oversample: cfg.svdOversample, powerIters: cfg.svdPowerIters, rng: rng.fork('svd'), progress: opts.progress });
  const emb = new Float32Array(n * E); // [n, E]: the item rows of U sqrt(Sigma) [, reserved dims]
  const sq = Array.from(S, (s) => Math.sqrt(s));
  for (let i = 0; i < n; i++) for (let c = 0; c < Ec; c++) emb[i * E + c] = U[i * Ec + c] * sq[c];
  let outcomeInfo: EmbeddingInfo['outcomes'] = ow ? { mode: 'tokens', weightPerImpression: ow } : null;
  if (reserved > 0) {
    const block = outcomePmi(outcomes, cfg.embOutcomeSmoothing, cfg.embOutcomeTokenWeights); // [n x 3]
    const o = randomizedSvd(block, reserved, { oversample: cfg.svdOversample, powerIters: cfg.svdPowerIters, rng: rng.fork('outcome-svd') });
    // each reserved dim's energy (its singular value) = weight x the mean energy of a co-occurrence dim
    let sc = 0;
    for (let c = 0; c < Ec; c++) sc += S[c];
    let so = 0;
    for (let c = 0; c < reserved; c++) so += o.S[c];
    const scale = so > 0 ? Math.sqrt((cfg.embOutcomeWeight * sc) / Ec / (so / reserved)) : 0;
    for (let i = 0; i < n; i++) for (let c = 0; c < reserved; c++) emb[i * E + Ec + c] = o.U[i * reserved + c] * Math.sqrt(o.S[c]) * scale;
    outcomeInfo = { mode: 'reserved', dims: reserved, singularValues: Array.from(o.S, (x) => Number(x.toPrecision(6))), scale: Number(scale.toPrecision(6)) };
  }

  const normalizeRow = (i: number): void => {
    let s = 0;
    for (let c = 0; c < E; c++) s += emb[i * E + c] * emb[i * E + c];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let c = 0; c < E; c++) emb[i * E + c] *= inv;
    }
  };
  // an item "has" an embedding when it has a positive PPMI with another ITEM (columns < n are items,
  // ascending, so the row's first column tells)
  const has = new Uint8Array(n);
  let meanNorm = 0;
  let nHas = 0;
  for (let i = 0; i < n; i++) {
    if (m.indptr[i + 1] > m.indptr[i] && m.indices[m.indptr[i]] < n) {
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
      singularValues: Array.from(S, (s) => Number(s.toPrecision(6))), // the co-occurrence dims' (E - reserved)
      fallbackItems,
      normalize: cfg.embNormalize,
      outcomes: outcomeInfo,
      seconds: (Date.now() - t0) / 1000,
    },
  };
}
