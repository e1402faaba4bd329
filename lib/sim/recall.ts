/**
 * Item recall (paper section 3.1): the candidate pool every agent recommends from in one session.
 *
 * The paper maps the actor's virtual action to the most cosine-similar real item (Eq. 13) and uses
 * "the item recall mechanism to eliminate irrelevant and redundant items" without describing it.
 * Ours builds, for each session, a pool of `size` distinct items from what is known when the session
 * starts (the user's histories and the TRAIN day's popularity; never the session's own rows):
 *
 *  1. similar (share `similarShare`, default 50%): the items most cosine-similar, in the item
 *     embedding space, to the user's recent interests. Two queries: the mean normalised embedding of
 *     the clicked + ordered history, and that of the browsed history; their top lists are taken
 *     alternately (clicked first). Users without history skip this stage.
 *  2. category (share `categoryShare`, default 25%): the most popular items of the user's most
 *     frequent categories in those histories (weights: browsed 1, clicked 2, ordered 3; up to
 *     `topCategories` categories, taken round-robin).
 *  3. popular: the train day's most popular items (by clicks incl. orders, then impressions, then
 *     index) fill the pool up to `size`.
 *  4. random: if still short (tiny catalogues), items drawn uniformly with the caller's Rng.
 * Every stage skips items already in the pool, so the pool is duplicate-free and deterministic
 * given (histories, size, rng state) on one TF.js backend (the similarity stage is a batched
 * matMul + topk). The pool keeps this construction order.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { ConfigOf, int, num, resolveConfig } from '../util/config';
import { UsageError } from '../util/errors';
import { Feedback } from '../data/schema';
import type { SimDataset } from './types';

export const recallSpec = {
  similarShare: num(0.5, 'share of the pool taken by the items most cosine-similar to the user\'s recent clicked/browsed items', { min: 0, max: 1 }),
  categoryShare: num(0.25, 'share of the pool taken by popular items of the user\'s most frequent categories', { min: 0, max: 1 }),
  topCategories: int(3, 'how many of the user\'s most frequent history categories feed the category stage', { min: 1 }),
};
export type RecallConfig = ConfigOf<typeof recallSpec>;

export function resolveRecallConfig(overrides: Partial<RecallConfig> | Record<string, unknown> = {}): RecallConfig {
  return resolveConfig('recall', recallSpec, overrides, (c) =>
    c.similarShare + c.categoryShare > 1 ? ['categoryShare', `similarShare + categoryShare must be <= 1, got ${c.similarShare + c.categoryShare}`] : null,
  );
}

/** The histories at a session's start, row b of [B*N] arrays (item index + 1, 0 = padding). */
export interface HistoryRows {
  browsed: Int32Array;
  clicked: Int32Array;
  ordered: Int32Array;
}

/** Precomputed catalogue views for recall: unit embeddings, global and per-category popularity. */
export class CandidateRecall {
  readonly nItems: number;
  readonly E: number;
  readonly config: RecallConfig;
  /** Unit-length embeddings [nItems*E] (zero rows stay zero). */
  readonly unit: Float32Array;
  /** The same, transposed: [E*nItems]. */
  private readonly unitT: Float32Array;
  /** Items by train-day popularity, most popular first. */
  readonly popular: Int32Array;
  /** Per category, its items by popularity. */
  readonly byCategory: Int32Array[];
  readonly category: Int32Array;

  constructor(ds: SimDataset, overrides: Partial<RecallConfig> | Record<string, unknown> = {}) {
    this.config = resolveRecallConfig(overrides);
    const n = ds.items.n;
    this.nItems = n;
    if (n < 1 || ds.embeddings.length % n !== 0) throw new UsageError(`CandidateRecall: embeddings length ${ds.embeddings.length} is not a multiple of ${n} items`);
    const E = ds.embeddings.length / n;
    this.E = E;
    this.unit = new Float32Array(n * E);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < E; k++) s += ds.embeddings[i * E + k] ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let k = 0; k < E; k++) this.unit[i * E + k] = ds.embeddings[i * E + k] * inv;
    }
    this.unitT = new Float32Array(n * E);
    for (let i = 0; i < n; i++) for (let k = 0; k < E; k++) this.unitT[k * n + i] = this.unit[i * E + k];
    const log = ds.train.log;
    const pos = new Float64Array(n);
    const imp = new Float64Array(n);
    for (let r = 0; r < log.item.length; r++) {
      imp[log.item[r]]++;
      if (log.feedback[r] !== Feedback.Skip) pos[log.item[r]]++;
    }
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => pos[b] - pos[a] || imp[b] - imp[a] || a - b);
    this.popular = Int32Array.from(order);
    this.category = ds.items.category;
    const lists: number[][] = Array.from({ length: ds.items.nCategories }, () => []);
    for (const i of order) lists[ds.items.category[i]].push(i);
    this.byCategory = lists.map((l) => Int32Array.from(l));
  }

  /** Pool of `size` distinct items for history row b (see the module comment). */
  pool(h: HistoryRows, b: number, N: number, size: number, rng: Rng): Int32Array {
    const row = (x: Int32Array): Int32Array => x.subarray(b * N, (b + 1) * N);
    return this.pools({ browsed: row(h.browsed), clicked: row(h.clicked), ordered: row(h.ordered) }, N, size, rng);
  }

  /**
   * Pools for every row of [B*N] histories: Int32Array [B*size], row b = session b's pool. The
   * similarity stage runs as batched matrix products (one per chunk of sessions), so a batch of 256
   * pools costs about as much as a few environment steps. Row b's pool is the same whether it is
   * built alone or in a batch, except in the random-fill stage (draws from `rng` in row order),
   * which only tiny catalogues reach.
   */
  pools(h: HistoryRows, N: number, size: number, rng: Rng): Int32Array {
    if (!Number.isInteger(size) || size < 1 || size > this.nItems) {
      throw new UsageError(`candidate pool size must be an integer in [1, ${this.nItems}] (the catalogue size), got ${size}`);
    }
    const B = h.browsed.length / N;
    const c = this.config;
    const simTarget = Math.floor(size * c.similarShare);
    const catTarget = simTarget + Math.floor(size * c.categoryShare);
    // 1. similar items: two queries per session (clicked + ordered, browsed), top lists interleaved.
    let top: Int32Array | null = null;
    const has = new Uint8Array(2 * B);
    const k = Math.min(simTarget, this.nItems);
    if (k > 0) {
      const E = this.E;
      const q = new Float32Array(2 * B * E);
      for (let b = 0; b < B; b++) {
        has[2 * b] = this.query([h.clicked, h.ordered], b, N, q, 2 * b * E) ? 1 : 0;
        has[2 * b + 1] = this.query([h.browsed], b, N, q, (2 * b + 1) * E) ? 1 : 0;
      }
      if (has.some((x) => x)) top = this.topKBatch(q, 2 * B, k);
    }
    const out = new Int32Array(B * size);
    const inPool = new Set<number>();
    for (let b = 0; b < B; b++) {
      inPool.clear();
      const base = b * size;
      let len = 0;
      const add = (i: number): boolean => {
        if (len >= size || inPool.has(i)) return false;
        inPool.add(i);
        out[base + len++] = i;
        return true;
      };
      if (top) {
        const lists = [2 * b, 2 * b + 1].filter((j) => has[j]);
        for (let x = 0; len < simTarget && x < k; x++) {
          for (const j of lists) if (len < simTarget) add(top[j * k + x]);
        }
      }
      // 2. popular items of the user's frequent categories, round-robin.
      const cats = this.frequentCategories(h, b, N);
      if (cats.length) {
        const ptr = new Int32Array(cats.length);
        let progressed = true;
        while (len < catTarget && progressed) {
          progressed = false;
          for (let j = 0; j < cats.length && len < catTarget; j++) {
            const l = this.byCategory[cats[j]];
            while (ptr[j] < l.length && !add(l[ptr[j]])) ptr[j]++;
            if (ptr[j] < l.length) {
              ptr[j]++;
              progressed = true;
            }
          }
        }
      }
      // 3. train-day popularity.
      for (let x = 0; x < this.popular.length && len < size; x++) add(this.popular[x]);
      // 4. random fill (only when the popularity list itself ran short, i.e. never with a full list).
      while (len < size) add(rng.int(this.nItems));
    }
    return out;
  }

  /** Mean unit embedding of the history items in rows b of `hists`, written at out[off..off+E); false when empty. */
  private query(hists: Int32Array[], b: number, N: number, out: Float32Array, off: number): boolean {
    const E = this.E;
    let cnt = 0;
    for (const h of hists) {
      for (let x = b * N; x < (b + 1) * N; x++) {
        const v = h[x];
        if (v <= 0) continue;
        const o = (v - 1) * E;
        for (let e = 0; e < E; e++) out[off + e] += this.unit[o + e];
        cnt++;
      }
    }
    if (cnt) for (let e = 0; e < E; e++) out[off + e] /= cnt;
    return cnt > 0;
  }

  /**
   * For each query row (queries [q, E]), the k items with the largest dot product (cosine, as item
   * rows are unit length), best first: Int32Array [q*k]. Batched matMul + topk in chunks of at most
   * ~4M scores.
   */
  private topKBatch(queries: Float32Array, q: number, k: number): Int32Array {
    const E = this.E;
    const n = this.nItems;
    const out = new Int32Array(q * k);
    const chunk = Math.max(1, Math.floor(4_000_000 / n));
    const UT = tf.tensor2d(this.unitT, [E, n]); // [E, nItems]
    try {
      for (let a = 0; a < q; a += chunk) {
        const m = Math.min(chunk, q - a);
        const idx = tf.tidy(() => tf.topk(tf.matMul(tf.tensor2d(queries.subarray(a * E, (a + m) * E), [m, E]), UT), k, true).indices); // [m, k]
        out.set(idx.dataSync() as Int32Array, a * k);
        idx.dispose();
      }
    } finally {
      UT.dispose();
    }
    return out;
  }

  private frequentCategories(h: HistoryRows, b: number, N: number): number[] {
    const w = new Map<number, number>();
    const count = (hist: Int32Array, weight: number): void => {
      for (let k = b * N; k < (b + 1) * N; k++) {
        if (hist[k] <= 0) continue;
        const c = this.category[hist[k] - 1];
        w.set(c, (w.get(c) ?? 0) + weight);
      }
    };
    count(h.browsed, 1);
    count(h.clicked, 2);
    count(h.ordered, 3);
    return [...w.entries()]
      .sort((x, y) => y[1] - x[1] || x[0] - y[0])
      .slice(0, this.config.topCategories)
      .map((e) => e[0]);
  }
}

const cache = new WeakMap<object, CandidateRecall>();

/**
 * The candidate pool of one session (see the module comment): `size` distinct item indices.
 * `source` is a dataset (its CandidateRecall with the default recall config is built once and
 * cached) or a prebuilt CandidateRecall; `hist` holds ONE session's start histories (each [N]).
 * Batched callers use `CandidateRecall.pool(hist, b, N, size, rng)` on [B*N] rows.
 */
export function buildCandidatePool(source: SimDataset | CandidateRecall, hist: HistoryRows, size: number, rng: Rng): Int32Array {
  let recall: CandidateRecall;
  if (source instanceof CandidateRecall) recall = source;
  else {
    let r = cache.get(source);
    if (!r) {
      r = new CandidateRecall(source);
      cache.set(source, r);
    }
    recall = r;
  }
  const N = hist.browsed.length;
  if (hist.clicked.length !== N || hist.ordered.length !== N) {
    throw new UsageError(`buildCandidatePool: browsed/clicked/ordered histories differ in length (${N}, ${hist.clicked.length}, ${hist.ordered.length})`);
  }
  return recall.pool(hist, 0, N, size, rng);
}
