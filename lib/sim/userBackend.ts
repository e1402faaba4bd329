/**
 * The environment's view of users: an observation of a batch of sessions, and the backend that
 * turns (observation, recommended item) into feedback probabilities.
 */
import type { Rng } from '../util/rng';
import type { SimDataset } from './types';

/**
 * A batch of B sessions at step t. Histories follow the dataset's convention (item index + 1,
 * 0 = padding, left-padded, most recent last), each [B*N]. The high-level state s^h is built from
 * (clicked, ordered), the low-level state s^l from (browsed, clicked) (paper section 2.1).
 *
 * The candidate pool is a flat [B*poolSize] array: row b = session b's pool, fixed for the whole
 * session (never mutate it). `remaining` [B*poolSize] marks the pool entries not yet shown (1) —
 * Algorithm 1 removes each recommended item from the session's item set. Every step returns fresh
 * history and `remaining` arrays, so observations can be stored as they are.
 */
export interface Observation {
  /** Steps already taken in this session (0 after reset). */
  t: number;
  browsed: Int32Array; // [B*N]
  clicked: Int32Array; // [B*N]
  ordered: Int32Array; // [B*N]
  pool: Int32Array; // [B*poolSize] item indices
  remaining: Uint8Array; // [B*poolSize] 1 = may still be recommended
}

/** Where feedback comes from: the learned simulator or a ground-truth user model. */
export interface UserBackend {
  readonly name: string;
  /** Called once by the environment: throw a UsageError if the backend does not fit `ds`. */
  attach?(ds: SimDataset): void;
  /**
   * A new batch of sessions starts: `users` [B] (dense user indices of the prepared dataset), the
   * initial observation, and the environment's stream for any randomness the backend needs.
   */
  reset(users: Int32Array, obs: Observation, rng: Rng): void;
  /** P(skip), P(click), P(order) of session b for items[b], in the state `obs`: [B*3]. */
  probs(obs: Observation, items: Int32Array): Float32Array;
  /** The feedback the environment sampled (stateful backends advance their hidden state). */
  observe(items: Int32Array, feedback: Uint8Array): void;
}
