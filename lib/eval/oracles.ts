/**
 * Oracle policies for the default world: they read the TRUE hidden session state (mission, intent,
 * fatigue memory) of the ground-truth backend and score every remaining candidate with the true
 * user model. They are the yardstick every agent is read against (docs/deviations.md, "headroom
 * captured"), run through the same RecEnv, pools and test sessions as every agent.
 *
 *   greedy-click   argmax_i P(click or order | u, s, i)                        (a click chaser)
 *   greedy-reward  argmax_i E[r | u, s, i] = r_skip P(skip) + r_click P(click) + r_order P(order)
 *
 * Both are one-step greedy: they ignore how the item moves the hidden state (intent, fatigue). A
 * policy that plans can do better; how much better is the world's planning headroom.
 *
 * The policy shares the backend OBJECT with the env it acts in (onlineTest builds its fresh env from
 * the template's backend), so at select() time `backend.states[b]` is session b's current state.
 * Ties go to the earlier pool position (deterministic).
 */
import { UsageError } from '../util/errors';
import type { AgentState, Policy } from '../agents/policy';
import type { SessionBatch } from '../agents/mapping/itemIndex';
import type { TrueModelBackend } from '../sim/trueModelBackend';
import type { Rewards } from '../sim/recEnv';

export const ORACLE_KINDS = ['greedy-click', 'greedy-reward'] as const;
export type OracleKind = (typeof ORACLE_KINDS)[number];

/** Per-feedback weights [skip, click, order] of an oracle's one-step score. */
export function oracleWeights(kind: OracleKind, rewards: Rewards): [number, number, number] {
  if (kind === 'greedy-click') return [0, 1, 1];
  if (kind === 'greedy-reward') return [rewards.skip, rewards.click, rewards.order];
  throw new UsageError(`unknown oracle '${String(kind)}' (known: ${ORACLE_KINDS.join(', ')})`);
}

export class GreedyOraclePolicy implements Policy {
  readonly name: string;
  private readonly w: [number, number, number];
  private readonly p = new Float64Array(3);

  constructor(
    readonly backend: TrueModelBackend,
    readonly kind: OracleKind,
    rewards: Rewards,
  ) {
    this.w = oracleWeights(kind, rewards);
    this.name = `oracle-${kind}`;
  }

  select(_state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, _explore: boolean): Int32Array {
    const B = cands.size;
    const be = this.backend;
    if (pools.length !== B) throw new UsageError(`${this.name}.select: ${pools.length} pools for ${B} candidate sessions`);
    if (be.states.length !== B) {
      throw new UsageError(`${this.name}.select: the true-model backend holds ${be.states.length} sessions, the env ${B} (the oracle must act in an env built on its backend)`);
    }
    const [w0, w1, w2] = this.w;
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const pool = pools[b];
      const user = be.worldUsers[b];
      const st = be.states[b];
      let best = -1;
      let bestScore = -Infinity;
      for (let j = 0; j < pool.length; j++) {
        const item = pool[j];
        if (!cands.has(b, item)) continue;
        const p = be.model.probs(user, st, be.itemToWorld[item], this.p);
        const s = w0 * p[0] + w1 * p[1] + w2 * p[2];
        if (s > bestScore) {
          bestScore = s;
          best = item;
        }
      }
      if (best < 0) throw new UsageError(`${this.name}.select: session ${b} has no remaining candidate`);
      cands.remove(b, best);
      out[b] = best;
    }
    return out;
  }
}

/**
 * Headroom captured: h = (policy - random) / (oracle - random), per session length, where oracle is
 * the greedy-reward oracle's mean reward on the same sessions. 0 = random, 1 = the greedy oracle;
 * above 1 is possible for a policy that plans. NaN when the oracle does not beat random.
 */
export function headroomCaptured(policy: number, random: number, oracle: number): number {
  const gap = oracle - random;
  if (!(gap > 0) || !Number.isFinite(policy)) return NaN;
  return (policy - random) / gap;
}
