/**
 * Actual action mapping (Section 3.1, Eq. (13); Appendix B.1, Algorithm 1): a proto-action â from
 * the low-level actor is mapped to the remaining item with the highest cosine similarity, and that
 * item is removed from the session's candidate set so it is never recommended twice.
 *
 * One interface, two implementations: ExactIndex (brute force) and ApproxIndex (random-hyperplane
 * LSH, the hashing alternative of Section 3.1 / ref. [17]). Both normalise the item table once at
 * construction; since |â| > 0 does not change the argmax, the score is â · a_i/|a_i|.
 *
 *   const index = new ExactIndex(itemEmb, 50);
 *   const sess = index.sessions([pool0, pool1]);    // B = 2 parallel sessions (null = whole catalog)
 *   const items = sess.map(protoActions);           // [B, E] -> Int32Array [B]; each item removed
 *   sess.remove(0, shownItem);                       // an item shown by other means
 *
 * Ties (equal scores) go to the lower item id, in both implementations.
 */
import { UsageError } from '../../util/errors';
import { CatalogState, PoolState, type SessionState } from './sessionState';
import { normaliseRows, TopK } from './vectors';

/** A candidate pool; null/undefined means the whole catalog. */
export type Pool = ArrayLike<number> | null | undefined;

export interface ItemIndex {
  /** Number of items in the catalog. */
  readonly nItems: number;
  /** Embedding dimension E. */
  readonly dim: number;
  /** Normalised item table [nItems, E] (a zero item stays zero). */
  readonly unit: Float32Array;
  /** One session over `candidates` (default: the whole catalog). */
  session(candidates?: Pool): SessionBatch;
  /** B parallel sessions: a count (all whole-catalog) or one pool per session. */
  sessions(pools: number | ReadonlyArray<Pool>): SessionBatch;
  /**
   * Best k items per proto-action, without removing anything: protoActions [B, E] -> Int32Array [B, k]
   * (best first). With `candidates`, only those items are ranked (offline re-ranking).
   */
  rank(protoActions: Float32Array, k: number, candidates?: Pool): Int32Array;
}

/** What a SessionBatch needs from its index. */
export interface SessionMapper {
  readonly nItems: number;
  readonly dim: number;
  /** Fill out[b] for every b with active[b] (sessions non-empty, queries validated). */
  mapStates(states: readonly SessionState[], protoActions: Float32Array, active: Uint8Array, out: Int32Array): void;
}

/** B parallel sessions, each with its own remaining candidate set. */
export class SessionBatch {
  constructor(
    private readonly mapper: SessionMapper,
    /** Per-session state (exposed for the indexes and tests; treat as read-only). */
    readonly states: readonly SessionState[],
  ) {}

  /** Number of sessions B. */
  get size(): number {
    return this.states.length;
  }

  /** Items still available to session b. */
  remaining(b: number): number {
    return this.state(b, 'remaining').remaining();
  }

  /** Whether item is still available to session b. */
  has(b: number, item: number): boolean {
    return this.state(b, 'has').has(item);
  }

  /**
   * Remove an item from session b (e.g. shown by another channel). Returns false when it was not
   * available (already removed, or outside the session's pool).
   */
  remove(b: number, item: number): boolean {
    const st = this.state(b, 'remove');
    if (!Number.isInteger(item) || item < 0 || item >= this.mapper.nItems) {
      throw new UsageError(`SessionBatch.remove: item ${item} is not an item id in [0, ${this.mapper.nItems})`);
    }
    return st.remove(item);
  }

  /**
   * Algorithm 1 for every session: protoActions [B, E] -> Int32Array [B] of the most cosine-similar
   * remaining items (Eq. (13)), each removed from its session. With `active` ([B], 0/1), inactive
   * sessions are skipped and get -1 (e.g. sessions of a batch that have already ended).
   */
  map(protoActions: Float32Array, active?: ArrayLike<number | boolean>): Int32Array {
    const B = this.states.length, E = this.mapper.dim;
    if (!(protoActions instanceof Float32Array)) throw new UsageError('SessionBatch.map: protoActions must be a Float32Array [B, E]');
    if (protoActions.length !== B * E) {
      throw new UsageError(`SessionBatch.map: protoActions has ${protoActions.length} values, expected [B=${B}, E=${E}] = ${B * E}`);
    }
    if (active !== undefined && active.length !== B) throw new UsageError(`SessionBatch.map: active has ${active.length} entries, expected B=${B}`);
    const act = new Uint8Array(B);
    for (let b = 0; b < B; b++) {
      act[b] = active === undefined || active[b] ? 1 : 0;
      if (!act[b]) continue;
      const st = this.states[b];
      if (st.remaining() === 0) {
        throw new UsageError(`SessionBatch.map: session ${b} has no remaining candidates (all ${st.removedCount()} items already used)`);
      }
      for (let k = 0; k < E; k++) {
        const x = protoActions[b * E + k];
        if (!Number.isFinite(x)) throw new UsageError(`SessionBatch.map: proto-action ${b} has a non-finite value ${x} at dimension ${k}`);
      }
    }
    const out = new Int32Array(B).fill(-1);
    this.mapper.mapStates(this.states, protoActions, act, out);
    for (let b = 0; b < B; b++) {
      if (!act[b]) continue;
      if (out[b] < 0 || !this.states[b].remove(out[b])) throw new Error(`SessionBatch.map: internal error, session ${b} got item ${out[b]}`);
    }
    return out; // Algorithm 1 line 3 done above: every picked item is removed
  }

  /**
   * The min(k, remaining) remaining items of session b most cosine-similar to the proto-action
   * q[qOff..qOff+E), best first (exact, whatever the index; ties to the lower id), nothing removed.
   * k = 1 gives the item Eq. (13) maps to.
   */
  nearest(b: number, q: Float32Array, qOff: number, k: number): Int32Array {
    const st = this.state(b, 'nearest');
    if (!Number.isInteger(k) || k < 1) throw new UsageError(`SessionBatch.nearest: k must be an integer >= 1, got ${k}`);
    const n = Math.min(k, st.remaining());
    if (n === 0) throw new UsageError(`SessionBatch.nearest: session ${b} has no remaining candidates`);
    const top = new TopK(n);
    st.topK(q, qOff, top);
    return top.sorted();
  }

  private state(b: number, what: string): SessionState {
    if (!Number.isInteger(b) || b < 0 || b >= this.states.length) {
      throw new UsageError(`SessionBatch.${what}: session ${b} outside [0, ${this.states.length})`);
    }
    return this.states[b];
  }
}

/** Shared construction, session creation and argument checks for the two indexes. */
export abstract class BaseIndex implements ItemIndex, SessionMapper {
  readonly nItems: number;
  readonly unit: Float32Array;

  constructor(items: Float32Array, readonly dim: number, protected readonly name: string) {
    this.unit = normaliseRows(items, dim, name); // [nItems, E], a_i / |a_i| computed once (Section 3.1)
    this.nItems = items.length / dim;
  }

  session(candidates?: Pool): SessionBatch {
    return this.sessions([candidates]);
  }

  sessions(pools: number | ReadonlyArray<Pool>): SessionBatch {
    let list: ReadonlyArray<Pool>;
    if (typeof pools === 'number') {
      if (!Number.isInteger(pools) || pools < 1) throw new UsageError(`${this.name}.sessions: count must be an integer >= 1, got ${pools}`);
      list = new Array<Pool>(pools).fill(null);
    } else {
      if (!Array.isArray(pools) || pools.length === 0) throw new UsageError(`${this.name}.sessions: need a count or a non-empty array of pools`);
      list = pools;
    }
    const states = list.map((p, b) => this.makeState(p, `${this.name}.sessions (session ${b})`));
    return new SessionBatch(this, states);
  }

  protected makeState(pool: Pool, where: string): SessionState {
    return pool === null || pool === undefined
      ? new CatalogState(this.unit, this.dim, this.nItems)
      : new PoolState(this.unit, this.dim, this.nItems, pool, where);
  }

  /** Validate rank() arguments; returns B. */
  protected checkRank(protoActions: Float32Array, k: number, available: number): number {
    const E = this.dim;
    if (!(protoActions instanceof Float32Array)) throw new UsageError(`${this.name}.rank: protoActions must be a Float32Array [B, E]`);
    if (protoActions.length === 0 || protoActions.length % E !== 0) {
      throw new UsageError(`${this.name}.rank: protoActions length ${protoActions.length} is not a positive multiple of E=${E}`);
    }
    for (let i = 0; i < protoActions.length; i++) {
      if (!Number.isFinite(protoActions[i])) throw new UsageError(`${this.name}.rank: proto-action ${Math.floor(i / E)} has a non-finite value`);
    }
    if (!Number.isInteger(k) || k < 1 || k > available) throw new UsageError(`${this.name}.rank: k must be an integer in [1, ${available}], got ${k}`);
    return protoActions.length / E;
  }

  abstract mapStates(states: readonly SessionState[], protoActions: Float32Array, active: Uint8Array, out: Int32Array): void;
  abstract rank(protoActions: Float32Array, k: number, candidates?: Pool): Int32Array;
}
