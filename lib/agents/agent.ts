/**
 * What the trainer (Algorithm 2) needs from a learning recommender on top of `Policy`:
 *
 *   items = agent.select(state, cands, pools, true);   // Algorithm 2 lines 9-14 (goals when due, Alg. 1)
 *   res   = env.step(items);                           // line 15-16
 *   info  = agent.observe({ state, items, reward, feedback, next, done }, true);  // lines 17, 19-21
 *   agent.update();                                    // lines 22-27
 *
 * `observe` must follow the `select` it answers (same t, same items). With `store = false` it only
 * computes the per-step quantities (internal reward, benefit assignment) without touching the
 * replay buffers (traces of test sessions).
 */
import type { AgentState, Policy } from './policy';
import type { UpdateStats } from './ddpgCore';

/** The environment's answer to one `select` of B sessions. */
export interface StepOutcome {
  /** The state `select` saw. */
  state: AgentState;
  /** [B] the items `select` returned. */
  items: Int32Array;
  /** [B] external reward r_ex. */
  reward: Float32Array;
  /** [B] Feedback (0 skip, 1 click, 2 order). */
  feedback: Uint8Array;
  /** The state after the step (t + 1). */
  next: AgentState;
  /** The sessions ended with this step (no bootstrap from `next`). */
  done: boolean;
}

/** A goal period that ended at this step (HRL, HRL-MG). */
export interface PeriodEnd {
  /** Steps the period lasted: c, or fewer when the session ended first. */
  steps: number;
  /** Whether the high-level transition went into D^h (false: not storing, or a dropped partial period). */
  stored: boolean;
  /** Eq. (14) phi^0 [B, M]. */
  phi0: Float32Array;
  /** Eq. (15) phi' [B, M]: the high-level rewards r_i^high (what D^h receives). */
  phi: Float32Array;
  /** [B] total external reward of the period. */
  reward: Float32Array;
}

/** Everything computed for one lock-step step of B sessions (logs and traces read it). */
export interface StepInfo {
  /** Step index in the session (0-based) of the action. */
  t: number;
  items: Int32Array; // [B]
  rEx: Float32Array; // [B]
  /** Eq. (12) internal reward [B]; null for agents without goals. */
  rIn: Float32Array | null;
  /** [B] the reward the low level learns from: r_ex + alpha r_in (Eq. 3), or r_ex. */
  rLow: Float32Array;
  /** 0-based index of the goal guiding this step; -1 without goals. */
  goalIndex: number;
  /** The goals of the current period [M, B, E] (after exploration noise); null without goals. */
  goals: Float32Array | null;
  /** The proto-actions [B, E] before exploration noise; null for agents without an actor. */
  proto: Float32Array | null;
  /** [B] 1 where the item came from epsilon exploration instead of the policy. */
  randomPick: Uint8Array;
  /** Set when a goal period ended with this step. */
  period: PeriodEnd | null;
}

/** Statistics of the updates run by one `update()` call (null: that level did not update). */
export interface UpdateInfo {
  low: UpdateStats | null;
  high: UpdateStats | null;
}

/** Current exploration rates (0 when the method has no such exploration). */
export interface ExplorationRates {
  actionNoise: number;
  goalNoise: number;
  epsilon: number;
}

export interface TrainableAgent extends Policy {
  /** Method id in the registry (methods.ts): 'hrl-mg', 'hrl', 'ddpg', 'dnn', ... */
  readonly method: string;
  /** The resolved config (JSON-able). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Item embedding table [nItems, E] the agent acts in. */
  readonly table: Float32Array;
  readonly nItems: number;
  readonly E: number;
  readonly N: number;
  /** Number of goals (0 without goals). */
  readonly M: number;
  /** Training transitions seen with explore = true (drives the exploration schedules). */
  readonly exploreSteps: number;
  /** Counters of updates actually run per level. */
  readonly updateCounts: { low: number; high: number };
  exploration(): ExplorationRates;
  observe(o: StepOutcome, store: boolean): StepInfo;
  /** One update of every level that is warm (Algorithm 2 lines 23-27). */
  update(): UpdateInfo;
  /** Networks + agent.json (config) into folder `dir`, atomically. Load with `loadAgent`. */
  save(dir: string): Promise<void>;
  /** Overwrite the networks with those `save()` wrote to `dir` (same method, config and catalogue, else UsageError). */
  loadWeights(dir: string): Promise<void>;
  /** Everything for a bit-identical resume (networks, Adam, targets, replay buffers, Rng states, counters). */
  saveCheckpoint(dir: string): Promise<void>;
  loadCheckpoint(dir: string): Promise<void>;
  /** Every weight of every network (online, target, Adam moments) as flat arrays, for comparisons. */
  weightArrays(): Float32Array[];
  dispose(): void;
}
