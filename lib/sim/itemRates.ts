/**
 * Item feedback-rate features for the simulator's item table: for each item, the logits of its
 * smoothed click rate (click or order) and order rate over a set of training rows,
 *   rate_i = (events_i + k * globalRate) / (impressions_i + k),   feature = logit(rate_i),
 * with its own prior strength k for orders (rarer: a prior worth 20 impressions is 0.1 expected order),
 * standardized with the mean and deviation of the reference table (so fold tables share one scale).
 *
 * Used as 2-fold target encoding while fitting: rows of fold A see rates computed on fold B only,
 * so no row's own label leaks into its input; the final table uses all training rows.
 */
import { Feedback, type EventLog } from '../data/schema';

/** Per item: impressions, positives (click or order) and orders; and their totals. */
export interface ItemOutcomeTotals {
  imp: Float64Array;
  pos: Float64Array;
  ord: Float64Array;
  /** Total positives and orders over the rows counted. */
  P: number;
  O: number;
}

/** Count each item's impressions, positives and orders over `rows` of `log` (every row when omitted). */
export function itemOutcomeTotals(log: EventLog, rows?: ArrayLike<number>): ItemOutcomeTotals {
  const n = log.items.n;
  const imp = new Float64Array(n);
  const pos = new Float64Array(n);
  const ord = new Float64Array(n);
  let P = 0;
  let O = 0;
  const count = rows ? rows.length : log.item.length;
  for (let j = 0; j < count; j++) {
    const r = rows ? rows[j] : j;
    const i = log.item[r];
    imp[i]++;
    if (log.feedback[r] !== Feedback.Skip) {
      pos[i]++;
      P++;
    }
    if (log.feedback[r] === Feedback.Order) {
      ord[i]++;
      O++;
    }
  }
  return { imp, pos, ord, P, O };
}

export const RATE_FEATURES = ['clickRateLogit', 'orderRateLogit'] as const;

/** Raw logits [nItems*2] of smoothed click and order rates over `rows` of `log`. */
export function rateLogits(log: EventLog, rows: ArrayLike<number>, k: number, kOrder = k): Float32Array {
  const n = log.items.n;
  const { imp, pos, ord, P, O } = itemOutcomeTotals(log, rows);
  const R = Math.max(1, rows.length);
  // Global rates, kept away from 0 so the logits stay finite on tiny samples.
  const gc = Math.min(1 - 1e-4, Math.max(1e-4, P / R));
  const go = Math.min(1 - 1e-5, Math.max(1e-5, O / R));
  const logit = (p: number): number => Math.log(p / (1 - p));
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const d = imp[i] + k;
    const pc = d > 0 ? (pos[i] + k * gc) / d : gc;
    const d2 = imp[i] + kOrder;
    const po = d2 > 0 ? (ord[i] + kOrder * go) / d2 : go;
    out[i * 2] = logit(Math.min(1 - 1e-6, Math.max(1e-6, pc)));
    out[i * 2 + 1] = logit(Math.min(1 - 1e-6, Math.max(1e-6, po)));
  }
  return out;
}

export interface Standardizer {
  mean: number[];
  sd: number[];
}

/** Per-column mean and standard deviation of a [n*2] feature table. */
export function fitStandardizer(f: Float32Array): Standardizer {
  const n = f.length / 2;
  const mean = [0, 0];
  const sd = [0, 0];
  for (let c = 0; c < 2; c++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += f[i * 2 + c];
    mean[c] = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (f[i * 2 + c] - mean[c]) ** 2;
    sd[c] = Math.sqrt(v / n) || 1;
  }
  return { mean, sd };
}

export function standardize(f: Float32Array, st: Standardizer): Float32Array {
  const out = new Float32Array(f.length);
  for (let j = 0; j < f.length; j++) out[j] = (f[j] - st.mean[j & 1]) / st.sd[j & 1];
  return out;
}

/** Row-wise concatenation of per-item column blocks ({ data [n*width], width }) -> [n * sum(width)]. */
export function concatColumns(n: number, blocks: { data: Float32Array; width: number }[]): Float32Array {
  const W = blocks.reduce((a, b) => a + b.width, 0);
  const out = new Float32Array(n * W);
  let off = 0;
  for (const b of blocks) {
    if (b.data.length !== n * b.width) throw new Error(`concatColumns: block of width ${b.width} has ${b.data.length} values, expected ${n * b.width}`);
    for (let i = 0; i < n; i++) out.set(b.data.subarray(i * b.width, (i + 1) * b.width), i * W + off);
    off += b.width;
  }
  return out;
}

/** Overwrite columns [offset, offset+F) of table [n*stride] with feats [n*F] (in place). */
export function writeColumns(table: Float32Array, stride: number, offset: number, feats: Float32Array, F: number): void {
  const n = feats.length / F;
  for (let i = 0; i < n; i++) for (let c = 0; c < F; c++) table[i * stride + offset + c] = feats[i * F + c];
}

/** One-hot category columns [n*C]. */
export function categoryOneHot(category: Int32Array, C: number): Float32Array {
  const out = new Float32Array(category.length * C);
  for (let i = 0; i < category.length; i++) out[i * C + category[i]] = 1;
  return out;
}
