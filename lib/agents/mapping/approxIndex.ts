/**
 * Approximate Eq. (13) by hashing to compact binary codes (Section 3.1, ref. [17]): random-hyperplane
 * LSH (SimHash). Each of L tables hashes an item direction u to K sign bits sign(h_j·u - o_j); items
 * whose directions are close in angle agree on most bits. A query probes, in every table, its own
 * bucket and then Hamming-neighbour buckets in query-directed order (Lv et al. 2007, "multi-probe
 * LSH"): bits are ranked by how close the query lies to their hyperplane, and the flip sets are taken
 * in a fixed order of increasing expected cost (sum of the expected squared margins of the flipped
 * ranks, computed once at construction: Lv et al.'s probing-sequence template). Tables are visited
 * round-robin by probe rank. The union of the probed buckets is the short list, re-ranked with the
 * exact score (same `dot` as ExactIndex, same tie-break).
 *
 * Sessions: removed items (and items outside a large pool) are skipped in the short list; when the
 * short list holds no available item, the session falls back to the exact scan. Pools smaller than
 * `exactPoolBelow` are always scanned exactly (hashing cannot beat a 500-row scan).
 *
 * Probing every bucket (probes >= 2^bits) makes the short list the whole catalog, so results are
 * then identical to ExactIndex.
 */
import { bool, int, resolveConfig, type ConfigOf } from '../../util/config';
import { Progress } from '../../util/progress';
import type { Rng } from '../../util/rng';
import { BaseIndex, type Pool } from './itemIndex';
import { CatalogState, PoolState, type SessionState } from './sessionState';
import { better, dot, TopK } from './vectors';

export const approxIndexSpec = {
  tables: int(8, 'number of hash tables L (more tables: higher recall, more memory and hashing time)', { min: 1, max: 64 }),
  bits: int(0, 'bits per code K; 0 = auto: round(log2(nItems / bucketSize)) clamped to [1, 20]', { min: 0, max: 20 }),
  bucketSize: int(1, 'target mean items per bucket when bits = 0 (small buckets + many probes beat big buckets on clustered catalogs)', { min: 1 }),
  probes: int(128, 'max buckets probed per table, home bucket included, in query-directed order (>= 2^bits probes everything)', { min: 1 }),
  maxCandidates: int(0, 'stop probing once the short list holds this many distinct items (0 = no budget)', { min: 0 }),
  center: bool(true, 'hash item directions relative to their mean direction (helps when embeddings share a common offset; no effect when the mean is ~0)'),
  exactPoolBelow: int(20000, 'sessions with fewer remaining pool candidates than this are searched exactly', { min: 0 }),
};
export type ApproxIndexConfig = ConfigOf<typeof approxIndexSpec>;

/** Counters since construction (or resetStats): queries answered by hashing, items scored, exact fallbacks. */
export interface ApproxStats {
  queries: number;
  candidates: number;
  /** Bucket entries read, duplicates across tables included. */
  scanned: number;
  fallbacks: number;
  exactPoolQueries: number;
}

export class ApproxIndex extends BaseIndex {
  readonly config: ApproxIndexConfig;
  /** Bits per code actually used (K). */
  readonly bits: number;
  readonly tables: number;
  stats: ApproxStats = { queries: 0, candidates: 0, scanned: 0, fallbacks: 0, exactPoolQueries: 0 };

  /** [L*K, E] unit hyperplane normals. */
  private readonly planes: Float32Array;
  /** [L*K] hyperplane offsets h_j·mean (0 when not centring). */
  private readonly offs: Float64Array;
  /** Per table: CSR bucket starts [2^K + 1] and item ids grouped by code [nItems]. */
  private readonly starts: Int32Array[] = [];
  private readonly members: Int32Array[] = [];
  /** Dedup marks: seen[i] === stamp when item i was already scored for the current query. */
  private readonly seen: Int32Array;
  private stamp = 0;
  /** Probe template: flip sets over bit RANKS (bit p = p-th closest hyperplane), cheapest first. */
  private readonly template: Int32Array;
  /** Probes per table actually used (home bucket included): min(probes, 2^K). */
  readonly probesPerTable: number;
  // Query scratch.
  private readonly z: Float64Array;
  private readonly qn: Float32Array;
  /** [L, K] bit indices of each table sorted by |margin| ascending. */
  private readonly order: Int32Array;
  private readonly home: Int32Array;
  /** Short-list scratch (grows as needed, at most nItems). */
  private cand = new Int32Array(1024);

  constructor(items: Float32Array, dim: number, rng: Rng, overrides: Partial<ApproxIndexConfig> = {}) {
    super(items, dim, 'ApproxIndex');
    this.config = resolveConfig('approxIndex', approxIndexSpec, overrides);
    const E = dim, n = this.nItems, cfg = this.config;
    const K = cfg.bits > 0 ? cfg.bits : Math.min(20, Math.max(1, Math.round(Math.log2(n / cfg.bucketSize))));
    const L = cfg.tables;
    this.bits = K;
    this.tables = L;
    const J = L * K;

    // Hyperplanes: Gaussian directions (uniform on the sphere) from the seeded stream, normalised so
    // the margins |h·x - o| used for probe ordering are Euclidean distances to the hyperplane.
    const hr = rng.fork('approxIndex.hyperplanes');
    this.planes = hr.fillNormal(new Float32Array(J * E));
    for (let j = 0; j < J; j++) {
      let s = 0;
      for (let k = 0; k < E; k++) s += this.planes[j * E + k] ** 2;
      const inv = 1 / Math.sqrt(s);
      for (let k = 0; k < E; k++) this.planes[j * E + k] *= inv;
    }
    this.offs = new Float64Array(J);
    if (cfg.center) {
      const mean = new Float32Array(E);
      const acc = new Float64Array(E);
      for (let i = 0; i < n; i++) for (let k = 0; k < E; k++) acc[k] += this.unit[i * E + k];
      for (let k = 0; k < E; k++) mean[k] = acc[k] / n;
      for (let j = 0; j < J; j++) this.offs[j] = dot(this.planes, j * E, mean, 0, E);
    }

    // Codes of all items, then a counting sort per table into CSR buckets.
    const nb = 1 << K;
    const codes = new Int32Array(L * n); // [L, n]
    const prog = n >= 200000 ? new Progress('ApproxIndex: hashing items', n, { unit: 'items' }) : null;
    for (let i = 0; i < n; i++) {
      if (prog && (i & 0xffff) === 0) prog.update(i);
      const io = i * E;
      for (let t = 0; t < L; t++) {
        let code = 0;
        for (let b = 0; b < K; b++) {
          const j = t * K + b;
          if (dot(this.unit, io, this.planes, j * E, E) - this.offs[j] > 0) code |= 1 << b;
        }
        codes[t * n + i] = code;
      }
    }
    prog?.finish();
    for (let t = 0; t < L; t++) {
      const start = new Int32Array(nb + 1);
      for (let i = 0; i < n; i++) start[codes[t * n + i] + 1]++;
      for (let c = 0; c < nb; c++) start[c + 1] += start[c];
      const fill = start.slice(0, nb);
      const mem = new Int32Array(n);
      for (let i = 0; i < n; i++) mem[fill[codes[t * n + i]]++] = i; // ids ascending within a bucket
      this.starts.push(start);
      this.members.push(mem);
    }

    this.seen = new Int32Array(n);
    this.z = new Float64Array(J);
    this.qn = new Float32Array(E);
    this.order = new Int32Array(J);
    this.home = new Int32Array(L);
    this.probesPerTable = Math.min(cfg.probes, 2 ** K);
    this.template = probeTemplate(K, this.probesPerTable - 1, rng.fork('approxIndex.probeTemplate'));
  }

  resetStats(): void {
    this.stats = { queries: 0, candidates: 0, scanned: 0, fallbacks: 0, exactPoolQueries: 0 };
  }

  mapStates(states: readonly SessionState[], protoActions: Float32Array, active: Uint8Array, out: Int32Array): void {
    const E = this.dim;
    for (let b = 0; b < states.length; b++) {
      if (!active[b]) continue;
      const st = states[b];
      if (st.kind === 'pool' && st.remaining() < this.config.exactPoolBelow) {
        this.stats.exactPoolQueries++;
        out[b] = st.argmax(protoActions, b * E);
        continue;
      }
      let pick = this.hashArgmax(protoActions, b * E, st);
      if (pick < 0) {
        this.stats.fallbacks++;
        pick = st.argmax(protoActions, b * E); // short list exhausted: exact scan of what remains
      }
      out[b] = pick;
    }
  }

  rank(protoActions: Float32Array, k: number, candidates?: Pool): Int32Array {
    const E = this.dim;
    const state: SessionState = candidates === null || candidates === undefined
      ? new CatalogState(this.unit, E, this.nItems)
      : new PoolState(this.unit, E, this.nItems, candidates, 'ApproxIndex.rank');
    const B = this.checkRank(protoActions, k, state.remaining());
    const out = new Int32Array(B * k);
    const top = new TopK(k);
    const exact = state.kind === 'pool' && state.remaining() < this.config.exactPoolBelow;
    for (let b = 0; b < B; b++) {
      top.reset();
      if (!exact) {
        const nc = this.shortList(protoActions, b * E, state);
        if (nc >= k) {
          const cand = this.cand;
          for (let c = 0; c < nc; c++) top.push(cand[c], dot(protoActions, b * E, this.unit, cand[c] * E, E));
        } else this.stats.fallbacks++;
      }
      if (top.size === 0) state.topK(protoActions, b * E, top); // exact (small pool or short list too short)
      out.set(top.sorted(), b * k);
    }
    return out;
  }

  /** Best available short-list item for q (Eq. (13) on the short list), or -1 when it has none. */
  private hashArgmax(q: Float32Array, qOff: number, st: SessionState): number {
    const nc = this.shortList(q, qOff, st);
    const E = this.dim, unit = this.unit, cand = this.cand;
    let best = -Infinity, bestId = -1;
    for (let c = 0; c < nc; c++) {
      const it = cand[c];
      const s = dot(q, qOff, unit, it * E, E);
      if (better(s, it, best, bestId)) {
        best = s;
        bestId = it;
      }
    }
    return bestId;
  }

  /** Fill this.cand[0..count) with the distinct available items of q's probed buckets; returns count. */
  private shortList(q: Float32Array, qOff: number, st: SessionState): number {
    const E = this.dim, K = this.bits, L = this.tables, z = this.z, order = this.order, home = this.home;
    this.stats.queries++;
    // Direction of q (the hash of a direction; |q| does not matter for the argmax).
    let nq = 0;
    for (let k = 0; k < E; k++) nq += q[qOff + k] * q[qOff + k];
    const inv = nq > 0 ? 1 / Math.sqrt(nq) : 0;
    for (let k = 0; k < E; k++) this.qn[k] = q[qOff + k] * inv;
    for (let j = 0; j < L * K; j++) z[j] = dot(this.qn, 0, this.planes, j * E, E) - this.offs[j];
    for (let t = 0; t < L; t++) {
      const zo = t * K;
      let h = 0;
      for (let b = 0; b < K; b++) {
        if (z[zo + b] > 0) h |= 1 << b;
        // insertion sort of this table's bits by |margin| (K <= 20)
        const m = Math.abs(z[zo + b]);
        let j = b - 1;
        while (j >= 0 && Math.abs(z[zo + order[zo + j]]) > m) {
          order[zo + j + 1] = order[zo + j];
          j--;
        }
        order[zo + j + 1] = b;
      }
      home[t] = h;
    }

    if (++this.stamp >= 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp, seen = this.seen, tpl = this.template;
    const filter = st.removedCount() > 0 || st.kind === 'pool';
    const budget = this.config.maxCandidates > 0 ? this.config.maxCandidates : Infinity;
    let cand = this.cand;
    let nc = 0, scanned = 0;
    probing: for (let r = 0; r < this.probesPerTable; r++) {
      for (let t = 0; t < L; t++) {
        let code = home[t];
        if (r > 0) {
          // flip the bits at the template's ranks: rank p -> this table's p-th closest hyperplane
          for (let m = tpl[r - 1]; m !== 0; m &= m - 1) code ^= 1 << order[t * K + 31 - Math.clz32(m & -m)];
        }
        const start = this.starts[t], mem = this.members[t];
        const b0 = start[code], e = start[code + 1];
        scanned += e - b0;
        if (nc + (e - b0) > cand.length) {
          const grown = new Int32Array(Math.min(this.nItems, Math.max(2 * cand.length, nc + e - b0)));
          grown.set(cand.subarray(0, nc));
          this.cand = cand = grown;
        }
        for (let p = b0; p < e; p++) {
          const it = mem[p];
          if (seen[it] === stamp) continue;
          seen[it] = stamp;
          if (filter && !st.has(it)) continue;
          cand[nc++] = it;
        }
        if (nc >= budget) break probing;
      }
    }
    this.stats.scanned += scanned;
    this.stats.candidates += nc;
    return nc;
  }
}

/**
 * The first `count` non-empty flip sets over bit ranks 0..K-1 (as bitmasks), in increasing order of
 * expected cost sum_{p in set} E[z_(p)^2], z_(p) = the p-th smallest of K |N(0,1)| margins (estimated
 * by Monte Carlo from `rng`). Enumerated with Lv et al.'s shift/expand heap, which yields every
 * non-empty subset exactly once, so count >= 2^K - 1 covers all buckets.
 */
function probeTemplate(K: number, count: number, rng: Rng): Int32Array {
  const out = new Int32Array(Math.max(0, count));
  if (count <= 0) return out;
  const S = 4000, w = new Float64Array(K), v = new Float64Array(K);
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < K; k++) v[k] = Math.abs(rng.normal());
    v.sort();
    for (let k = 0; k < K; k++) w[k] += (v[k] * v[k]) / S;
  }
  for (let k = 1; k < K; k++) if (w[k] < w[k - 1]) w[k] = w[k - 1]; // keep the weights monotone
  // Min-heap of (score, mask, max rank).
  const cap = 2 * count + 2;
  const hs = new Float64Array(cap), hm = new Int32Array(cap), hx = new Int32Array(cap);
  let size = 0;
  const push = (sc: number, mask: number, mx: number): void => {
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hs[p] <= sc) break;
      hs[i] = hs[p]; hm[i] = hm[p]; hx[i] = hx[p];
      i = p;
    }
    hs[i] = sc; hm[i] = mask; hx[i] = mx;
  };
  push(w[0], 1, 0);
  for (let c = 0; c < count && size > 0; c++) {
    const sc = hs[0], mask = hm[0], mx = hx[0];
    size--;
    if (size > 0) {
      const ls = hs[size], lm = hm[size], lx = hx[size];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const ch = l + 1 < size && hs[l + 1] < hs[l] ? l + 1 : l;
        if (hs[ch] >= ls) break;
        hs[i] = hs[ch]; hm[i] = hm[ch]; hx[i] = hx[ch];
        i = ch;
      }
      hs[i] = ls; hm[i] = lm; hx[i] = lx;
    }
    out[c] = mask;
    if (mx + 1 < K) {
      push(sc - w[mx] + w[mx + 1], (mask & ~(1 << mx)) | (1 << (mx + 1)), mx + 1); // shift
      push(sc + w[mx + 1], mask | (1 << (mx + 1)), mx + 1); // expand
    }
  }
  return out;
}
