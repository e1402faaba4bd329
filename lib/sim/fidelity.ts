/**
 * How faithful is the simulator? Figures on the TEST day's logged rows (state = the row's browsed &
 * clicked histories, item = the row's item, truth = its feedback), beside the same figures for the
 * frequency baseline (per-item train-day rates, frequencyBaseline.ts):
 *  - overall precision = accuracy of the argmax class (the paper's "90% precision", section 4.1);
 *  - per-class precision / recall / F1 and the confusion matrix, for two decisions: plain argmax of
 *    the calibrated probabilities, and the balanced decision argmax_c p_c / prior_c (prior = the
 *    training day's class shares: the class whose probability most exceeds its base rate). Plain
 *    argmax almost never says "order" (orders are ~0.5% of rows, P(order) rarely tops P(skip));
 *    the balanced decision does, so order recall is measurable;
 *  - AUC of P(click or order) for click-or-order vs skip, and of P(order) for order vs the rest;
 *  - calibration in equal-count buckets of P(click or order) and of P(order), with the ECE;
 *  - log-loss.
 * On the default world (pass `world`), also the gap to the truth: the ground-truth model is rolled
 * under the logging policy through a RecEnv with the TrueModelBackend, and at every step the
 * simulator (and the baseline) predict for the same browsed/clicked histories and item; we report
 * the mean absolute difference and the correlation of P(click or order) and of P(order), and the
 * AUCs and log-loss of the true model, the simulator and the baseline against the feedback sampled
 * in that rollout (the true model's are the ceiling of any model on those rows).
 * Also on the default world, the Bayes ceiling on the test day (`bayes`): the generated log is
 * regenerated (deterministic in the world's seed) keeping the true probabilities of every
 * impression, and the true model's own AUCs and log-loss are scored on the test-day impressions of
 * items and users the dataset kept (preparation's filter may also drop some of those rows:
 * `rows` vs `datasetRows`).
 */
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { UsageError } from '../util/errors';
import { Rng } from '../util/rng';
import { Progress } from '../util/progress';
import { runMeta, type RunMeta } from '../util/versions';
import { Feedback } from '../data/schema';
import type { World } from '../data/world/world';
import { generateLog } from '../data/world/generateWorld';
import { FrequencyBaseline } from './frequencyBaseline';
import {
  auc,
  calibration,
  classReport,
  confusionMatrix,
  decide,
  expectedCalibrationError,
  logLoss,
  pearson,
  type CalibrationBucket,
  type ClassReport,
} from './metrics';
import { LoggingPolicyAgent } from './loggingPolicyAgent';
import { RecEnv } from './recEnv';
import type { Simulator } from './simulator';
import { TrueModelBackend } from './trueModelBackend';
import type { SimDataset } from './types';

export interface FidelityOptions {
  /** Evaluate at most this many test rows (a seeded subset of whole sessions); 0 = all. */
  maxRows?: number;
  /** Calibration buckets. Default 10. */
  buckets?: number;
  /** Prior strength of the frequency baseline. Default 20. */
  baselineSmoothing?: number;
  /** The default world the dataset came from: enables the gap to the ground truth. */
  world?: World;
  /** Truth-gap rollout: sessions (default 256), steps each (50), pool size (500), batch (256), seed (0). */
  gap?: { sessions?: number; T?: number; poolSize?: number; batchSize?: number; seed?: number };
  seed?: number;
  progress?: boolean;
}

export interface ModelFigures {
  logLoss: number;
  /** Plain argmax of the probabilities. `accuracy` is the paper's overall precision. */
  argmax: ClassReport;
  /** Balanced decision: argmax of p_c / prior_c (decisionWeights = 1 / prior). */
  weighted: ClassReport;
  aucClick: number;
  aucOrder: number;
  calibrationClick: CalibrationBucket[];
  calibrationOrder: CalibrationBucket[];
  eceClick: number;
  eceOrder: number;
  meanPClick: number;
  meanPOrder: number;
}

export interface GapFigures {
  maeClick: number;
  maeOrder: number;
  /** Pearson correlation with the true P(click or order) / P(order) along the rollout. */
  corrClick: number;
  corrOrder: number;
  meanPClick: number;
  meanPOrder: number;
  /** AUCs and log-loss against the feedback sampled in the rollout. */
  aucClick: number;
  aucOrder: number;
  logLoss: number;
}

/** The true model's own figures on the test day's impressions (the Bayes ceiling). */
export interface BayesCeiling {
  /** Test-day impressions scored (those whose item and user the dataset kept). */
  rows: number;
  /** Rows of the dataset's test split, for comparison. */
  datasetRows: number;
  aucClick: number;
  aucOrder: number;
  logLoss: number;
  meanPClick: number;
  meanPOrder: number;
}

export interface TruthGap {
  sessions: number;
  T: number;
  poolSize: number;
  steps: number;
  /** Logging-policy draws that needed the uniform fallback (no allowed item in maxTries). */
  fallbacks: number;
  truth: { meanPClick: number; meanPOrder: number; clickRate: number; orderRate: number; aucClick: number; aucOrder: number; logLoss: number };
  simulator: GapFigures;
  baseline: GapFigures;
}

export interface FidelityReport {
  meta: RunMeta | null;
  dataset: { source: string; split: 'test'; rows: number; sessions: number; clickRate: number; orderRate: number };
  simulatorInfo: { config: Simulator['config']; classWeights: number[]; features: string[]; training: Simulator['training'] };
  /** Weights of the balanced decision: 1 / (training-day share of each class), scaled so skip = 1. */
  decisionWeights: number[];
  simulator: ModelFigures;
  baseline: ModelFigures;
  truthGap: TruthGap | null;
  /** Default world only: the true model's own figures on the test day (see the module comment). */
  bayes: BayesCeiling | null;
  seconds: number;
}

function figures(probs: Float32Array, labels: Uint8Array, weights: number[], buckets: number): ModelFigures {
  const n = labels.length;
  const pc = new Float64Array(n);
  const po = new Float64Array(n);
  const yc = new Uint8Array(n);
  const yo = new Uint8Array(n);
  let sc = 0;
  let so = 0;
  for (let r = 0; r < n; r++) {
    pc[r] = probs[r * 3 + 1] + probs[r * 3 + 2];
    po[r] = probs[r * 3 + 2];
    yc[r] = labels[r] !== Feedback.Skip ? 1 : 0;
    yo[r] = labels[r] === Feedback.Order ? 1 : 0;
    sc += pc[r];
    so += po[r];
  }
  const calibrationClick = calibration(pc, yc, buckets);
  const calibrationOrder = calibration(po, yo, buckets);
  return {
    logLoss: logLoss(probs, labels),
    argmax: classReport(confusionMatrix(labels, decide(probs))),
    weighted: classReport(confusionMatrix(labels, decide(probs, weights))),
    aucClick: auc(pc, yc),
    aucOrder: auc(po, yo),
    calibrationClick,
    calibrationOrder,
    eceClick: expectedCalibrationError(calibrationClick),
    eceOrder: expectedCalibrationError(calibrationOrder),
    meanPClick: sc / n,
    meanPOrder: so / n,
  };
}

/** AUC click, AUC order and log-loss of probabilities [n*3] against labels. */
function scoreProbs(p: Float32Array, labels: Uint8Array): { aucClick: number; aucOrder: number; logLoss: number } {
  const n = labels.length;
  const pc = new Float64Array(n);
  const po = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    pc[r] = p[r * 3 + 1] + p[r * 3 + 2];
    po[r] = p[r * 3 + 2];
  }
  return {
    aucClick: auc(pc, labels.map((l) => (l !== Feedback.Skip ? 1 : 0))),
    aucOrder: auc(po, labels.map((l) => (l === Feedback.Order ? 1 : 0))),
    logLoss: logLoss(p, labels),
  };
}

function gapFigures(truth: { c: number[]; o: number[] }, model: { c: number[]; o: number[]; p: number[] }, labels: Uint8Array): GapFigures {
  const n = truth.c.length;
  let ac = 0;
  let ao = 0;
  let mc = 0;
  let mo = 0;
  for (let k = 0; k < n; k++) {
    ac += Math.abs(truth.c[k] - model.c[k]);
    ao += Math.abs(truth.o[k] - model.o[k]);
    mc += model.c[k];
    mo += model.o[k];
  }
  return {
    maeClick: ac / n, maeOrder: ao / n, corrClick: pearson(truth.c, model.c), corrOrder: pearson(truth.o, model.o), meanPClick: mc / n, meanPOrder: mo / n,
    ...scoreProbs(Float32Array.from(model.p), labels),
  };
}

/** Roll the true model under the logging policy and compare the simulator's and baseline's probabilities to it. */
export function truthGap(sim: Simulator, ds: SimDataset, world: World, baseline: FrequencyBaseline, o: NonNullable<FidelityOptions['gap']> = {}, progress = false): TruthGap {
  const sessions = o.sessions ?? 256;
  const T = o.T ?? 50;
  const poolSize = Math.min(o.poolSize ?? 500, ds.items.n);
  const B = Math.min(o.batchSize ?? 256, sessions);
  const backend = new TrueModelBackend(world, ds);
  const env = new RecEnv(ds, backend, { batchSize: B, T, poolSize, split: 'test', seed: o.seed ?? 0 });
  const agent = new LoggingPolicyAgent(env, backend, new Rng(o.seed ?? 0).fork('gap/policy'));
  const tr = { c: [] as number[], o: [] as number[], p: [] as number[] };
  const sm = { c: [] as number[], o: [] as number[], p: [] as number[] };
  const bl = { c: [] as number[], o: [] as number[], p: [] as number[] };
  const fb: number[] = [];
  let clicks = 0;
  let orders = 0;
  const batches = Math.ceil(sessions / B);
  const bar = progress ? new Progress('truth gap', batches * T, { unit: 'steps' }) : null;
  for (let k = 0; k < batches; k++) {
    let obs = env.reset(env.sampleUsers(B));
    for (let t = 0; t < T; t++) {
      const items = agent.act(obs);
      const ps = sim.predict(obs.browsed, obs.clicked, items);
      const pb = baseline.predict(items);
      const r = env.step(items);
      for (let b = 0; b < B; b++) {
        tr.c.push(r.probs[b * 3 + 1] + r.probs[b * 3 + 2]);
        tr.o.push(r.probs[b * 3 + 2]);
        sm.c.push(ps[b * 3 + 1] + ps[b * 3 + 2]);
        sm.o.push(ps[b * 3 + 2]);
        bl.c.push(pb[b * 3 + 1] + pb[b * 3 + 2]);
        bl.o.push(pb[b * 3 + 2]);
        for (let k = 0; k < 3; k++) {
          tr.p.push(r.probs[b * 3 + k]);
          sm.p.push(ps[b * 3 + k]);
          bl.p.push(pb[b * 3 + k]);
        }
        fb.push(r.feedback[b]);
        if (r.feedback[b] !== Feedback.Skip) clicks++;
        if (r.feedback[b] === Feedback.Order) orders++;
      }
      obs = r.obs;
      bar?.tick();
    }
  }
  bar?.finish();
  const n = tr.c.length;
  const labels = Uint8Array.from(fb);
  return {
    sessions: batches * B,
    T,
    poolSize,
    steps: n,
    fallbacks: agent.fallbacks,
    truth: {
      meanPClick: tr.c.reduce((a, x) => a + x, 0) / n, meanPOrder: tr.o.reduce((a, x) => a + x, 0) / n, clickRate: clicks / n, orderRate: orders / n,
      ...scoreProbs(Float32Array.from(tr.p), labels),
    },
    simulator: gapFigures(tr, sm, labels),
    baseline: gapFigures(tr, bl, labels),
  };
}

/**
 * The Bayes ceiling on the test day: regenerate the world's log (deterministic in its seed) keeping
 * the true probabilities, and score them on the test-day (day 1) impressions whose item and user the
 * dataset kept.
 */
export function bayesCeiling(ds: SimDataset, world: World): BayesCeiling {
  const probs: number[] = [];
  const labels: number[] = [];
  const keepItem = new Uint8Array(world.nItems);
  for (let i = 0; i < ds.items.n; i++) keepItem[ds.items.rawId[i]] = 1;
  const keepUser = new Uint8Array(world.nUsers);
  for (const u of ds.train.log.userRawId) keepUser[u] = 1;
  generateLog(world, {
    onImpression: (row, p, day, user, item, fb) => {
      void row;
      if (day !== 1 || !keepItem[item] || !keepUser[user]) return;
      probs.push(p[0], p[1], p[2]);
      labels.push(fb);
    },
  });
  const n = labels.length;
  if (n === 0) throw new UsageError('bayesCeiling: no test-day impression of the regenerated log is in the dataset (another world?)');
  const p = Float32Array.from(probs);
  const y = Uint8Array.from(labels);
  let mc = 0;
  let mo = 0;
  for (let r = 0; r < n; r++) {
    mc += p[r * 3 + 1] + p[r * 3 + 2];
    mo += p[r * 3 + 2];
  }
  return { rows: n, datasetRows: ds.test.log.item.length, ...scoreProbs(p, y), meanPClick: mc / n, meanPOrder: mo / n };
}

/** The fidelity report of `sim` on `ds`'s test day (see the module comment). */
export function fidelityReport(sim: Simulator, ds: SimDataset, opts: FidelityOptions = {}): FidelityReport {
  const t0 = Date.now();
  sim.checkDataset(ds);
  const te = ds.test;
  const log = te.log;
  if (log.item.length === 0) throw new UsageError('fidelityReport: the test split has no rows');
  const N = sim.N;
  let rows: Int32Array;
  let nSessions = log.nSessions;
  if (opts.maxRows && opts.maxRows < log.item.length) {
    const order = Array.from({ length: log.nSessions }, (_, s) => s);
    new Rng(opts.seed ?? 0).fork('fidelity/rows').shuffle(order);
    const keep: number[] = [];
    let n = 0;
    for (const s of order) {
      if (n >= opts.maxRows) break;
      keep.push(s);
      n += log.sessionStart[s + 1] - log.sessionStart[s];
    }
    keep.sort((a, b) => a - b);
    nSessions = keep.length;
    const r: number[] = [];
    for (const s of keep) for (let x = log.sessionStart[s]; x < log.sessionStart[s + 1]; x++) r.push(x);
    rows = Int32Array.from(r);
  } else {
    rows = Int32Array.from({ length: log.item.length }, (_, r) => r);
  }
  const n = rows.length;
  const browsed = new Int32Array(n * N);
  const clicked = new Int32Array(n * N);
  const items = new Int32Array(n);
  const labels = new Uint8Array(n);
  let nc = 0;
  let no = 0;
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    browsed.set(te.browsed.subarray(r * N, r * N + N), k * N);
    clicked.set(te.clicked.subarray(r * N, r * N + N), k * N);
    items[k] = log.item[r];
    labels[k] = log.feedback[r];
    if (labels[k] !== Feedback.Skip) nc++;
    if (labels[k] === Feedback.Order) no++;
  }
  const buckets = opts.buckets ?? 10;
  const baseline = new FrequencyBaseline(ds.train.log, opts.baselineSmoothing ?? 20);
  const ps = sim.predictMany(browsed, clicked, items);
  const pb = baseline.predict(items);
  const tl = ds.train.log;
  const cnt = [0, 0, 0];
  for (let r = 0; r < tl.feedback.length; r++) cnt[tl.feedback[r]]++;
  const weights = cnt.map((c) => (c > 0 ? cnt[0] / c : 0)); // 1/prior, skip = 1; an absent class is never chosen
  let meta: RunMeta | null = null;
  try {
    meta = runMeta();
  } catch {
    meta = null;
  }
  return {
    meta,
    dataset: { source: log.source, split: 'test', rows: n, sessions: nSessions, clickRate: nc / n, orderRate: no / n },
    simulatorInfo: { config: sim.config, classWeights: sim.classWeights, features: sim.features, training: sim.training },
    decisionWeights: weights,
    simulator: figures(ps, labels, weights, buckets),
    baseline: figures(pb, labels, weights, buckets),
    truthGap: opts.world ? truthGap(sim, ds, opts.world, baseline, opts.gap ?? {}, opts.progress ?? false) : null,
    bayes: opts.world ? bayesCeiling(ds, opts.world) : null,
    seconds: (Date.now() - t0) / 1000,
  };
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');
const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '  -   ');
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]): string => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
  return [line(head), line(w.map((x) => '-'.repeat(x))), ...rows.map(line)].join('\n');
}

/** A readable text rendering of the report. */
export function formatFidelityTable(r: FidelityReport): string {
  const s = r.simulator;
  const b = r.baseline;
  const names = ['skip', 'click', 'order'];
  const out: string[] = [];
  out.push(
    `Simulator fidelity on the test day (${r.dataset.source}: ${r.dataset.rows} rows, ${r.dataset.sessions} sessions; ` +
      `observed click rate ${pct(r.dataset.clickRate)} incl. orders, order rate ${pct(r.dataset.orderRate)})`,
  );
  out.push('');
  const main: string[][] = [
    ['overall precision (argmax accuracy)', f4(s.argmax.accuracy), f4(b.argmax.accuracy)],
    ['log-loss', f4(s.logLoss), f4(b.logLoss)],
    ['AUC click (click|order vs skip)', f4(s.aucClick), f4(b.aucClick)],
    ['AUC order (order vs rest)', f4(s.aucOrder), f4(b.aucOrder)],
    ['ECE P(click|order)', f4(s.eceClick), f4(b.eceClick)],
    ['ECE P(order)', f4(s.eceOrder), f4(b.eceOrder)],
    ['mean P(click|order) (observed ' + f4(r.dataset.clickRate) + ')', f4(s.meanPClick), f4(b.meanPClick)],
    ['mean P(order) (observed ' + f4(r.dataset.orderRate) + ')', f4(s.meanPOrder), f4(b.meanPOrder)],
  ];
  out.push(table(['', 'simulator', 'frequency baseline'], main));
  for (const [label, key] of [
    ['argmax decision', 'argmax'],
    [`balanced decision (argmax of p_c / prior_c, i.e. w_c p_c with w = [${r.decisionWeights.map((w) => w.toFixed(1)).join(', ')}])`, 'weighted'],
  ] as const) {
    out.push('');
    out.push(`Per class, ${label}:`);
    const rows: string[][] = [];
    for (let c = 0; c < 3; c++) {
      const x = s[key].perClass[c];
      const y = b[key].perClass[c];
      rows.push([names[c], String(x.support), f3(x.precision), f3(x.recall), f3(x.f1), f3(y.precision), f3(y.recall), f3(y.f1)]);
    }
    rows.push(['accuracy', '', '', '', f3(s[key].accuracy), '', '', f3(b[key].accuracy)]);
    out.push(table(['class', 'support', 'sim P', 'sim R', 'sim F1', 'base P', 'base R', 'base F1'], rows));
    out.push('Confusion (rows = true skip/click/order, columns = predicted):');
    out.push(
      table(
        ['', 'sim skip', 'sim click', 'sim order', 'base skip', 'base click', 'base order'],
        [0, 1, 2].map((c) => [names[c], ...s[key].confusion[c].map(String), ...b[key].confusion[c].map(String)]),
      ),
    );
  }
  for (const [label, key] of [
    ['P(click or order)', 'calibrationClick'],
    ['P(order)', 'calibrationOrder'],
  ] as const) {
    out.push('');
    out.push(`Calibration of ${label}, equal-count buckets (mean predicted / observed rate / rows):`);
    const k = Math.max(s[key].length, b[key].length);
    const rows: string[][] = [];
    for (let j = 0; j < k; j++) {
      const x = s[key][j];
      const y = b[key][j];
      rows.push([
        String(j + 1),
        x ? f4(x.meanPredicted) : '',
        x ? f4(x.observedRate) : '',
        x ? String(x.count) : '',
        y ? f4(y.meanPredicted) : '',
        y ? f4(y.observedRate) : '',
        y ? String(y.count) : '',
      ]);
    }
    out.push(table(['bucket', 'sim pred', 'sim obs', 'sim n', 'base pred', 'base obs', 'base n'], rows));
  }
  const g = r.truthGap;
  if (g) {
    out.push('');
    out.push(
      `Gap to the ground-truth user model (${g.sessions} sessions x ${g.T} steps under the logging policy, pool ${g.poolSize}; ` +
        `true mean P(click|order) ${f4(g.truth.meanPClick)}, P(order) ${f4(g.truth.meanPOrder)}; policy fallbacks ${g.fallbacks}):`,
    );
    out.push(
      table(
        ['', 'simulator', 'frequency baseline'],
        [
          ['MAE P(click|order)', f4(g.simulator.maeClick), f4(g.baseline.maeClick)],
          ['MAE P(order)', f4(g.simulator.maeOrder), f4(g.baseline.maeOrder)],
          ['corr P(click|order)', f4(g.simulator.corrClick), f4(g.baseline.corrClick)],
          ['corr P(order)', f4(g.simulator.corrOrder), f4(g.baseline.corrOrder)],
          ['mean P(click|order)', f4(g.simulator.meanPClick), f4(g.baseline.meanPClick)],
          ['mean P(order)', f4(g.simulator.meanPOrder), f4(g.baseline.meanPOrder)],
          [`AUC click (true model: ${f4(g.truth.aucClick)})`, f4(g.simulator.aucClick), f4(g.baseline.aucClick)],
          [`AUC order (true model: ${f4(g.truth.aucOrder)})`, f4(g.simulator.aucOrder), f4(g.baseline.aucOrder)],
          [`log-loss (true model: ${f4(g.truth.logLoss)})`, f4(g.simulator.logLoss), f4(g.baseline.logLoss)],
        ],
      ),
    );
  }
  const by = r.bayes;
  if (by) {
    out.push('');
    out.push(
      `Bayes ceiling: the true model's own figures on the test day (${by.rows} impressions, regenerated with their true probabilities): ` +
        `AUC click ${f4(by.aucClick)} (simulator ${f4(s.aucClick)}), AUC order ${f4(by.aucOrder)} (simulator ${f4(s.aucOrder)}), log-loss ${f4(by.logLoss)} (simulator ${f4(s.logLoss)})`,
    );
  }
  return out.join('\n') + '\n';
}

/** Write `<base>.json` and `<base>.txt` atomically. */
export function writeFidelityReport(base: string, r: FidelityReport): { json: string; text: string } {
  const json = `${base}.json`;
  const text = `${base}.txt`;
  writeJsonAtomic(json, r);
  writeFileAtomic(text, formatFidelityTable(r));
  return { json, text };
}
