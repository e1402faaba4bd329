/**
 * Internal reward of the low-level agent (Section 2.3.3): the cosine similarity between the action
 * and the goal currently guiding it. A zero action or zero goal has no direction: reward 0.
 */
import { UsageError } from '../util/errors';

/** cos(a[aOff..aOff+E), g[gOff..gOff+E)), 0 when either vector is zero. Accumulates in float64. */
function cosineAt(a: ArrayLike<number>, aOff: number, g: ArrayLike<number>, gOff: number, E: number): number {
  let dot = 0, na = 0, ng = 0;
  for (let k = 0; k < E; k++) {
    const x = a[aOff + k], y = g[gOff + k];
    dot += x * y;
    na += x * x;
    ng += y * y;
  }
  if (na === 0 || ng === 0) return 0;
  const c = dot / (Math.sqrt(na) * Math.sqrt(ng));
  return c > 1 ? 1 : c < -1 ? -1 : c; // rounding can step just outside [-1, 1]
}

/** Eq. (12): r^in = a·g / (|a||g|) for one action and its current goal (same length E). */
export function internalReward(action: ArrayLike<number>, goal: ArrayLike<number>): number {
  if (action.length !== goal.length) {
    throw new UsageError(`internalReward: action has ${action.length} entries but goal has ${goal.length}`);
  }
  return cosineAt(action, 0, goal, 0, action.length); // Eq. (12)
}

/**
 * Eq. (12) over a batch: actions [B, E], goals [B, E] (row b = the goal guiding action b) -> [B].
 */
export function internalRewardBatch(actions: Float32Array, goals: Float32Array, E: number): Float32Array {
  if (!Number.isInteger(E) || E < 1) throw new UsageError(`internalRewardBatch: E must be an integer >= 1, got ${E}`);
  if (actions.length % E !== 0) throw new UsageError(`internalRewardBatch: actions length ${actions.length} is not a multiple of E=${E}`);
  if (goals.length !== actions.length) {
    throw new UsageError(`internalRewardBatch: goals length ${goals.length} != actions length ${actions.length} (both [B, ${E}])`);
  }
  const B = actions.length / E;
  const out = new Float32Array(B);
  for (let b = 0; b < B; b++) out[b] = cosineAt(actions, b * E, goals, b * E, E);
  return out;
}

/**
 * Eq. (12) when the replay stores all M goals: actions [B, E], goals [B, M, E], goalIdx [B] (0-based,
 * see goalSchedule.goalIndex) -> [B]; row b uses goals[b, goalIdx[b], :].
 */
export function internalRewardFromGoals(
  actions: Float32Array,
  goals: Float32Array,
  goalIdx: ArrayLike<number>,
  E: number,
  M: number,
): Float32Array {
  if (!Number.isInteger(E) || E < 1) throw new UsageError(`internalRewardFromGoals: E must be an integer >= 1, got ${E}`);
  if (!Number.isInteger(M) || M < 1) throw new UsageError(`internalRewardFromGoals: M must be an integer >= 1, got ${M}`);
  if (actions.length % E !== 0) throw new UsageError(`internalRewardFromGoals: actions length ${actions.length} is not a multiple of E=${E}`);
  const B = actions.length / E;
  if (goals.length !== B * M * E) {
    throw new UsageError(`internalRewardFromGoals: goals length ${goals.length} != B*M*E = ${B}*${M}*${E}`);
  }
  if (goalIdx.length !== B) throw new UsageError(`internalRewardFromGoals: goalIdx length ${goalIdx.length} != B=${B}`);
  const out = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    const j = goalIdx[b];
    if (!Number.isInteger(j) || j < 0 || j >= M) throw new UsageError(`internalRewardFromGoals: goalIdx[${b}]=${j} outside [0, ${M - 1}]`);
    out[b] = cosineAt(actions, b * E, goals, (b * M + j) * E, E); // Eq. (12)
  }
  return out;
}
