/**
 * Item feedback-rate features for the simulator's item table: for each item, the logits of its
 * smoothed click rate (click or order) and order rate over a set of training rows,
 *   rate_i = (events_i + k * globalRate) / (impressions_i + k),   feature = logit(rate_i),
 * standardized with the mean and deviation of the reference table (so fold tables share one scale).
 *
 * Used as 2-fold target encoding while fitting: rows of fold A see rates computed on fold B only,
 * so no row's own label leaks into its input; the final table uses all training rows.
 */
import { Feedback, type EventLog } from '../data/schema';

export const RATE_FEATURES = ['clickRateLogit', 'orderRateLogit'] as const;

/** Raw logits [nItems*2] of smoothed click and order rates over `rows` of `log`. */
export function rateLogits(log: EventLog, rows: ArrayLike<number>, k: number): Float32Array {
  const n = log.items.n;
  const imp = new Float64Array(n);
  const pos = new Float64Array(n);
  const ord = new Float64Array(n);
  let P = 0;
  let O = 0;
  for (let j = 0; j < rows.length; j++) {
    const r = rows[j];
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
  const R = Math.max(1, rows.length);
  // Global rates, kept away from 0 so the logits stay finite on tiny samples.
  const gc = Math.min(1 - 1e-4, Math.max(1e-4, P / R));
  const go = Math.min(1 - 1e-5, Math.max(1e-5, O / R));
  const logit = (p: number): number => Math.log(p / (1 - p));
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const d = imp[i] + k;
    const pc = d > 0 ? (pos[i] + k * gc) / d : gc;
    const po = d > 0 ? (ord[i] + k * go) / d : go;
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

/** Item table [n*(E+F)]: each item's embedding followed by its F features. */
export function augmentTable(emb: Float32Array, E: number, feats: Float32Array, F: number): Float32Array {
  const n = emb.length / E;
  const out = new Float32Array(n * (E + F));
  for (let i = 0; i < n; i++) {
    out.set(emb.subarray(i * E, i * E + E), i * (E + F));
    out.set(feats.subarray(i * F, i * F + F), i * (E + F) + E);
  }
  return out;
}

/** Overwrite the last F columns of table [n*(E+F)] with feats [n*F] (in place). */
export function writeFeatures(table: Float32Array, E: number, feats: Float32Array, F: number): void {
  const n = feats.length / F;
  for (let i = 0; i < n; i++) for (let c = 0; c < F; c++) table[i * (E + F) + E + c] = feats[i * F + c];
}
