/**
 * One call for the paper's three evaluations of a policy (Section 4.2, Figures 7 and 8): the online
 * test on short (T = 50) and long (T = 300) sessions and the offline re-ranking test, with the
 * resolved options, the seed and runMeta() (kit, package versions, TF.js backend) in one JSON-able
 * record. Run it once per method with the same options: the online parts then share users, session
 * starts and pools (see onlineTest), and the offline part scores the same sessions.
 */
import { ConfigOf, bool, int, resolveConfig } from '../util/config';
import { runMeta, type RunMeta } from '../util/versions';
import { initBackend } from '../backend';
import type { Policy } from '../agents/policy';
import { RecEnv } from '../sim/recEnv';
import type { SimDataset } from '../sim/types';
import type { UserBackend } from '../sim/userBackend';
import { offlineTest, type OfflineResult } from './offlineTest';
import { onlineTest, type MappingIndex, type OnlineResult } from './onlineTest';

export const evaluateSpec = {
  seed: int(0, 'seed of the online envs (feedback, pools, users) and of the offline random reference / sampling', { min: 0, max: 4294967295 }),
  onlineSessions: int(1000, 'online test sessions per session length', { min: 1 }),
  batchSize: int(64, 'parallel sessions per env batch (online) and per policy call (offline)', { min: 1 }),
  shortT: int(50, 'short online sessions: recommendations per session (paper: 50)', { min: 1 }),
  longT: int(300, 'long online sessions: recommendations per session (paper: 300)', { min: 1 }),
  poolSize: int(500, 'online candidate pool (item recall) per session; must be >= longT', { min: 1 }),
  online: bool(true, 'run the online tests (short and long)'),
  offline: bool(true, 'run the offline re-ranking test'),
  offlineMaxSessions: int(0, 'offline: evaluate at most this many eligible test sessions (seeded sample; 0 = all)', { min: 0 }),
  minPositives: int(1, 'offline: skip sessions with fewer relevant distinct items', { min: 1 }),
};
export type EvaluateConfig = ConfigOf<typeof evaluateSpec>;

export interface EvaluateExtras {
  /** Extra RecEnv settings (rewards, recall shares, start...); batchSize/T/poolSize/seed/split come from the config. */
  env?: Record<string, unknown>;
  /** Mapping index (default: ExactIndex over ds.embeddings). */
  index?: MappingIndex;
  progress?: boolean;
  /** Full env/SessionBatch agreement check every online step (slow; for debugging). */
  verifySync?: boolean;
}

export interface EvaluationRecord {
  policy: string;
  backend: string;
  seed: number;
  config: EvaluateConfig;
  online: { short: OnlineResult; long: OnlineResult } | null;
  offline: OfflineResult | null;
  meta: RunMeta;
  seconds: number;
}

export function resolveEvaluateConfig(overrides: Partial<EvaluateConfig> | Record<string, unknown> = {}): EvaluateConfig {
  return resolveConfig('evaluate', evaluateSpec, overrides, (c) =>
    c.online && c.poolSize < Math.max(c.shortT, c.longT) ? ['poolSize', `must be >= longT and shortT (${Math.max(c.shortT, c.longT)})`] : null,
  );
}

/** Online short, online long and offline tests of `policy`; `backend` is the online user model. */
export async function evaluate(
  policy: Policy,
  ds: SimDataset,
  backend: UserBackend,
  overrides: Partial<EvaluateConfig> | Record<string, unknown> = {},
  extras: EvaluateExtras = {},
): Promise<EvaluationRecord> {
  const t0 = Date.now();
  const c = resolveEvaluateConfig(overrides);
  await initBackend(); // runMeta() records the TF.js backend
  const meta = runMeta();
  const envOf = (T: number): RecEnv =>
    new RecEnv(ds, backend, { ...(extras.env ?? {}), batchSize: c.batchSize, T, poolSize: c.poolSize, seed: c.seed, split: 'test' });
  let online: EvaluationRecord['online'] = null;
  if (c.online) {
    const short = envOf(c.shortT), long = envOf(c.longT); // built first: config errors before any work
    const common = { sessions: c.onlineSessions, index: extras.index, verifySync: extras.verifySync };
    online = {
      short: onlineTest(policy, short, { ...common, progress: extras.progress ? `online-short ${policy.name}` : false }),
      long: onlineTest(policy, long, { ...common, progress: extras.progress ? `online-long ${policy.name}` : false }),
    };
  }
  const offline = c.offline
    ? offlineTest(policy, ds, {
      split: 'test',
      maxSessions: c.offlineMaxSessions,
      minPositives: c.minPositives,
      batchSize: c.batchSize,
      seed: c.seed,
      index: extras.index,
      progress: extras.progress ? `offline ${policy.name}` : false,
    })
    : null;
  return { policy: policy.name, backend: backend.name, seed: c.seed, config: c, online, offline, meta, seconds: (Date.now() - t0) / 1000 };
}
