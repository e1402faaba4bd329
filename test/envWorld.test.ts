/**
 * RecEnv on the default world: the ground-truth backend under the logging policy reproduces the
 * generator's funnel; both backends are deterministic and interchangeable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { generateWorld } from '../lib/data/world';
import { prepareDataset } from '../lib/data/prepare';
import { logStats } from '../lib/data/schema';
import { FeedbackNet } from '../lib/nn/feedbackNet';
import { Rng } from '../lib/util/rng';
import { UsageError } from '../lib/util/errors';
import { RecEnv } from '../lib/sim/recEnv';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { LoggingPolicyAgent } from '../lib/sim/loggingPolicyAgent';
import { Simulator } from '../lib/sim/simulator';
import { SimulatorBackend } from '../lib/sim/simulatorBackend';
import { resolveSimulatorConfig } from '../lib/sim/simulatorConfig';
import { meanSessionLength } from '../lib/data/world';
import type { Observation } from '../lib/sim/userBackend';

const setup = (async () => {
  await initBackend();
  const { world, log } = generateWorld({ trainImpressions: 30_000 });
  const ds = await prepareDataset(log, {});
  return { world, log, ds };
})();

function randomPolicy(obs: Observation, B: number, P: number, rng: Rng): Int32Array {
  const a = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let j: number;
    do j = rng.int(P);
    while (!obs.remaining[b * P + j]);
    a[b] = obs.pool[b * P + j];
  }
  return a;
}

test('true-model backend under the logging policy reproduces the generator\'s click and order rates', async () => {
  const { world, log, ds } = await setup;
  const st = logStats(log);
  const B = 128;
  const T = Math.round(meanSessionLength(world.cfg)); // sessions as long as the generator's on average
  const backend = new TrueModelBackend(world, ds);
  // pool = the whole (filtered) catalogue: only the no-repeat rule restricts the policy
  const env = new RecEnv(ds, backend, { batchSize: B, T, poolSize: ds.items.n, seed: 1 });
  const agent = new LoggingPolicyAgent(env, backend, new Rng(2));
  let n = 0, clicks = 0, orders = 0;
  for (let k = 0; k < 12; k++) {
    let obs = env.reset(env.sampleUsers(B));
    for (let t = 0; t < T; t++) {
      const r = env.step(agent.act(obs));
      for (const f of r.feedback) {
        n++;
        if (f > 0) clicks++;
        if (f === 2) orders++;
      }
      obs = r.obs;
    }
  }
  // ~40k impressions: sd of the click rate ~0.0015, of the order rate ~0.00037 (about 7% relative)
  const cr = clicks / n, or = orders / n, logOr = st.orders / st.rows;
  assert.ok(Math.abs(cr - st.clickRate) < 0.012, `env click rate ${cr.toFixed(4)} vs log ${st.clickRate.toFixed(4)}`);
  assert.ok(Math.abs(or - logOr) / logOr < 0.3, `env order rate ${or.toFixed(5)} vs log ${logOr.toFixed(5)}`);
  assert.equal(agent.fallbacks, 0);
});

test('both backends: deterministic, same contract; the true backend rejects a non-world dataset', async () => {
  const { world, ds } = await setup;
  const E = ds.embeddings.length / ds.items.n;
  const cfg = resolveSimulatorConfig({ itemRates: false, H: 16, hidden: 16 });
  const net = new FeedbackNet(ds.embeddings, { E, N: ds.train.N, H: 16, hidden: 16 }, new Rng(1));
  const sim = new Simulator(net, ds.embeddings, cfg, [1, 1, 1], {
    source: 'world', createdAt: null, nItems: ds.items.n, nUsers: ds.train.log.nUsers, N: ds.train.N, E, trainRows: 0, embeddingsSha256: null,
  });
  for (const mk of [() => new SimulatorBackend(sim), () => new TrueModelBackend(world, ds)]) {
    const roll = (): number[] => {
      const tensors = tf.memory().numTensors;
      const env = new RecEnv(ds, mk(), { batchSize: 16, T: 20, poolSize: 100, seed: 7 });
      let obs = env.reset(env.sampleUsers(16));
      const rng = new Rng(3);
      const fb: number[] = [];
      for (let t = 0; t < 20; t++) {
        const r = env.step(randomPolicy(obs, 16, 100, rng));
        for (let b = 0; b < 16; b++) assert.ok(Math.abs(r.probs[b * 3] + r.probs[b * 3 + 1] + r.probs[b * 3 + 2] - 1) < 1e-5);
        fb.push(...r.feedback);
        obs = r.obs;
      }
      assert.equal(tf.memory().numTensors, tensors, 'no tensor leak over reset + steps');
      return fb;
    };
    assert.deepEqual(roll(), roll());
  }
  const other = { ...ds, train: { ...ds.train, log: { ...ds.train.log, source: 'taobao' } } };
  assert.throws(() => new TrueModelBackend(world, other), UsageError);
  // a simulator for another catalogue is refused by the env
  const small = { ...ds, items: { ...ds.items, n: ds.items.n - 1 } };
  assert.throws(() => new RecEnv(small, new SimulatorBackend(sim), { poolSize: 100 }), UsageError);
  sim.dispose();
});
