/**
 * A tiny world for agent tests where the right items are known: item embeddings form `clusters`
 * tight clusters (L2-normalised, like the prepared datasets), and a hand-written user backend clicks
 * and orders items of cluster 0 often and almost never anything else. Logs and histories come from
 * the sim fixture (random feedback); only the embeddings are replaced.
 */
import { Rng } from '../lib/util/rng';
import { RecEnv, type RecEnvConfig } from '../lib/sim/recEnv';
import type { SimDataset } from '../lib/sim/types';
import type { Observation, UserBackend } from '../lib/sim/userBackend';
import type { Policy } from '../lib/agents/policy';
import { ExactIndex } from '../lib/agents/mapping/exactIndex';
import { tinyDataset } from './simFixture';

export interface ClusterWorld {
  ds: SimDataset;
  /** Cluster of each item [nItems]. */
  cluster: Int32Array;
  E: number;
  N: number;
}

export function clusterWorld(o: { nItems?: number; E?: number; N?: number; nUsers?: number; clusters?: number; seed?: number } = {}): ClusterWorld {
  const nItems = o.nItems ?? 64;
  const E = o.E ?? 8;
  const N = o.N ?? 5;
  const K = o.clusters ?? 4;
  const base = tinyDataset({ nItems, E, N, nUsers: o.nUsers ?? 40, seed: o.seed ?? 3 });
  const rng = new Rng(o.seed ?? 3).fork('clusters');
  const centers = rng.fillNormal(new Float32Array(K * E));
  const emb = new Float32Array(nItems * E);
  const cluster = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    const k = i % K;
    cluster[i] = k;
    let s = 0;
    for (let e = 0; e < E; e++) {
      const v = centers[k * E + e] + 0.25 * rng.normal();
      emb[i * E + e] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let e = 0; e < E; e++) emb[i * E + e] *= inv;
  }
  return { ds: { ...base, embeddings: emb }, cluster, E, N };
}

/** Cluster 0: P(skip, click, order) = (0.3, 0.5, 0.2); other clusters (0.95, 0.05, 0). */
export class ClusterBackend implements UserBackend {
  readonly name = 'cluster-test';
  constructor(readonly cluster: Int32Array) {}
  reset(): void {}
  probs(_obs: Observation, items: Int32Array): Float32Array {
    const out = new Float32Array(items.length * 3);
    for (let b = 0; b < items.length; b++) {
      const good = this.cluster[items[b]] === 0;
      out.set(good ? [0.3, 0.5, 0.2] : [0.95, 0.05, 0], b * 3);
    }
    return out;
  }
  observe(): void {}
}

/** Mean total reward per session of `policy` (explore = false) over `batches` test batches. */
export function evaluate(policy: Policy, w: ClusterWorld, env: Partial<RecEnvConfig>, batches: number, seed = 99): number {
  let total = 0;
  let sessions = 0;
  for (let k = 0; k < batches; k++) {
    const e = new RecEnv(w.ds, new ClusterBackend(w.cluster), { ...env, split: 'test', seed: seed + k });
    const users = e.sampleUsers(e.batchSize);
    let obs = e.reset(users);
    const B = e.batchSize, P = e.poolSize;
    const pools = Array.from({ length: B }, (_, b) => obs.pool.subarray(b * P, (b + 1) * P));
    const cands = new ExactIndex(w.ds.embeddings, w.E).sessions(pools);
    for (let t = 0; t < e.T; t++) {
      const items = policy.select({ t: obs.t, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered }, cands, pools, false);
      const r = e.step(items);
      for (let b = 0; b < B; b++) total += r.reward[b];
      obs = r.obs;
    }
    sessions += B;
  }
  return total / sessions;
}
