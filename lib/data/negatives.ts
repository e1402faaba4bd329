/**
 * Sampled negative impressions for logs that only record positive actions.
 *
 * Public e-commerce logs (Taobao, JD, RetailRocket, YOOCHOOSE) record what users opened and bought,
 * never what they were shown and ignored. The paper's MDP needs skipped impressions too, so for
 * every positive impression we add `k` skipped ones:
 *  - items are drawn from the popularity distribution smoothed by a power (default 0.75, as in
 *    word2vec's negative sampling): P(i) ∝ count(i)^power, where count(i) = the number of positive
 *    impressions of item i in the log. Popular items are what a feed actually shows, but the power
 *    flattens the head so the tail is shown too;
 *  - excluding every item already in that session (its positives and the negatives drawn so far),
 *    so each (session, item) pair appears once and a sampled skip never contradicts a click;
 *  - each negative gets the positive's timestamp and is placed just BEFORE it (the skipped items
 *    were on screen when the user picked the positive one).
 * By construction the click rate (clicks incl. orders / impressions) is 1 / (1 + k), up to the
 * rare shortfall when a session already covers (almost) the whole catalogue.
 */
import { Rng } from '../util/rng';
import { Feedback } from './schema';

/**
 * Walker/Vose alias table: O(1) draws from a fixed discrete distribution. Threshold and alias of a
 * column sit side by side in one array, so a draw touches one cache line of a large table.
 */
export class AliasSampler {
  readonly n: number;
  /** [2n]: at 2i the acceptance threshold of column i in units of 2^-32, at 2i+1 its alias. */
  private readonly table: Uint32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new Error('AliasSampler: no weights');
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`AliasSampler: weight ${i} is ${w}, expected a finite number >= 0`);
      sum += w;
    }
    if (!(sum > 0)) throw new Error('AliasSampler: weights must have a positive sum');
    this.n = n;
    const prob = new Float64Array(n);
    const alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / sum;
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[--nl];
      prob[s] = scaled[s];
      alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) small[ns++] = l;
      else large[nl++] = l;
    }
    // Leftovers are 1 up to rounding.
    while (nl > 0) {
      const l = large[--nl];
      prob[l] = 1;
      alias[l] = l;
    }
    while (ns > 0) {
      const s = small[--ns];
      prob[s] = 1;
      alias[s] = s;
    }
    this.table = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      // Accept column i when a uniform 32-bit draw is below prob * 2^32 (prob 1 = always).
      this.table[2 * i] = prob[i] >= 1 ? 0xffffffff : Math.floor(prob[i] * 4294967296);
      this.table[2 * i + 1] = prob[i] >= 1 ? i : alias[i];
    }
  }

  sample(rng: Rng): number {
    const i = rng.int(this.n);
    const thr = this.table[2 * i];
    return thr === 0xffffffff || rng.nextU32() < thr ? i : this.table[2 * i + 1];
  }
}

/**
 * A small set of item ids for one session at a time: open addressing in a table sized to the
 * session, so membership tests stay in cache (a per-item stamp array of a 4M-item catalogue would
 * miss the cache on every draw). `reset(expected)` empties it for the next session.
 */
class SessionItemSet {
  private table = new Int32Array(64); // item + 1, 0 = empty
  private bits = 6;
  private readonly used: number[] = [];

  reset(expected: number): void {
    let bits = 6;
    while (1 << bits < 2 * expected) bits++;
    if (bits > this.bits) {
      this.table = new Int32Array(1 << bits);
      this.bits = bits;
      this.used.length = 0;
      return;
    }
    for (const slot of this.used) this.table[slot] = 0;
    this.used.length = 0;
  }

  /** Add `item`; false when it was already there. */
  add(item: number): boolean {
    const mask = (1 << this.bits) - 1;
    let h = Math.imul(item + 1, 0x9e3779b1) >>> (32 - this.bits);
    for (;;) {
      const v = this.table[h];
      if (v === 0) {
        this.table[h] = item + 1;
        this.used.push(h);
        return true;
      }
      if (v === item + 1) return false;
      h = (h + 1) & mask;
    }
  }
}

/** Positive impressions per item (rows with feedback Click or Order). */
export function itemPopularity(item: Int32Array, feedback: Uint8Array, nItems: number): Float64Array {
  const count = new Float64Array(nItems);
  for (let r = 0; r < item.length; r++) if (feedback[r] !== Feedback.Skip) count[item[r]]++;
  return count;
}

/** Impression columns sorted by session (then time). */
export interface ImpressionColumns {
  user: Int32Array; // [rows]
  session: Int32Array; // [rows] non-decreasing
  item: Int32Array; // [rows]
  feedback: Uint8Array; // [rows]
  ts: Float64Array; // [rows]
}

export interface NegativeOptions {
  /** Skipped impressions per positive one. */
  k: number;
  /** Popularity power (0 = uniform over items, 1 = proportional to popularity). */
  power: number;
  rng: Rng;
  /** Draws tried per positive before giving up on its remaining negatives (default 20k + 100). */
  maxTries?: number;
}

export interface NegativeResult extends ImpressionColumns {
  negatives: number;
  /** Negatives that could not be placed (session already covered the sampled items). */
  shortfall: number;
}

/**
 * Interleave `k` sampled skipped impressions before every positive row of `pos` (which must be
 * sorted by session; its skip rows, if any, are kept as they are and get no negatives).
 * Deterministic for a given rng state.
 */
export function addNegatives(pos: ImpressionColumns, nItems: number, o: NegativeOptions): NegativeResult {
  const rows = pos.item.length;
  const k = o.k;
  if (!(Number.isInteger(k) && k >= 0)) throw new Error(`addNegatives: k must be an integer >= 0, got ${k}`);
  let positives = 0;
  for (let r = 0; r < rows; r++) if (pos.feedback[r] !== Feedback.Skip) positives++;
  const cap = rows + positives * k;
  const out: ImpressionColumns = {
    user: new Int32Array(cap),
    session: new Int32Array(cap),
    item: new Int32Array(cap),
    feedback: new Uint8Array(cap),
    ts: new Float64Array(cap),
  };
  if (k === 0 || rows === 0) {
    out.user.set(pos.user);
    out.session.set(pos.session);
    out.item.set(pos.item);
    out.feedback.set(pos.feedback);
    out.ts.set(pos.ts);
    return { ...out, negatives: 0, shortfall: 0 };
  }
  const weights = itemPopularity(pos.item, pos.feedback, nItems);
  if (o.power !== 1) for (let i = 0; i < nItems; i++) weights[i] = Math.pow(weights[i], o.power);
  let sum = 0;
  for (let i = 0; i < nItems; i++) sum += weights[i];
  // power 0 maps count 0 to 1 too (uniform); with no positives at all fall back to uniform.
  if (!(sum > 0)) weights.fill(1);
  const sampler = new AliasSampler(weights);
  const maxTries = o.maxTries ?? 20 * k + 100;
  const inSession = new SessionItemSet();
  let w = 0;
  let negatives = 0;
  let shortfall = 0;
  let a = 0;
  while (a < rows) {
    const s = pos.session[a];
    let b = a;
    while (b < rows && pos.session[b] === s) b++;
    inSession.reset((b - a) * (1 + k));
    for (let r = a; r < b; r++) inSession.add(pos.item[r]);
    for (let r = a; r < b; r++) {
      if (pos.feedback[r] !== Feedback.Skip) {
        let placed = 0;
        for (let t = 0; t < maxTries && placed < k; t++) {
          const j = sampler.sample(o.rng);
          if (!inSession.add(j)) continue;
          out.user[w] = pos.user[r];
          out.session[w] = s;
          out.item[w] = j;
          out.feedback[w] = Feedback.Skip;
          out.ts[w] = pos.ts[r];
          w++;
          placed++;
        }
        negatives += placed;
        shortfall += k - placed;
      }
      out.user[w] = pos.user[r];
      out.session[w] = s;
      out.item[w] = pos.item[r];
      out.feedback[w] = pos.feedback[r];
      out.ts[w] = pos.ts[r];
      w++;
    }
    a = b;
  }
  if (w < cap) {
    return {
      user: out.user.slice(0, w),
      session: out.session.slice(0, w),
      item: out.item.slice(0, w),
      feedback: out.feedback.slice(0, w),
      ts: out.ts.slice(0, w),
      negatives,
      shortfall,
    };
  }
  return { ...out, negatives, shortfall };
}
