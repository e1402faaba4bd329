/**
 * k-nearest mapping re-ranked by a critic (Wolpertinger, Dulac-Arnold et al. 2015, "Deep RL in large
 * discrete action spaces", section 4): instead of Eq. (13)'s single most cosine-similar item, take
 * the proto-action's k most cosine-similar REMAINING candidates and execute the one the critic
 * scores highest, Q(s, a_i). k = 1 is Eq. (13) exactly. The picked item is removed from its session
 * (Algorithm 1 line 3), as `SessionBatch.map` does.
 *
 *   const items = criticRerankMap(cands, proto, k, (rows, items) => qOf(rows, items), active);
 *
 * `score(rows, items)` gets one flat list of (session row, item) pairs for the whole batch (so the
 * critic runs once, batched) and returns one Q per pair. Ties in Q go to the nearer item.
 */
import { UsageError } from '../../util/errors';
import type { SessionBatch } from './itemIndex';

/** Q(s_rows[j], item_j) for every pair j: Float32Array/number[] [pairs]. */
export type PairScorer = (rows: Int32Array, items: Int32Array) => ArrayLike<number>;

/** Candidate lists of the active sessions: flat (row, item) pairs and each session's [start, end). */
export function nearestCandidates(cands: SessionBatch, protoActions: Float32Array, E: number, k: number, active?: ArrayLike<number | boolean>): { rows: Int32Array; items: Int32Array; start: Int32Array } {
  const B = cands.size;
  if (protoActions.length !== B * E) throw new UsageError(`criticRerank: protoActions has ${protoActions.length} values, expected [B=${B}, E=${E}]`);
  const lists: Int32Array[] = [];
  const start = new Int32Array(B + 1);
  let n = 0;
  for (let b = 0; b < B; b++) {
    start[b] = n;
    const l = active === undefined || active[b] ? cands.nearest(b, protoActions, b * E, k) : new Int32Array(0);
    lists.push(l);
    n += l.length;
  }
  start[B] = n;
  const rows = new Int32Array(n), items = new Int32Array(n);
  for (let b = 0; b < B; b++) {
    rows.fill(b, start[b], start[b + 1]);
    items.set(lists[b], start[b]);
  }
  return { rows, items, start };
}

/**
 * Wolpertinger's action for every active session: argmax_{i in kNN(proto_b)} score(b, i), removed
 * from the session. Inactive sessions get -1 (as SessionBatch.map).
 */
export function criticRerankMap(cands: SessionBatch, protoActions: Float32Array, E: number, k: number, score: PairScorer, active?: ArrayLike<number | boolean>): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`criticRerank: k must be an integer >= 1, got ${k}`);
  const B = cands.size;
  const { rows, items, start } = nearestCandidates(cands, protoActions, E, k, active);
  const q = items.length > 0 ? score(rows, items) : new Float32Array(0);
  if (q.length !== items.length) throw new UsageError(`criticRerank: the scorer returned ${q.length} values for ${items.length} pairs`);
  const out = new Int32Array(B).fill(-1);
  for (let b = 0; b < B; b++) {
    if (start[b] === start[b + 1]) continue;
    let best = start[b];
    for (let j = start[b] + 1; j < start[b + 1]; j++) if (q[j] > q[best]) best = j; // strict: ties to the nearer item
    out[b] = items[best];
    if (!cands.remove(b, out[b])) throw new Error(`criticRerank: internal error, session ${b} could not remove item ${out[b]}`);
  }
  return out;
}
