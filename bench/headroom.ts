/**
 * Headroom captured h (lib/eval/oracles.ts) of a policy on the default world's TRUE user model, on
 * short and long test sessions: the policy, random and the greedy-reward oracle on the same users,
 * pools and feedback draws (onlineTest pairing). Shared by bench/agentDiagnostics.ts and
 * bench/agentSweep.ts; the references are computed once per (sessions, seed) and cached.
 */
import { RandomPolicy } from '../lib/agents/randomPolicy';
import type { Policy } from '../lib/agents/policy';
import { GreedyOraclePolicy, headroomCaptured } from '../lib/eval/oracles';
import { onlineTest } from '../lib/eval/onlineTest';
import { RecEnv } from '../lib/sim/recEnv';
import type { SimDataset } from '../lib/sim/types';
import type { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { Rng } from '../lib/util/rng';

export interface HeadroomOptions {
  sessions: number;
  seed: number;
  shortT: number;
  longT: number;
  poolSize: number;
}
export const DEFAULT_HEADROOM: HeadroomOptions = { sessions: 200, seed: 2019, shortT: 50, longT: 300, poolSize: 500 };

export interface HeadroomRow {
  T: number;
  policy: number;
  random: number;
  oracle: number;
  h: number;
}

const refs = new Map<string, { random: number; oracle: number }>();

function envOf(ds: SimDataset, backend: TrueModelBackend, o: HeadroomOptions, T: number): RecEnv {
  return new RecEnv(ds, backend, { batchSize: 64, T, poolSize: o.poolSize, seed: o.seed, split: 'test' });
}

/** Mean session reward of `policy` and h on short and long sessions. */
export function headroom(policy: Policy, ds: SimDataset, backend: TrueModelBackend, o: HeadroomOptions = DEFAULT_HEADROOM): { short: HeadroomRow; long: HeadroomRow } {
  const row = (T: number): HeadroomRow => {
    const env = envOf(ds, backend, o, T);
    const key = `${T}/${o.sessions}/${o.seed}/${o.poolSize}`;
    let ref = refs.get(key);
    if (!ref) {
      const random = onlineTest(new RandomPolicy(new Rng(o.seed).fork('random')), env, { sessions: o.sessions }).reward.mean;
      const oracle = onlineTest(new GreedyOraclePolicy(backend, 'greedy-reward', env.config.rewards), env, { sessions: o.sessions }).reward.mean;
      ref = { random, oracle };
      refs.set(key, ref);
    }
    const p = onlineTest(policy, env, { sessions: o.sessions }).reward.mean;
    return { T, policy: p, random: ref.random, oracle: ref.oracle, h: headroomCaptured(p, ref.random, ref.oracle) };
  };
  return { short: row(o.shortT), long: row(o.longT) };
}
