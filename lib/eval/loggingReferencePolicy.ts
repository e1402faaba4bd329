/**
 * The default world's logging policy (lib/data/world/loggingPolicy.ts, the system that wrote the
 * log) as a Policy for the online test: a reference between random and the oracles. Like
 * lib/sim/loggingPolicyAgent.ts it sees the true session state (as during log generation) and obeys
 * the environment's rules: its draws are restricted to the session's remaining candidates by
 * rejection sampling (its distribution conditioned on the allowed set); after `maxTries` rejected
 * draws it takes a uniformly drawn remaining candidate (counted in `fallbacks`).
 *
 * Like the oracles it must act in an env built on its backend OBJECT (onlineTest shares the
 * template's backend), so `backend.states[b]` is session b's current hidden state at select() time.
 */
import { UsageError } from '../util/errors';
import type { Rng } from '../util/rng';
import { LoggingPolicy } from '../data/world/loggingPolicy';
import { pickRandomRemaining } from '../agents/exploration';
import type { AgentState, Policy } from '../agents/policy';
import type { SessionBatch } from '../agents/mapping/itemIndex';
import type { TrueModelBackend } from '../sim/trueModelBackend';

export class LoggingReferencePolicy implements Policy {
  readonly name = 'logging-policy';
  readonly policy: LoggingPolicy;
  /** Picks that fell back to a uniform remaining candidate / draws made. */
  fallbacks = 0;
  draws = 0;
  private readonly noShown: number[] = [];

  constructor(
    readonly backend: TrueModelBackend,
    private readonly rng: Rng,
    readonly maxTries = 200,
  ) {
    this.policy = new LoggingPolicy(backend.world);
  }

  select(_state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, _explore: boolean): Int32Array {
    const B = cands.size;
    const be = this.backend;
    if (pools.length !== B) throw new UsageError(`${this.name}.select: ${pools.length} pools for ${B} candidate sessions`);
    if (be.states.length !== B) {
      throw new UsageError(`${this.name}.select: the true-model backend holds ${be.states.length} sessions, the env ${B} (the policy must act in an env built on its backend)`);
    }
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      let pick = -1;
      for (let k = 0; k < this.maxTries && pick < 0; k++) {
        this.draws++;
        const i = be.worldToItem[this.policy.choose(be.worldUsers[b], be.states[b], this.noShown, this.rng)];
        if (i >= 0 && cands.has(b, i)) pick = i;
      }
      if (pick >= 0) cands.remove(b, pick);
      else {
        this.fallbacks++;
        pick = pickRandomRemaining(cands, b, pools[b], this.rng);
      }
      out[b] = pick;
    }
    return out;
  }
}
