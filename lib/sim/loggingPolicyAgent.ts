/**
 * The default world's logging policy acting inside a RecEnv whose backend is the ground-truth
 * model: it sees the true session state (as in log generation) and must obey the environment's
 * rules, so its draws are restricted to the session's remaining pool items by rejection sampling
 * (the logging policy's distribution conditioned on the allowed set). After `maxTries` rejected
 * draws it falls back to a uniformly drawn remaining pool item (counted in `fallbacks`).
 * With poolSize = the whole catalogue the only restriction left is "no repeats", so rolling it
 * reproduces the generator's behaviour up to the policy's rare repeats.
 */
import { LoggingPolicy } from '../data/world/loggingPolicy';
import { Rng } from '../util/rng';
import type { RecEnv } from './recEnv';
import type { TrueModelBackend } from './trueModelBackend';
import type { Observation } from './userBackend';

export class LoggingPolicyAgent {
  readonly policy: LoggingPolicy;
  fallbacks = 0;
  draws = 0;

  constructor(
    readonly env: RecEnv,
    readonly backend: TrueModelBackend,
    readonly rng: Rng,
    readonly maxTries = 200,
  ) {
    this.policy = new LoggingPolicy(backend.world);
  }

  /** One item per session for the observation `obs` of `env`. */
  act(obs: Observation): Int32Array {
    const B = this.env.batchSize;
    const P = this.env.poolSize;
    const out = new Int32Array(B);
    const noShown: number[] = [];
    for (let b = 0; b < B; b++) {
      const wu = this.backend.worldUsers[b];
      const st = this.backend.states[b];
      let pick = -1;
      for (let k = 0; k < this.maxTries && pick < 0; k++) {
        this.draws++;
        const i = this.backend.worldToItem[this.policy.choose(wu, st, noShown, this.rng)];
        if (i < 0) continue;
        const j = this.env.poolIndexOf(b, i);
        if (j >= 0 && obs.remaining[b * P + j]) pick = i;
      }
      if (pick < 0) {
        this.fallbacks++;
        let j: number;
        do j = this.rng.int(P);
        while (!obs.remaining[b * P + j]);
        pick = obs.pool[b * P + j];
      }
      out[b] = pick;
    }
    return out;
  }
}
