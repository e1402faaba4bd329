/**
 * Fitting the learned user simulator on the TRAINING day (paper section 4.1): every training row is
 * one example, state = the browsed & clicked histories at the row, item = the row's item,
 * label = its feedback. Class-weighted cross-entropy handles the rare orders (simulatorConfig.ts);
 * a held-out share of sessions picks the best epoch by calibrated log-loss.
 *
 * The network reads items (recommended and in the histories) from its own item table:
 *   [dataset embeddings x embeddingScale | item rate features | category one-hot]
 * - embeddingScale (auto): unit-norm 50-d embeddings have components ~0.14; scaled to RMS 1.
 * - dropOutcomeDims: prepare's engagement-aware embeddings (embOutcomeMode 'reserved') put each
 *   item's train-split outcome PMI in the last dimensions; computed from every training row, they
 *   leak the rows' own labels (measured: validation order AUC 0.97 on the train day vs 0.59 on the
 *   test day), so the simulator leaves them out and learns outcomes from the K-fold rates instead.
 * - item rates (itemRates): logits of each item's smoothed train-day click and order rates. The
 *   additive LCritic-like head learns per-item effects only slowly from 50-d embeddings; these two
 *   columns give it what the frequency baseline knows. K-fold target encoding: a training row of
 *   fold f sees rates computed without fold f (no row sees its own label); batches never mix folds.
 * - category one-hot (categoryOneHot, catalogues with <= maxOneHotCategories categories): makes
 *   "the item is in a category the user just clicked" (the strongest observable order signal in
 *   the default world) easier for the GRU + ReLU layer to express.
 */
import { initBackend } from '../backend';
import { Feedback } from '../data/schema';
import type { PreparedDataset } from '../data/prepare/preparedDataset';
import { FeedbackNet } from '../nn/feedbackNet';
import { ConfigError } from '../util/errors';
import { Progress } from '../util/progress';
import { Rng } from '../util/rng';
import { auc, logLoss } from './metrics';
import { RATE_FEATURES, categoryOneHot, concatColumns, fitStandardizer, rateLogits, standardize, writeColumns } from './itemRates';
import { DatasetRef, EpochRecord, Simulator, fitClassAdjust } from './simulator';
import { SimulatorConfig, classWeightsFor, resolveSimulatorConfig } from './simulatorConfig';
import { historyLength, type SimDataset } from './types';

export interface FitOptions {
  /** Progress bar on stderr (silenced by HRLMG_QUIET=1). Default true. */
  progress?: boolean;
  /** Called with a line per epoch (e.g. console.log). */
  log?: (line: string) => void;
}

/** A dataset the simulator can be fitted on: the structural subset plus (optionally) the manifest. */
export type FitDataset = SimDataset & { manifest?: PreparedDataset['manifest'] };

function datasetRef(ds: FitDataset, N: number, E: number): DatasetRef {
  const m = ds.manifest;
  return {
    source: m?.source ?? ds.train.log.source,
    createdAt: m?.createdAt ?? null,
    nItems: ds.items.n,
    nUsers: ds.train.log.nUsers,
    N,
    E,
    trainRows: ds.train.log.item.length,
    embeddingsSha256: m?.files?.find((f) => f.name === 'embeddings')?.sha256 ?? null,
  };
}

/** Rows of the chosen sessions, in session order. */
function rowsOf(ds: SimDataset, sessions: number[]): Int32Array {
  const st = ds.train.log.sessionStart;
  let n = 0;
  for (const s of sessions) n += st[s + 1] - st[s];
  const out = new Int32Array(n);
  let w = 0;
  for (const s of sessions) for (let r = st[s]; r < st[s + 1]; r++) out[w++] = r;
  return out;
}

/** Gather rows `idx` of the training split into batch arrays. */
function gather(ds: SimDataset, N: number, idx: Int32Array) {
  const B = idx.length;
  const browsed = new Int32Array(B * N);
  const clicked = new Int32Array(B * N);
  const items = new Int32Array(B);
  const labels = new Uint8Array(B);
  const sp = ds.train;
  for (let b = 0; b < B; b++) {
    const r = idx[b];
    browsed.set(sp.browsed.subarray(r * N, r * N + N), b * N);
    clicked.set(sp.clicked.subarray(r * N, r * N + N), b * N);
    items[b] = sp.log.item[r];
    labels[b] = sp.log.feedback[r];
  }
  return { browsed, clicked, items, labels };
}

/** Fit a simulator on `ds`'s training day. */
export async function fitSimulator(ds: FitDataset, overrides: Partial<SimulatorConfig> | Record<string, unknown> = {}, opts: FitOptions = {}): Promise<Simulator> {
  const cfg = resolveSimulatorConfig(overrides);
  const info = await initBackend();
  const t0 = Date.now();
  const log = ds.train.log;
  if (log.item.length === 0) throw new ConfigError('simulator', '(dataset)', 'the training split has no rows');
  const N = historyLength(ds.train);
  const E = ds.embeddings.length / ds.items.n;
  const rng = new Rng(cfg.seed);
  const say = opts.log ?? (() => {});

  // Sessions: a seeded order; maxRows keeps sessions until the row budget is used; valFraction holds some out.
  const sessions = Array.from({ length: log.nSessions }, (_, s) => s);
  rng.fork('fit/sessions').shuffle(sessions);
  let chosen = sessions;
  if (cfg.maxRows > 0) {
    chosen = [];
    let n = 0;
    for (const s of sessions) {
      if (n >= cfg.maxRows) break;
      chosen.push(s);
      n += log.sessionStart[s + 1] - log.sessionStart[s];
    }
  }
  const nVal = cfg.valFraction > 0 && chosen.length >= 2 ? Math.max(1, Math.round(chosen.length * cfg.valFraction)) : 0;
  const valSessions = chosen.slice(0, nVal).sort((a, b) => a - b);
  const trainSessions = chosen.slice(nVal).sort((a, b) => a - b);
  const trainRows = rowsOf(ds, trainSessions);
  const valRows = rowsOf(ds, valSessions);

  const counts = [0, 0, 0];
  for (const r of trainRows) counts[log.feedback[r]]++;
  const weights = cfg.weightPower > 0 ? classWeightsFor(counts, cfg.weightPower, cfg.maxClassWeight) : [1, 1, 1];

  // The network's item table: [scaled dataset embeddings | item rate features (K-fold encoded while
  // fitting) | category one-hot], each block optional but the first.
  let scale = cfg.embeddingScale;
  if (scale === 0) {
    let ss = 0;
    for (let j = 0; j < ds.embeddings.length; j++) ss += ds.embeddings[j] * ds.embeddings[j];
    scale = ss > 0 ? 1 / Math.sqrt(ss / ds.embeddings.length) : 1;
  }
  const nItems = ds.items.n;
  // Embedding dimensions that encode the training split's item outcomes (prepare's engagement-aware
  // embeddings) hold every training row's own label: left out (reserved mode), or flagged (tokens).
  const outcomes = (ds.manifest?.embedding as { outcomes?: { mode: string; dims?: number } | null } | undefined)?.outcomes ?? null;
  let keepE = E;
  let leakage: string | null = null;
  if (outcomes && cfg.dropOutcomeDims && outcomes.mode === 'reserved' && outcomes.dims && outcomes.dims < E) {
    keepE = E - outcomes.dims;
  } else if (outcomes) {
    leakage = `the dataset's embeddings encode the training split's item outcomes (embOutcomeMode ${outcomes.mode}): validation figures are optimistic (label leakage); prepare with embOutcomeWeight 0 for an unbiased simulator`;
    say(`simulator: warning: ${leakage}`);
  }
  const embCols = new Float32Array(nItems * keepE);
  for (let i = 0; i < nItems; i++) for (let k = 0; k < keepE; k++) embCols[i * keepE + k] = ds.embeddings[i * E + k] * scale;
  const blocks: { data: Float32Array; width: number }[] = [{ data: embCols, width: keepE }];
  const features: string[] = [];
  let finalFeats: Float32Array | null = null;
  const foldFeats: Float32Array[] = [];
  const fold = new Uint8Array(log.nSessions); // fold of each training session
  const F = RATE_FEATURES.length;
  if (cfg.itemRates) {
    const rf = rng.fork('fit/folds');
    for (const s of trainSessions) fold[s] = rf.int(cfg.rateFolds);
    const notIn = (f: number): Int32Array => trainRows.filter((r) => fold[log.session[r]] !== f);
    const all = rateLogits(log, trainRows, cfg.rateSmoothing, cfg.orderRateSmoothing);
    const st = fitStandardizer(all);
    finalFeats = standardize(all, st);
    // rows of fold f see the rates of the other folds only
    for (let f = 0; f < cfg.rateFolds; f++) foldFeats.push(standardize(rateLogits(log, notIn(f), cfg.rateSmoothing, cfg.orderRateSmoothing), st));
    blocks.push({ data: finalFeats, width: F });
    features.push(...RATE_FEATURES);
  }
  const C = ds.items.nCategories;
  if (cfg.categoryOneHot && C <= cfg.maxOneHotCategories) {
    blocks.push({ data: categoryOneHot(ds.items.category, C), width: C });
    features.push(`category one-hot (${C})`);
  }
  const netE = blocks.reduce((x, bl) => x + bl.width, 0);
  const table = concatColumns(nItems, blocks);
  const setFeatures = (f: Float32Array | null): void => {
    if (f) writeColumns(table, netE, keepE, f, F);
  };

  const net = new FeedbackNet(table, { E: netE, N, H: cfg.H, hidden: cfg.hidden, lr: cfg.lr, body: cfg.body, rank: cfg.rank }, rng.fork('fit/init'));
  const sim = new Simulator(net, table, cfg, weights, datasetRef(ds, N, E), null, features);
  const val = valRows.length ? gather(ds, N, valRows) : null;
  // reference: log-loss of predicting the training class shares for every validation row
  const constLoss = val ? logLoss(constantProbs(counts, val.labels.length), val.labels) : NaN;

  say(`simulator: ${trainRows.length} training rows (${counts[Feedback.Order]} orders), ${valRows.length} validation rows; class weights [${weights.map((w) => w.toFixed(3)).join(', ')}]`);
  // Batches never mix folds (each fold's batch runs with that fold's feature columns).
  const byFold = cfg.itemRates
    ? Array.from({ length: cfg.rateFolds }, (_, f) => trainRows.filter((r) => fold[log.session[r]] === f))
    : [Int32Array.from(trainRows)];
  const rngBatch = rng.fork('fit/batches');
  const stepsPerEpoch = byFold.reduce((a, o) => a + Math.ceil(o.length / cfg.batchSize), 0);
  const bar = opts.progress === false ? null : new Progress('fit simulator', stepsPerEpoch * cfg.epochs, { unit: 'steps' });
  const epochs: EpochRecord[] = [];
  let best: { epoch: number; loss: number; weights: ReturnType<FeedbackNet['getWeights']> } | null = null;
  let steps = 0;
  try {
    for (let ep = 1; ep <= cfg.epochs; ep++) {
      const te = Date.now();
      // batch list: (fold, start) pairs in a seeded order
      const batches: [number, number][] = [];
      byFold.forEach((o, f) => {
        rngBatch.shuffle(o);
        for (let a = 0; a < o.length; a += cfg.batchSize) batches.push([f, a]);
      });
      rngBatch.shuffle(batches);
      let lossSum = 0;
      let cur = -1;
      for (const [f, a] of batches) {
        if (cfg.itemRates && f !== cur) {
          setFeatures(foldFeats[f]);
          cur = f;
        }
        const o = byFold[f];
        const b = gather(ds, N, o.subarray(a, Math.min(o.length, a + cfg.batchSize)));
        lossSum += net.trainStep(b.browsed, b.clicked, b.items, b.labels, weights) * b.items.length;
        steps++;
        bar?.tick();
      }
      setFeatures(finalFeats);
      const trainLoss = lossSum / trainRows.length;
      let valLogLoss = NaN;
      let valAucClick = NaN;
      let valAucOrder = NaN;
      if (val) {
        const p = sim.predictMany(val.browsed, val.clicked, val.items);
        valLogLoss = logLoss(p, val.labels);
        const n = val.labels.length;
        valAucClick = auc(Float64Array.from({ length: n }, (_, r) => p[r * 3 + 1] + p[r * 3 + 2]), val.labels.map((l) => (l !== Feedback.Skip ? 1 : 0)));
        valAucOrder = auc(Float64Array.from({ length: n }, (_, r) => p[r * 3 + 2]), val.labels.map((l) => (l === Feedback.Order ? 1 : 0)));
      }
      epochs.push({ epoch: ep, trainLoss, valLogLoss, valAucClick, valAucOrder, seconds: (Date.now() - te) / 1000 });
      say(
        `simulator epoch ${ep}/${cfg.epochs}: train loss ${trainLoss.toFixed(4)}` +
          (val ? `, validation log-loss ${valLogLoss.toFixed(4)} (constant: ${constLoss.toFixed(4)}), AUC click ${valAucClick.toFixed(3)}, order ${valAucOrder.toFixed(3)}` : ''),
      );
      if (val && (!best || valLogLoss < best.loss)) best = { epoch: ep, loss: valLogLoss, weights: net.getWeights() };
    }
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    bar?.finish();
    setFeatures(finalFeats);
  }
  if (best && best.epoch !== cfg.epochs) net.setWeights(best.weights);
  // Output calibration: match the mean predicted class shares on the held-out sessions to the
  // training day's shares (the prior correction alone is exact only at the weighted optimum).
  let valLogLossAdjusted = NaN;
  if (val && cfg.calibrate) {
    const total = counts[0] + counts[1] + counts[2];
    sim.classAdjust = fitClassAdjust(sim.predictMany(val.browsed, val.clicked, val.items), counts.map((c) => c / total));
    valLogLossAdjusted = logLoss(sim.predictMany(val.browsed, val.clicked, val.items), val.labels);
    say(`simulator output calibration: class factors [${sim.classAdjust.map((x) => x.toFixed(3)).join(', ')}], validation log-loss ${valLogLossAdjusted.toFixed(4)}`);
  }
  sim.training = {
    rows: trainRows.length,
    valRows: valRows.length,
    classCounts: counts,
    classWeights: weights,
    embeddingScale: scale,
    embeddingColumns: keepE,
    leakage,
    epochs,
    bestEpoch: best ? best.epoch : cfg.epochs,
    classAdjust: sim.classAdjust,
    valLogLossAdjusted,
    steps,
    seconds: (Date.now() - t0) / 1000,
    backend: info.backend,
  };
  return sim;
}

function constantProbs(counts: number[], n: number): Float32Array {
  const t = counts[0] + counts[1] + counts[2];
  const p = new Float32Array(n * 3);
  for (let r = 0; r < n; r++) for (let c = 0; c < 3; c++) p[r * 3 + c] = counts[c] / t;
  return p;
}
