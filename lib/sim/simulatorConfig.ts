/**
 * Hyper-parameters of the learned user simulator (paper section 4.1) and its fitting.
 */
import { ConfigOf, bool, int, num, oneOf, resolveConfig } from '../util/config';
import { STATE_ITEM_BODIES, type StateItemBody } from '../nn/stateItemNet';

export const simulatorSpec = {
  epochs: int(3, 'passes over the training-day rows (the best epoch on the validation sessions is kept)', { min: 1 }),
  batchSize: int(256, 'rows per Adam step', { min: 1 }),
  lr: num(1e-3, 'Adam learning rate', { gt: 0 }),
  H: int(64, 'GRU hidden size of the encoder (state size s^l, Eq. 8)', { min: 1 }),
  hidden: int(64, 'size of the dense hidden layer after the encoder (as LCritic Eq. 10)', { min: 1 }),
  body: oneOf<StateItemBody>('paper', STATE_ITEM_BODIES, "state x item layer of the simulator's network: 'interact' (item-history dot products + state-item bilinear term, docs/deviations.md) or 'paper' (additive ReLU layer as LCritic); simulators saved without it are 'paper'"),
  rank: int(16, "body 'interact': size K of the learned item metric P", { min: 1 }),
  weightPower: num(0.5, 'class weights w_c = (train share of class c)^-power, normalised to a weighted mean of 1 (0 = unweighted, 1 = inverse frequency): orders are ~0.5% of rows', { min: 0, max: 2 }),
  maxClassWeight: num(50, 'cap on any class weight relative to the skip weight (applied before the normalisation)', { min: 1 }),
  calibrate: bool(true, 'prior correction: divide the network\'s probabilities by the class weights and renormalise, so predict() gives calibrated probabilities the environment can sample from'),
  embeddingScale: num(0, 'multiply the dataset embeddings by this in the network\'s item table; 0 = auto: scale to a per-component RMS of 1 (unit-norm 50-d embeddings have components ~0.14, small for the PyTorch-style init)', { min: 0 }),
  dropOutcomeDims: bool(true, 'leave out the embedding dimensions that encode the training split\'s item outcomes (prepare embOutcomeMode reserved): they contain each training row\'s own label'),
  itemRates: bool(true, 'append 2 item features to the network\'s item table: standardized logits of the item\'s smoothed train-day click and order rates (K-fold target encoding while fitting, so a row never sees its own label)'),
  rateFolds: int(5, 'item rates: K of the K-fold target encoding (sessions are assigned to folds at random)', { min: 2, max: 50 }),
  rateSmoothing: num(20, 'item rates: prior strength (impressions) pulling each item\'s click rate toward the global rate', { min: 0 }),
  orderRateSmoothing: num(200, 'item rates: prior strength (impressions) pulling each item\'s order rate toward the global rate (orders are ~20x rarer than clicks)', { min: 0 }),
  categoryOneHot: bool(true, 'append the item\'s category as one-hot columns to the network\'s item table (only when the catalogue has at most maxOneHotCategories categories): makes "item in a recently clicked category" easy for the GRU + ReLU layer to express'),
  maxOneHotCategories: int(64, 'largest category count for which categoryOneHot applies', { min: 1 }),
  valFraction: num(0.1, 'share of training-day sessions held out to pick the best epoch (lowest calibrated log-loss); 0 = keep the last epoch', { min: 0, max: 0.5 }),
  maxRows: int(0, 'use at most this many training rows (a seeded random subset of sessions\' rows); 0 = all', { min: 0 }),
  seed: int(1, 'seed of weight initialisation, the validation split and minibatch order', { min: 0, max: 4294967295 }),
};
export type SimulatorConfig = ConfigOf<typeof simulatorSpec>;

/**
 * The config as simulator.json and reproduce plans record it: the paper body (the default) leaves
 * out `body` and `rank` (added after kit 0.1.0), so simulators and stage hashes stay as they were.
 */
export function recordedSimulatorConfig(cfg: SimulatorConfig): Partial<SimulatorConfig> {
  const r: Partial<SimulatorConfig> = { ...cfg };
  if (r.body === 'paper') delete r.body;
  if (r.rank === 16) delete r.rank;
  return r;
}

export function resolveSimulatorConfig(overrides: Partial<SimulatorConfig> | Record<string, unknown> = {}): SimulatorConfig {
  return resolveConfig('simulator', simulatorSpec, overrides);
}

/**
 * Class weights from class counts: w_c ∝ share_c^-power, capped at maxClassWeight × w_skip, then
 * scaled so that the count-weighted mean weight is 1 (the loss keeps its scale). Empty classes get
 * the largest weight of the others (they never occur in a batch anyway).
 */
export function classWeightsFor(counts: ArrayLike<number>, power: number, maxWeight: number): number[] {
  const total = counts[0] + counts[1] + counts[2];
  const w = [0, 1, 2].map((c) => (counts[c] > 0 ? Math.pow(counts[c] / total, -power) : NaN));
  const base = Number.isFinite(w[0]) ? w[0] : Math.min(...w.filter(Number.isFinite));
  for (let c = 0; c < 3; c++) w[c] = Number.isFinite(w[c]) ? Math.min(w[c] / base, maxWeight) : NaN;
  const fin = w.filter(Number.isFinite);
  const fill = fin.length ? Math.max(...fin) : 1;
  for (let c = 0; c < 3; c++) if (!Number.isFinite(w[c])) w[c] = fill;
  let mean = 0;
  for (let c = 0; c < 3; c++) mean += (w[c] * counts[c]) / Math.max(1, total);
  return w.map((x) => x / (mean > 0 ? mean : 1));
}
