/**
 * Approximate Eq. (13) by hashing to compact binary codes (Section 3.1, ref. [17]): random-hyperplane
 * LSH (SimHash). Each of L tables hashes an item direction u to K sign bits sign(h_j·u - o_j); items
 * whose directions are close in angle agree on most bits. A query probes, in every table, its own
 * bucket and then Hamming-neighbour buckets in query-directed order (Lv et al. 2007, "multi-probe
 * LSH": flip first the bits whose hyperplanes the query is closest to). The union of those buckets is
 * the short list, re-ranked with the exact score (same `dot` as ExactIndex, same tie-break).
 *
 * Sessions: removed items (and items outside a large pool) are skipped in the short list; when the
 * short list holds no available item, the session falls back to the exact scan. Pools smaller than
 * `exactPoolBelow` are always scanned exactly (hashing cannot beat a 500-row scan).
 *
 * Probing every bucket (probes >= 2^bits) makes the short list the whole catalog, so results are
 * then identical to ExactIndex.
 */
import { bool, int, resolveConfig, type ConfigOf } from '../../util/config';
import type { Rng } from '../../util/rng';
import { BaseIndex, type Pool } from './itemIndex';
import { CatalogState, PoolState, type SessionState } from './sessionState';
import { better, dot, TopK } from './vectors';

export const approxIndexSpec = {
  tables: int(8, 'number of hash tables L (more tables: higher recall, more memory and hashing time)', { min: 1, max: 64 }),
  bits: int(0, 'bits per code K; 0 = auto: round(log2(nItems / bucketSize)) clamped to [1, 20]', { min: 0, max: 20 }),
  bucketSize: int(16, 'target mean items per bucket when bits = 0', { min: 1 }),
  probes: int(64, 'max buckets probed per table, home bucket included, in query-directed order (>= 2^bits probes everything)', { min: 1 }),
  maxCandidates: int(0, 'stop probing once the short list holds this many distinct items (0 = no budget)', { min: 0 }),
  center: bool(true, 'hash item directions relative to their mean direction (spreads clustered catalogs over more buckets)'),
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
  // Query scratch.
  private readonly z: Float64Array;
  private readonly qn: Float32Array;
  private readonly order: Int32Array;
  private readonly w: Float64Array;
  private hScore = new Float64Array(64);
  private hFlip = new Int32Array(64);
  private hMax = new Int32Array(64);
  /** Probe plan, [L, P]: bit-flip masks and their scores per table ([t, 0] = home bucket, score 0). */
  private flips = new Int32Array(64);
  private flipScore = new Float64Array(64);
  private readonly home: Int32Array;
  private readonly nFlips: Int32Array;
  private readonly head: Int32Array;
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
    for (let i = 0; i < n; i++) {
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
    this.order = new Int32Array(K);
    this.w = new Float64Array(K);
    this.home = new Int32Array(L);
    this.nFlips = new Int32Array(L);
    this.head = new Int32Array(L);
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
    const E = this.dim, K = this.bits, L = this.tables;
    this.stats.queries++;
    // Direction of q (the hash of a direction; |q| does not matter for the argmax).
    let nq = 0;
    for (let k = 0; k < E; k++) nq += q[qOff + k] * q[qOff + k];
    const inv = nq > 0 ? 1 / Math.sqrt(nq) : 0;
    for (let k = 0; k < E; k++) this.qn[k] = q[qOff + k] * inv;
    for (let j = 0; j < L * K; j++) this.z[j] = dot(this.qn, 0, this.planes, j * E, E) - this.offs[j];

    if (++this.stamp >= 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp, seen = this.seen;
    const filter = st.removedCount() > 0 || st.kind === 'pool';
    const P = Math.min(this.config.probes, 2 ** K);
    if (this.flips.length < L * P) {
      this.flips = new Int32Array(L * P);
      this.flipScore = new Float64Array(L * P);
    }
    const flips = this.flips, fsc = this.flipScore, home = this.home, nf = this.nFlips, head = this.head;
    // Per table: home bucket (score 0) then up to P-1 neighbours, each list sorted by score.
    for (let t = 0; t < L; t++) {
      const zo = t * K;
      let h = 0;
      for (let b = 0; b < K; b++) if (this.z[zo + b] > 0) h |= 1 << b;
      home[t] = h;
      flips[t * P] = 0;
      fsc[t * P] = 0;
      nf[t] = 1 + this.probeNeighbours(zo, P - 1, t * P);
      head[t] = 0;
    }
    // Visit buckets of all tables in one global order of increasing score (an L-way merge), so a
    // candidate budget is spent on the most promising buckets first.
    const budget = this.config.maxCandidates > 0 ? this.config.maxCandidates : Infinity;
    let cand = this.cand;
    let nc = 0, scanned = 0;
    for (;;) {
      let tb = -1, sb = Infinity;
      for (let t = 0; t < L; t++) {
        if (head[t] < nf[t] && fsc[t * P + head[t]] < sb) {
          sb = fsc[t * P + head[t]];
          tb = t;
        }
      }
      if (tb < 0 || nc >= budget) break;
      const code = home[tb] ^ flips[tb * P + head[tb]++];
      const start = this.starts[tb], mem = this.members[tb];
      const e = start[code + 1];
      scanned += e - start[code];
      if (nc + (e - start[code]) > cand.length) {
        const grown = new Int32Array(Math.min(this.nItems, Math.max(2 * cand.length, nc + e - start[code])));
        grown.set(cand.subarray(0, nc));
        this.cand = cand = grown;
      }
      for (let p = start[code]; p < e; p++) {
        const it = mem[p];
        if (seen[it] === stamp) continue;
        seen[it] = stamp;
        if (filter && !st.has(it)) continue;
        cand[nc++] = it;
      }
    }
    this.stats.scanned += scanned;
    this.stats.candidates += nc;
    return nc;
  }

  /**
   * Query-directed multi-probe: write up to `count` bit-flip masks to flips[base+1..] in increasing order
   * of the sum of squared margins of the flipped bits (Lv et al.'s shift/expand heap over the bits
   * sorted by |z|; it enumerates every non-empty subset exactly once). Returns how many were written.
   */
  private probeNeighbours(zo: number, count: number, base: number): number {
    if (count <= 0) return 0;
    const K = this.bits, order = this.order, w = this.w, z = this.z;
    for (let b = 0; b < K; b++) order[b] = b;
    // Insertion sort of bit positions by margin (K <= 20).
    for (let i = 1; i < K; i++) {
      const v = order[i], m = Math.abs(z[zo + v]);
      let j = i - 1;
      while (j >= 0 && Math.abs(z[zo + order[j]]) > m) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = v;
    }
    for (let p = 0; p < K; p++) w[p] = z[zo + order[p]] ** 2;
    if (this.hScore.length < 2 * count + 2) {
      this.hScore = new Float64Array(2 * count + 2);
      this.hFlip = new Int32Array(2 * count + 2);
      this.hMax = new Int32Array(2 * count + 2);
    }
    const hs = this.hScore, hf = this.hFlip, hm = this.hMax;
    let size = 0;
    const push = (s: number, f: number, m: number): void => {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (hs[p] <= s) break;
        hs[i] = hs[p]; hf[i] = hf[p]; hm[i] = hm[p];
        i = p;
      }
      hs[i] = s; hf[i] = f; hm[i] = m;
    };
    const flips = this.flips, fsc = this.flipScore; // sized by shortList: >= base + count + 1
    let emitted = 0;
    push(w[0], 1 << order[0], 0);
    for (let c = 0; c < count && size > 0; c++) {
      const s = hs[0], f = hf[0], m = hm[0];
      // pop
      size--;
      if (size > 0) {
        const ls = hs[size], lf = hf[size], lm = hm[size];
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= size) break;
          const r = l + 1;
          const ch = r < size && hs[r] < hs[l] ? r : l;
          if (hs[ch] >= ls) break;
          hs[i] = hs[ch]; hf[i] = hf[ch]; hm[i] = hm[ch];
          i = ch;
        }
        hs[i] = ls; hf[i] = lf; hm[i] = lm;
      }
      emitted++;
      flips[base + emitted] = f;
      fsc[base + emitted] = s;
      if (m + 1 < K) {
        const nb = 1 << order[m + 1];
        push(s - w[m] + w[m + 1], f ^ (1 << order[m]) ^ nb, m + 1); // shift
        push(s + w[m + 1], f ^ nb, m + 1); // expand
      }
    }
    return emitted;
  }
}
