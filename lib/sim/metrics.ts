/**
 * Classification figures for three-way feedback prediction (skip / click / order): confusion matrix,
 * per-class precision / recall / F1, rank AUC, calibration buckets, Pearson correlation.
 * Pure functions over typed arrays; probabilities are flat [n, 3] rows (skip, click, order).
 */
import { UsageError } from '../util/errors';

export const N_CLASSES = 3;

/**
 * Decide one class per row: argmax_c weights[c] * probs[row, c]. Unit weights give the plain
 * maximum-a-posteriori decision; class weights give the cost-sensitive decision that trades skip
 * precision for order recall. Ties go to the lower class (skip before click before order).
 */
export function decide(probs: Float32Array, weights: ArrayLike<number> = [1, 1, 1]): Uint8Array {
  if (probs.length % N_CLASSES !== 0) throw new UsageError(`decide: probs length ${probs.length} is not a multiple of 3`);
  const n = probs.length / N_CLASSES;
  const out = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    let bv = probs[r * 3] * weights[0];
    for (let c = 1; c < 3; c++) {
      const v = probs[r * 3 + c] * weights[c];
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** conf[true][pred] counts. */
export function confusionMatrix(labels: Uint8Array, pred: Uint8Array): number[][] {
  if (labels.length !== pred.length) throw new UsageError(`confusionMatrix: ${labels.length} labels but ${pred.length} predictions`);
  const m = [0, 1, 2].map(() => [0, 0, 0]);
  for (let r = 0; r < labels.length; r++) m[labels[r]][pred[r]]++;
  return m;
}

export interface ClassFigures {
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true class is this one. */
  support: number;
  /** Rows predicted as this class. */
  predicted: number;
}

export interface ClassReport {
  /** Share of rows whose predicted class is the true one (the paper's "overall precision"). */
  accuracy: number;
  perClass: ClassFigures[]; // [3] skip, click, order
  macroF1: number;
  confusion: number[][];
}

/** Precision, recall, F1 per class from a confusion matrix. 0/0 is reported as 0. */
export function classReport(conf: number[][]): ClassReport {
  let total = 0;
  let correct = 0;
  const perClass: ClassFigures[] = [];
  for (let c = 0; c < 3; c++) {
    const support = conf[c][0] + conf[c][1] + conf[c][2];
    const predicted = conf[0][c] + conf[1][c] + conf[2][c];
    const tp = conf[c][c];
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass.push({ precision, recall, f1, support, predicted });
    total += support;
    correct += tp;
  }
  return {
    accuracy: total ? correct / total : 0,
    perClass,
    macroF1: (perClass[0].f1 + perClass[1].f1 + perClass[2].f1) / 3,
    confusion: conf.map((r) => r.slice()),
  };
}

/**
 * Area under the ROC curve: P(score of a random positive > score of a random negative), ties counting
 * one half (Mann-Whitney U with average ranks). NaN when either class is empty.
 */
export function auc(scores: ArrayLike<number>, positive: Uint8Array): number {
  const n = scores.length;
  if (positive.length !== n) throw new UsageError(`auc: ${n} scores but ${positive.length} labels`);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const s = Float64Array.from(scores);
  idx.sort((a, b) => s[a] - s[b]);
  let nPos = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && s[idx[j]] === s[idx[i]]) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1..j, 1-based
    for (let k = i; k < j; k++) {
      if (positive[idx[k]]) {
        nPos++;
        rankSum += avgRank;
      }
    }
    i = j;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface CalibrationBucket {
  /** Smallest and largest predicted probability in the bucket. */
  lo: number;
  hi: number;
  meanPredicted: number;
  observedRate: number;
  count: number;
}

/**
 * Calibration by equal-count buckets of the predicted probability (quantile buckets: predicted
 * order probabilities are all tiny, so equal-width buckets would put nearly every row in the first).
 * Rows with equal predictions never straddle two buckets, so a bucket may hold more or fewer than n/k.
 */
export function calibration(pred: ArrayLike<number>, outcome: Uint8Array, nBuckets = 10): CalibrationBucket[] {
  const n = pred.length;
  if (outcome.length !== n) throw new UsageError(`calibration: ${n} predictions but ${outcome.length} outcomes`);
  if (!(nBuckets >= 1)) throw new UsageError(`calibration: nBuckets must be >= 1, got ${nBuckets}`);
  const p = Float64Array.from(pred);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => p[a] - p[b]);
  const out: CalibrationBucket[] = [];
  let i = 0;
  for (let k = 0; k < nBuckets && i < n; k++) {
    let j = Math.max(i + 1, Math.round(((k + 1) * n) / nBuckets));
    if (k === nBuckets - 1) j = n;
    while (j < n && p[idx[j]] === p[idx[j - 1]]) j++; // keep ties together
    let sp = 0;
    let so = 0;
    for (let r = i; r < j; r++) {
      sp += p[idx[r]];
      so += outcome[idx[r]];
    }
    out.push({ lo: p[idx[i]], hi: p[idx[j - 1]], meanPredicted: sp / (j - i), observedRate: so / (j - i), count: j - i });
    i = j;
  }
  return out;
}

/** Count-weighted mean |predicted - observed| over buckets (expected calibration error). */
export function expectedCalibrationError(buckets: CalibrationBucket[]): number {
  let n = 0;
  let e = 0;
  for (const b of buckets) {
    n += b.count;
    e += b.count * Math.abs(b.meanPredicted - b.observedRate);
  }
  return n ? e / n : 0;
}

/** Pearson correlation (NaN when either side is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new UsageError(`pearson: lengths ${n} and ${b.length} differ`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Mean log-loss of the true class (probabilities clipped at 1e-7). */
export function logLoss(probs: Float32Array, labels: Uint8Array): number {
  let s = 0;
  for (let r = 0; r < labels.length; r++) s -= Math.log(Math.max(1e-7, probs[r * 3 + labels[r]]));
  return labels.length ? s / labels.length : 0;
}
