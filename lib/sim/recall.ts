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
 * given (histories, size, rng state). The pool keeps this construction order.
 */
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
    if (!Number.isInteger(size) || size < 1 || size > this.nItems) {
      throw new UsageError(`candidate pool size must be an integer in [1, ${this.nItems}] (the catalogue size), got ${size}`);
    }
    const out = new Int32Array(size);
    const inPool = new Set<number>();
    let len = 0;
    const add = (i: number): boolean => {
      if (len >= size || inPool.has(i)) return false;
      inPool.add(i);
      out[len++] = i;
      return true;
    };
    const c = this.config;
    const simTarget = Math.floor(size * c.similarShare);
    const catTarget = simTarget + Math.floor(size * c.categoryShare);

    // 1. similar items: two queries, top lists interleaved.
    const qClick = this.query([h.clicked, h.ordered], b, N);
    const qBrowse = this.query([h.browsed], b, N);
    if (simTarget > 0 && (qClick || qBrowse)) {
      const lists = [qClick, qBrowse].filter((q): q is Float32Array => q !== null).map((q) => this.topK(q, simTarget));
      for (let k = 0; len < simTarget && lists.some((l) => k < l.length); k++) {
        for (const l of lists) if (k < l.length && len < simTarget) add(l[k]);
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
    for (let k = 0; k < this.popular.length && len < size; k++) add(this.popular[k]);

    // 4. random fill (only when the popularity list itself ran short, i.e. never with a full list).
    while (len < size) add(rng.int(this.nItems));
    return out;
  }

  /** Mean unit embedding of the history items in rows b of `hists`; null when they are empty. */
  private query(hists: Int32Array[], b: number, N: number): Float32Array | null {
    const E = this.E;
    const q = new Float32Array(E);
    let cnt = 0;
    for (const h of hists) {
      for (let k = b * N; k < (b + 1) * N; k++) {
        const v = h[k];
        if (v <= 0) continue;
        const off = (v - 1) * E;
        for (let e = 0; e < E; e++) q[e] += this.unit[off + e];
        cnt++;
      }
    }
    return cnt ? q : null;
  }

  /** The k items with the largest dot product with q (cosine, as rows are unit), best first. */
  private topK(q: Float32Array, k: number): Int32Array {
    const n = this.nItems;
    const E = this.E;
    k = Math.min(k, n);
    // Min-heap of (score, item) of the best k so far; ties broken toward the lower index.
    const hs = new Float64Array(k);
    const hi = new Int32Array(k);
    let m = 0;
    const worse = (sa: number, ia: number, sb: number, ib: number): boolean => sa < sb || (sa === sb && ia > ib);
    const siftDown = (p: number): void => {
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let w = p;
        if (l < m && worse(hs[l], hi[l], hs[w], hi[w])) w = l;
        if (r < m && worse(hs[r], hi[r], hs[w], hi[w])) w = r;
        if (w === p) return;
        [hs[p], hs[w]] = [hs[w], hs[p]];
        [hi[p], hi[w]] = [hi[w], hi[p]];
        p = w;
      }
    };
    for (let i = 0; i < n; i++) {
      let s = 0;
      const off = i * E;
      for (let e = 0; e < E; e++) s += q[e] * this.unit[off + e];
      if (m < k) {
        let c = m++;
        hs[c] = s;
        hi[c] = i;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (!worse(hs[c], hi[c], hs[p], hi[p])) break;
          [hs[p], hs[c]] = [hs[c], hs[p]];
          [hi[p], hi[c]] = [hi[c], hi[p]];
          c = p;
        }
      } else if (worse(hs[0], hi[0], s, i)) {
        hs[0] = s;
        hi[0] = i;
        siftDown(0);
      }
    }
    const idx = Array.from({ length: m }, (_, j) => j);
    idx.sort((a, b) => (worse(hs[a], hi[a], hs[b], hi[b]) ? 1 : worse(hs[b], hi[b], hs[a], hi[a]) ? -1 : 0));
    return Int32Array.from(idx.map((j) => hi[j]));
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
