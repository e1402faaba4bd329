/**
 * What every recommender (HRL-MG, HRL, DDPG, DNN, random, logging) offers the evaluators and the
 * trainer: pick one item for each of B parallel sessions from that session's remaining candidates.
 *
 * The candidates live in a `SessionBatch` (lib/agents/mapping): the policy must pick only items
 * `cands.has(b, item)` and remove what it picks (`cands.map(proto)` does both for actor-based agents,
 * Algorithm 1; score-based agents such as DNN call `cands.remove(b, item)` on their argmax).
 * `pools[b]` lists session b's candidate items (some already removed) for policies that enumerate.
 */
import type { SessionBatch } from './mapping/itemIndex';

/** The observable state of B sessions; histories are [B*N] (item index + 1, 0 = padding, most recent last). */
export interface AgentState {
  /** Steps already taken in these sessions (0 at a session start). */
  t: number;
  browsed: Int32Array;
  clicked: Int32Array;
  ordered: Int32Array;
}

export interface Policy {
  readonly name: string;
  /**
   * Choose and remove one item per session: Int32Array [B]. `explore` adds the policy's training-time
   * exploration (false for the online and offline tests).
   */
  select(state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, explore: boolean): Int32Array;
}
