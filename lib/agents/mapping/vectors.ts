/**
 * Small vector kernels shared by the item indexes. Every score in the mapping code goes through
 * `dot`, so exact and approximate search compute bit-identical scores and break ties the same way
 * (higher score first, then lower item id).
 */
import { UsageError } from '../../util/errors';

/**
 * a[ao..ao+E) · b[bo..bo+E) in float64. Four partial sums (lanes k mod 4) break the add dependency
 * chain (~1.5-2x faster than one accumulator in V8); the order is fixed, so results are reproducible.
 */
export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, E: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < E; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < E; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + (s2 + s3);
}

/**
 * Row-normalised copy of an [n, E] table (Eq. (13): a_i / |a_i| precomputed once).
 * A zero row stays zero (it has no direction; it scores 0 against every proto-action).
 */
export function normaliseRows(items: Float32Array, E: number, where: string): Float32Array {
  if (!(items instanceof Float32Array)) throw new UsageError(`${where}: item embeddings must be a Float32Array [nItems, E]`);
  if (!Number.isInteger(E) || E < 1) throw new UsageError(`${where}: dim must be an integer >= 1, got ${E}`);
  if (items.length === 0 || items.length % E !== 0) {
    throw new UsageError(`${where}: item table length ${items.length} is not a positive multiple of dim=${E}`);
  }
  const n = items.length / E;
  const out = new Float32Array(items.length);
  for (let i = 0; i < n; i++) {
    const o = i * E;
    let s = 0;
    for (let k = 0; k < E; k++) {
      const x = items[o + k];
      if (!Number.isFinite(x)) throw new UsageError(`${where}: item ${i} has a non-finite value ${x} at dimension ${k}`);
      s += x * x;
    }
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < E; k++) out[o + k] = items[o + k] * inv;
  }
  return out;
}

/** True when (s, id) ranks above (bs, bid): higher score, ties to the lower id. */
export function better(s: number, id: number, bs: number, bid: number): boolean {
  return s > bs || (s === bs && id < bid);
}

/**
 * Bounded best-k collector: a binary heap whose root is the worst kept entry.
 * Ordering: higher score first, ties to the lower id (same as `better`).
 */
export class TopK {
  readonly ids: Int32Array;
  readonly scores: Float64Array;
  size = 0;

  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.scores = new Float64Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  /** Offer an entry; kept if among the best k so far. */
  push(id: number, s: number): void {
    const ids = this.ids, sc = this.scores;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!better(sc[p], ids[p], s, id)) break; // parent worse-or-equal than new: stop when parent is worse
        ids[i] = ids[p];
        sc[i] = sc[p];
        i = p;
      }
      ids[i] = id;
      sc[i] = s;
      return;
    }
    if (!better(s, id, sc[0], ids[0])) return;
    // Replace the root (worst) and sift down.
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      // child that is worse (lower rank) goes up
      let w = l;
      if (r < n && better(sc[l], ids[l], sc[r], ids[r])) w = r;
      if (!better(s, id, sc[w], ids[w])) break;
      ids[i] = ids[w];
      sc[i] = sc[w];
      i = w;
    }
    ids[i] = id;
    sc[i] = s;
  }

  /** Kept ids, best first. */
  sorted(): Int32Array {
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((a, b) => (better(this.scores[a], this.ids[a], this.scores[b], this.ids[b]) ? -1 : 1));
    return Int32Array.from(order, (i) => this.ids[i]);
  }
}
