/**
 * No tensor leak in the training loop: tf.memory().numTensors is exactly the same before and after
 * 1,000 network updates (HRL-MG: 250 agent updates = 250 low + 250 high DdpgCore updates, interleaved
 * with acting/mapping/observing; DNN: 500 regression updates) and any number of act calls.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { createAgent } from '../lib/agents/factory';
import { Trainer, trainEnvFactory } from '../lib/agents/trainer';
import { traceRollout } from '../lib/agents/trace';
import { RecEnv } from '../lib/sim/recEnv';
import { clusterWorld, ClusterBackend } from './agentsFixture';

const w = clusterWorld({ nItems: 32, E: 4, N: 2 });
const env = { batchSize: 4, T: 5, poolSize: 16 };
const makeEnv = trainEnvFactory(w.ds, new ClusterBackend(w.cluster), env);
const tiny = { E: 4, H: 4, N: 2, batchLow: 4, warmupLow: 4, bufferLow: 200 };

before(async () => {
  await initBackend();
});

test('numTensors stays flat over 1,000 updates of the training loop', async () => {
  const hrl = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, M: 2, c: 2, batchHigh: 4, warmupHigh: 4, bufferHigh: 100 }, new Rng(1));
  const dnn = createAgent('dnn', w.ds.embeddings, { ...tiny, hidden: 4 }, new Rng(1));
  const th = new Trainer(hrl, makeEnv, { seed: 1, progress: false, updatesPerStep: 1 });
  const td = new Trainer(dnn, makeEnv, { seed: 1, progress: false, updatesPerStep: 2 });
  await th.run({ episodes: 1 }); // warm: buffers filled, all lazily created state exists
  await td.run({ episodes: 1 });
  const n0 = tf.memory().numTensors;
  const h0 = hrl.updateCounts, d0 = dnn.updateCounts;
  await th.run({ episodes: 50 }); // 250 steps x 1 agent update
  await td.run({ episodes: 50 }); // 250 steps x 2 updates
  const test = new RecEnv(w.ds, new ClusterBackend(w.cluster), { ...env, split: 'test' });
  traceRollout(hrl, test);
  const updates = hrl.updateCounts.low - h0.low + (hrl.updateCounts.high - h0.high) + (dnn.updateCounts.low - d0.low);
  assert.equal(updates, 1000);
  assert.equal(tf.memory().numTensors, n0, 'no tensor created by the loop survives it');
  hrl.dispose();
  dnn.dispose();
  assert.equal(tf.memory().numTensors, 0, 'dispose frees every tensor of both agents');
});
