/**
 * The world's users: long-term preferences that show in their click and order histories.
 * Each user has a few preferred categories (with weights), a latent vector near those categories'
 * centres, a price sensitivity, and an activity level (how many sessions they have).
 */
import { Rng } from '../../util/rng';
import { Catalog } from './catalog';
import { WorldConfig } from './worldConfig';

export interface Population {
  nUsers: number;
  /** Preferred categories per user, K = cfg.prefCategories, most preferred first. */
  prefCats: Int32Array; // [nUsers, K]
  /** Weights of the preferred categories (sum to 1 per user). */
  prefWeights: Float32Array; // [nUsers, K]
  /** Unit-norm latent user vectors. */
  userVec: Float32Array; // [nUsers, dim]
  /** Price sensitivity (log-normal, median 1): multiplies the standardized log price penalty. */
  priceSens: Float32Array; // [nUsers]
  /** Activity (log-normal, mean 1): relative rate of extra sessions. */
  activity: Float32Array; // [nUsers]
}

/** Draw from a cumulative weight table (last entry = total) by binary search. */
export function drawCumulative(cum: Float64Array, u: number): number {
  const x = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function cumulative(w: ArrayLike<number>): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += w[i];
  return c;
}

export function buildPopulation(cfg: WorldConfig, cat: Catalog, nUsers: number, rng: Rng): Population {
  const K = cfg.prefCategories;
  const d = cfg.latentDim;
  const prefCats = new Int32Array(nUsers * K);
  const prefWeights = new Float32Array(nUsers * K);
  const userVec = new Float32Array(nUsers * d);
  const priceSens = new Float32Array(nUsers);
  const activity = new Float32Array(nUsers);
  const catCum = cumulative(cat.categoryWeight);
  const tmp = new Float64Array(d);
  const w = new Float64Array(K);
  const noise = cfg.userSpread / Math.sqrt(d);
  const actMean = Math.exp((cfg.activitySigma * cfg.activitySigma) / 2);
  for (let u = 0; u < nUsers; u++) {
    // K distinct categories drawn by popularity (rejection on repeats; K << nCategories).
    for (let j = 0; j < K; j++) {
      let c: number;
      let tries = 0;
      do {
        c = drawCumulative(catCum, rng.random());
        if (++tries > 50) c = rng.int(cfg.nCategories);
      } while (prefCats.subarray(u * K, u * K + j).includes(c));
      prefCats[u * K + j] = c;
    }
    // Dirichlet(1,...,1) weights, sorted descending (most preferred first).
    let ws = 0;
    for (let j = 0; j < K; j++) ws += (w[j] = -Math.log(1 - rng.random()));
    const order = Array.from({ length: K }, (_, j) => j).sort((a, b) => w[b] - w[a]);
    const cats = order.map((j) => prefCats[u * K + j]);
    for (let j = 0; j < K; j++) {
      prefCats[u * K + j] = cats[j];
      prefWeights[u * K + j] = w[order[j]] / ws;
    }
    tmp.fill(0);
    for (let j = 0; j < K; j++) {
      const c = prefCats[u * K + j];
      const pw = prefWeights[u * K + j];
      for (let t = 0; t < d; t++) tmp[t] += pw * cat.categoryVec[c * d + t];
    }
    // Normalize the preference mix first so the noise level does not depend on how spread the weights are.
    let n = 0;
    for (let t = 0; t < d; t++) n += tmp[t] * tmp[t];
    n = Math.sqrt(n) || 1;
    for (let t = 0; t < d; t++) tmp[t] = tmp[t] / n + rng.normal(0, noise);
    n = 0;
    for (let t = 0; t < d; t++) n += tmp[t] * tmp[t];
    n = Math.sqrt(n) || 1;
    for (let t = 0; t < d; t++) userVec[u * d + t] = tmp[t] / n;
    priceSens[u] = Math.exp(rng.normal(0, cfg.priceSensSigma));
    activity[u] = Math.exp(rng.normal(0, cfg.activitySigma)) / actMean;
  }
  return { nUsers, prefCats, prefWeights, userVec, priceSens, activity };
}
