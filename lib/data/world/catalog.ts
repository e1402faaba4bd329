/**
 * The world's item catalog: categories with latent centres and price levels, items with latent
 * vectors (some near-duplicate variants), price, quality, popularity and a click-bait flag.
 */
import { ItemTable } from '../schema';
import { Rng } from '../../util/rng';
import { WorldConfig } from './worldConfig';

export interface Catalog {
  /** Item table for the EventLog; extra columns: quality, clickbait, popularity, priceZ, variantOf. */
  items: ItemTable;
  /** Unit-norm item vectors. */
  itemVec: Float32Array; // [nItems, dim]
  /** Unit-norm category centres. */
  categoryVec: Float32Array; // [nCategories, dim]
  /** Global category popularity (Zipf), sums to 1: share of user interest. */
  categoryWeight: Float64Array; // [nCategories]
  /** Items of category k are categoryItems[categoryStart[k] .. categoryStart[k+1]). */
  categoryStart: Int32Array; // [nCategories + 1]
  categoryItems: Int32Array; // [nItems]
}

/** Write a unit-norm copy of v into out at offset o. */
function normalizeInto(v: Float64Array, out: Float32Array, o: number): void {
  let n = 0;
  for (let j = 0; j < v.length; j++) n += v[j] * v[j];
  n = Math.sqrt(n) || 1;
  for (let j = 0; j < v.length; j++) out[o + j] = v[j] / n;
}

export function buildCatalog(cfg: WorldConfig, rng: Rng): Catalog {
  const C = cfg.nCategories;
  const N = cfg.nItems;
  const d = cfg.latentDim;
  const tmp = new Float64Array(d);

  // Category popularity: Zipf over a random ranking of categories.
  const rank = rng.shuffle(Array.from({ length: C }, (_, k) => k)) as number[];
  const categoryWeight = new Float64Array(C);
  let wsum = 0;
  for (let k = 0; k < C; k++) wsum += (categoryWeight[k] = 1 / Math.pow(rank[k] + 1, cfg.categoryZipf));
  for (let k = 0; k < C; k++) categoryWeight[k] /= wsum;

  const categoryVec = new Float32Array(C * d);
  for (let k = 0; k < C; k++) {
    for (let j = 0; j < d; j++) tmp[j] = rng.normal();
    normalizeInto(tmp, categoryVec, k * d);
  }
  // Category price level (CNY-like, log-normal around 150).
  const catLogPrice = new Float64Array(C);
  for (let k = 0; k < C; k++) catLogPrice[k] = Math.log(150) + rng.normal(0, 1);

  // Items per category: each category gets at least 2, the rest proportional to sqrt(popularity).
  const count = new Int32Array(C).fill(2);
  const share = Array.from(categoryWeight, (w) => Math.sqrt(w));
  const shareSum = share.reduce((a, b) => a + b, 0);
  let assigned = 2 * C;
  const rest = N - assigned;
  for (let k = 0; k < C; k++) {
    const c = Math.floor((rest * share[k]) / shareSum);
    count[k] += c;
    assigned += c;
  }
  for (let k = 0; assigned < N; k = (k + 1) % C, assigned++) count[k]++;
  const categoryStart = new Int32Array(C + 1);
  for (let k = 0; k < C; k++) categoryStart[k + 1] = categoryStart[k] + count[k];
  const category = new Int32Array(N);
  for (let k = 0; k < C; k++) category.fill(k, categoryStart[k], categoryStart[k + 1]);
  const categoryItems = Int32Array.from({ length: N }, (_, i) => i); // items are laid out by category

  const itemVec = new Float32Array(N * d);
  const price = new Float32Array(N);
  const quality = new Float32Array(N);
  const clickbait = new Float32Array(N);
  const popularity = new Float32Array(N);
  const variantOf = new Float32Array(N).fill(-1);
  const spread = cfg.itemSpread / Math.sqrt(d); // noise vector norm ~ itemSpread
  const logP = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const k = category[i];
    const first = categoryStart[k];
    // A variant copies an earlier item of its category with a small perturbation (near-duplicate).
    const isVariant = i > first && rng.random() < cfg.variantFraction;
    const parent = isVariant ? first + rng.int(i - first) : -1;
    if (parent >= 0) {
      variantOf[i] = parent;
      for (let j = 0; j < d; j++) tmp[j] = itemVec[parent * d + j] + rng.normal(0, 0.15 / Math.sqrt(d));
    } else {
      for (let j = 0; j < d; j++) tmp[j] = categoryVec[k * d + j] + rng.normal(0, spread);
    }
    normalizeInto(tmp, itemVec, i * d);
    if (parent >= 0) {
      // Same product in another colour/size: near-identical attributes.
      clickbait[i] = clickbait[parent];
      quality[i] = Math.min(1, Math.max(0, quality[parent] + rng.normal(0, 0.03)));
      logP[i] = logP[parent] + rng.normal(0, 0.1);
      popularity[i] = popularity[parent] + rng.normal(0, 0.3);
    } else {
      const bait = rng.random() < cfg.clickbaitFraction;
      clickbait[i] = bait ? 1 : 0;
      // Quality: Beta(4,2)-like for regular items (mean 0.67), low for click-bait.
      quality[i] = bait ? rng.uniform(0.05, 0.3) : betaLike(rng, 4, 2);
      // Click-bait is cheap; regular items spread around the category's price level.
      logP[i] = catLogPrice[k] + rng.normal(0, 0.6) + (bait ? Math.log(0.35) : 0);
      // Click-bait is promoted by click-driven ranking: more popular on average.
      popularity[i] = rng.normal(bait ? 0.5 : 0, cfg.popularitySigma);
    }
    price[i] = Math.round(Math.exp(logP[i]) * 100) / 100;
  }
  // Standardized log price within the category (what price sensitivity reacts to).
  const priceZ = new Float32Array(N);
  for (let k = 0; k < C; k++) {
    const a = categoryStart[k];
    const b = categoryStart[k + 1];
    let m = 0;
    for (let i = a; i < b; i++) m += logP[i];
    m /= b - a;
    let v = 0;
    for (let i = a; i < b; i++) v += (logP[i] - m) ** 2;
    const sd = Math.sqrt(v / (b - a)) || 1;
    for (let i = a; i < b; i++) priceZ[i] = (logP[i] - m) / sd;
  }
  const items: ItemTable = {
    n: N,
    rawId: Float64Array.from({ length: N }, (_, i) => i),
    category,
    nCategories: C,
    price,
    extra: { quality, clickbait, popularity, priceZ, variantOf },
  };
  return { items, itemVec, categoryVec, categoryWeight, categoryStart, categoryItems };
}

/** Beta(a, b) for small integer a, b via order statistics of uniforms (a-th smallest of a+b-1). */
function betaLike(rng: Rng, a: number, b: number): number {
  const n = a + b - 1;
  const u: number[] = [];
  for (let j = 0; j < n; j++) u.push(rng.random());
  u.sort((x, y) => x - y);
  return u[a - 1];
}
