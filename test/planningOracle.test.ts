/**
 * The planning oracle on a tiny seeded `default`-preset world: it beats the greedy-reward oracle by
 * a clear margin, with more orders and fewer clicks (the trade-off of the paper's Figure 8), in the
 * same paired env (same users, pools, feedback uniforms); and it is deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../lib/backend';
import { generateWorld } from '../lib/data/world';
import { prepareDataset } from '../lib/data/prepare';
import { RecEnv } from '../lib/sim/recEnv';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { onlineTest } from '../lib/eval/onlineTest';
import { GreedyOraclePolicy } from '../lib/eval/oracles';
import { PlanningOraclePolicy } from '../lib/eval/planningOracle';

test('planning oracle beats greedy-reward on the default preset (more orders, fewer clicks), deterministically', async () => {
  await initBackend();
  const { world, log } = generateWorld({ preset: 'default', trainImpressions: 30000, nItems: 1500, seed: 1 });
  const ds = await prepareDataset(log, {});
  const backend = new TrueModelBackend(world, ds);
  const T = 30;
  const env = new RecEnv(ds, backend, { batchSize: 32, T, poolSize: 200, seed: 7 });
  const cfg = { rollouts: 2, rolloutPool: 16, depth: 8 };
  const g = onlineTest(new GreedyOraclePolicy(backend, 'greedy-reward', env.config.rewards), env, { sessions: 64 });
  const p = onlineTest(new PlanningOraclePolicy(backend, env.config.rewards, T, cfg), env, { sessions: 64 });
  const gain = p.reward.mean / g.reward.mean;
  assert.ok(gain >= 1.1, `planning gain ${gain.toFixed(3)} (planning ${p.reward.mean.toFixed(2)}, greedy ${g.reward.mean.toFixed(2)})`);
  assert.ok(p.orders.mean > g.orders.mean, `orders ${p.orders.mean} vs ${g.orders.mean}`);
  assert.ok(p.clicks.mean < g.clicks.mean, `clicks ${p.clicks.mean} vs ${g.clicks.mean}`);
  const again = onlineTest(new PlanningOraclePolicy(backend, env.config.rewards, T, cfg), env, { sessions: 64 });
  assert.deepEqual(again.perSession.reward, p.perSession.reward);
  console.log(`# planning gain ${gain.toFixed(3)}: reward ${p.reward.mean.toFixed(2)} vs ${g.reward.mean.toFixed(2)}, orders ${p.orders.mean.toFixed(2)} vs ${g.orders.mean.toFixed(2)}, clicks ${p.clicks.mean.toFixed(2)} vs ${g.clicks.mean.toFixed(2)}`);
});
