/**
 * Configuration of data preparation: long-tail filter, train/test split, state histories and the
 * item embeddings (PPMI + truncated SVD of item co-occurrence, Levy & Goldberg 2014).
 */
import { bool, ConfigOf, int, num, numArray, oneOf, resolveConfig } from '../../util/config';

export const prepareConfigSpec = {
  // ---- states (paper Sec. 4.1) ----------------------------------------------------------------
  N: int(10, 'history length: last N browsed / clicked / ordered items in a state (paper Sec. 4.1: N = 10)', { min: 1, max: 1000 }),
  // ---- long-tail filter (paper App. D), counted on the training split -----------------------
  minItemImpressions: int(5, 'drop items with fewer training-split impressions (0 keeps items never shown in training)', { min: 0 }),
  minItemClicks: int(0, 'drop items with fewer training-split clicks (orders count as clicks); 0 = off', { min: 0 }),
  minUserImpressions: int(2, 'drop users with fewer training-split impressions (after the item filter)', { min: 0 }),
  minUserSessions: int(1, 'drop users with fewer training-split sessions (after the item filter)', { min: 0 }),
  dropColdUsers: bool(false, 'also drop users with no training-split rows at all (default: keep them; their test states start empty)'),
  // ---- split by day (EventLog.sessionDay) --------------------------------------------------
  trainDays: numArray([], 'day indices of the training split; [] = every day before the first test day', { min: 0 }),
  testDays: numArray([], 'day indices of the test split; [] = the last days, enough for testMinSessions / testMinOrders (a two-day log: its last day)', { min: 0 }),
  testMinSessions: int(200, 'default test split: earlier days join the last one until the test split has this many sessions (and testMinOrders orders)', { min: 0 }),
  testMinOrders: int(50, 'default test split: ... and this many ordered impressions', { min: 0 }),
  testMaxShare: num(0.25, 'default test split: at most this share of all sessions (the last day always; one training day always stays)', { gt: 0, max: 1 }),
  // ---- item embeddings: PPMI + randomized truncated SVD of co-occurrence (training split) -----
  embeddingDim: int(50, 'item embedding dimension (paper Sec. 4.1: 50); must be < the number of items after filtering', { min: 1, max: 1000 }),
  embWindow: int(5, 'co-occurrence window: two impressions of one session at most this many positions apart co-occur', { min: 1, max: 1000 }),
  embSkipWeight: num(0.2, 'co-occurrence weight of a skipped impression (clicks weigh 1); 0 = positives only', { min: 0 }),
  embOrderWeight: num(1, 'co-occurrence weight of an ordered impression', { min: 0 }),
  embDistance: oneOf('harmonic', ['harmonic', 'uniform'] as const, 'pair weight by distance d inside the window: harmonic = 1/d, uniform = 1'),
  // ---- engagement in the embeddings (kit extension, docs/deviations.md) ----------------------
  embOutcomeWeight: num(1, 'weight of item engagement (skip / click / order outcomes of the training split) in the embeddings; 0 = item co-occurrence only (the paper\'s embeddings). reserved: energy of each reserved dimension relative to an average co-occurrence dimension; tokens: outcome-token mass relative to the item co-occurrence mass', { min: 0 }),
  embOutcomeMode: oneOf('reserved', ['reserved', 'tokens'] as const, 'reserved = the last embOutcomeDims dimensions are the SVD of the smoothed item x outcome PMI block; tokens = skip/click/order pseudo-context tokens added to the co-occurrence matrix before PPMI + SVD'),
  embOutcomeDims: int(3, 'reserved mode: dimensions (out of embeddingDim) reserved for the item x outcome PMI block; capped at floor(embeddingDim / 4) (none below 4)', { min: 1, max: 3 }),
  embOutcomeSmoothing: num(20, 'pseudo-impressions at the global outcome shares added to each item\'s outcome counts before its PMI (reserved mode)', { gt: 0 }),
  embOutcomeTokenWeights: numArray([1, 1, 1], 'relative weights [skip, click, order] of the outcomes (reserved: PMI column weights; tokens: token weights)', { min: 0 }),
  ppmiAlpha: num(0.75, 'context-distribution smoothing exponent of PPMI (Levy et al. 2015: 0.75; 1 = none)', { gt: 0, max: 1 }),
  ppmiShift: num(1, 'shifted PPMI: keep max(PMI - log k, 0) with this k (1 = plain PPMI)', { min: 1 }),
  svdOversample: int(10, 'randomized SVD: extra random projections beyond embeddingDim (Halko et al. 2011)', { min: 0, max: 1000 }),
  svdPowerIters: int(3, 'randomized SVD: power (subspace) iterations', { min: 0, max: 50 }),
  embNormalize: oneOf('l2', ['l2', 'none'] as const, 'row normalisation of the embeddings U*sqrt(Sigma): l2 = unit length, none = as is'),
  embFallbackNoise: num(0.1, 'items with no co-occurrence get their category mean plus seeded noise of this relative size', { min: 0 }),
  seed: int(1, 'seed of the SVD random projection and the fallback noise', { min: 0, max: 4294967295 }),
};

export type PrepareConfig = ConfigOf<typeof prepareConfigSpec>;

/** Validate partial overrides against prepareConfigSpec (throws ConfigError naming prepare.<key>). */
export function resolvePrepareConfig(overrides: Partial<PrepareConfig> = {}): PrepareConfig {
  return resolveConfig('prepare', prepareConfigSpec, overrides, (c) => {
    for (const k of ['trainDays', 'testDays'] as const) {
      if (c[k].some((d) => !Number.isInteger(d))) return [k, `entries must be integer day indices, got [${c[k].join(', ')}]`];
    }
    if (c.embOutcomeTokenWeights.length !== 3) return ['embOutcomeTokenWeights', `must have 3 entries [skip, click, order], got ${c.embOutcomeTokenWeights.length}`];
    const both = c.trainDays.filter((d) => c.testDays.includes(d));
    if (both.length) return ['testDays', `day(s) ${both.join(', ')} are in both trainDays and testDays`];
    return null;
  });
}
