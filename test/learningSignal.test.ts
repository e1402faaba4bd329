/**
 * Learning signal: on a tiny world where the right items are known (cluster 0 is clicked/ordered
 * often, the rest almost never), short online trainings of DDPG, HRL-MG and DNN must beat a uniformly
 * random policy by a clear margin in online reward, and must beat the same agent before training
 * (so the margin comes from learning, not from a lucky initial actor).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { createAgent } from '../lib/agents/factory';
import { RandomPolicy } from '../lib/agents/randomPolicy';
import { train, trainEnvFactory } from '../lib/agents/trainer';
import type { AgentMethod } from '../lib/agents/agentConfig';
import { clusterWorld, ClusterBackend, evaluate } from './agentsFixture';

const w = clusterWorld();
const env = { batchSize: 16, T: 8, poolSize: 48 };
const makeEnv = trainEnvFactory(w.ds, new ClusterBackend(w.cluster), env);
const EVAL_BATCHES = 8; // 128 test sessions of 8 steps
const common = { E: 8, H: 16, N: 5, batchLow: 32, warmupLow: 64, bufferLow: 5000, exploreDecay: 2000, epsilon: 0.1, epsilonEnd: 0.02 };
const actor = { ...common, lrActor: 1e-3, lrCritic: 3e-3, actionNoise: 0.3, actionNoiseEnd: 0.05 };
const cfgs: Record<string, Record<string, unknown>> = {
  ddpg: actor,
  'hrl-mg': { ...actor, c: 4, M: 2, batchHigh: 16, warmupHigh: 32, bufferHigh: 2000, lrHighActor: 1e-3, lrHighCritic: 3e-3 },
  dnn: { ...common, hidden: 16, lr: 3e-3 },
};

let randomScore = 0;

before(async () => {
  await initBackend();
  randomScore = evaluate(new RandomPolicy(new Rng(5)), w, env, EVAL_BATCHES);
  // Sanity of the fixture: random picks good items about a quarter of the time (~1.5 reward each).
  assert.ok(randomScore > 2 && randomScore < 7, `random policy reward ${randomScore}`);
});

for (const [method, batches] of [['ddpg', 10], ['hrl-mg', 10], ['dnn', 10]] as [AgentMethod, number][]) {
  test(`${method}: ${batches} training batches beat a random policy by >= 1.5x online`, async () => {
    const agent = createAgent(method, w.ds.embeddings, cfgs[method], new Rng(1));
    const untrained = evaluate(agent, w, env, EVAL_BATCHES);
    const res = await train(agent, makeEnv, { seed: 1, sessions: batches * env.batchSize, progress: false });
    const trained = evaluate(agent, w, env, EVAL_BATCHES);
    const last = res.log.entries[res.log.entries.length - 1];
    assert.ok(trained >= 1.5 * randomScore, `${method}: trained ${trained.toFixed(2)} vs random ${randomScore.toFixed(2)}`);
    assert.ok(trained >= 1.5 * untrained, `${method}: trained ${trained.toFixed(2)} vs untrained ${untrained.toFixed(2)}`);
    assert.ok(last.sessionReward! >= 1.5 * randomScore, `${method}: training sessions at the end ${last.sessionReward} (exploration included)`);
    agent.dispose();
  });
}
