/**
 * k-nearest mapping re-ranked by the critic (Wolpertinger; lib/agents/mapping/criticRerank.ts and
 * the agents' mappingK option): k = 1 is Eq. (13) exactly; the pick is the critic's argmax among the
 * k nearest (hand-built case); mappingK = 1 leaves agent.json and trained weights unchanged.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { ExactIndex } from '../lib/agents/mapping/exactIndex';
import { criticRerankMap, nearestCandidates } from '../lib/agents/mapping/criticRerank';
import { createAgent, loadAgent } from '../lib/agents/factory';
import { train, trainEnvFactory } from '../lib/agents/trainer';
import { HrlMgAgent } from '../lib/agents/hrlmg';
import { RecEnv } from '../lib/sim/recEnv';
import { ConfigError } from '../lib/util/errors';
import { spearman } from '../lib/eval/rankCorrelation';
import type { TrainableAgent } from '../lib/agents/agent';
import { clusterWorld, ClusterBackend } from './agentsFixture';

before(async () => {
  await initBackend();
});

function randomTable(n: number, E: number, rng: Rng): Float32Array {
  const t = new Float32Array(n * E);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal();
  return t;
}

test('k = 1 re-ranking is Eq. (13) exactly: same items, same removals, over a whole session', () => {
  const rng = new Rng(7);
  const E = 6, n = 40, B = 3;
  const index = new ExactIndex(randomTable(n, E, rng), E);
  const pools = [Int32Array.from({ length: 20 }, (_, i) => i), Int32Array.from({ length: 20 }, (_, i) => 39 - i), null];
  const a = index.sessions(pools), b = index.sessions(pools);
  let scorerCalls = 0;
  for (let t = 0; t < 20; t++) {
    const q = randomTable(B, E, rng);
    const want = a.map(q);
    const got = criticRerankMap(b, q, E, 1, (rows) => {
      scorerCalls++;
      return new Float32Array(rows.length).map((_, j) => -j); // any critic: one candidate each
    });
    assert.deepEqual(Array.from(got), Array.from(want), `step ${t}`);
    for (let s = 0; s < B; s++) assert.equal(b.remaining(s), a.remaining(s));
  }
  assert.equal(scorerCalls, 20);
});

test('the re-ranked pick is the critic argmax among the k nearest remaining items (hand-built)', () => {
  // 2-d items at angles 0, 10, 20, 30, 90 degrees; proto-action at angle 0.
  const deg = [0, 10, 20, 30, 90];
  const table = new Float32Array(deg.flatMap((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]));
  const index = new ExactIndex(table, 2);
  const critic = [1, 3, 2, 9, 100]; // Q(s, item): item 4 is best overall but not among the 3 nearest
  const score = (_rows: Int32Array, items: Int32Array): Float32Array => Float32Array.from(items, (i) => critic[i]);
  const cands = index.sessions(1);
  const q = new Float32Array([1, 0]);
  assert.deepEqual(Array.from(nearestCandidates(cands, q, 2, 3).items), [0, 1, 2], 'nearest first');
  assert.equal(criticRerankMap(cands, q, 2, 3, score)[0], 1, 'argmax Q among items 0, 1, 2');
  assert.equal(cands.has(0, 1), false, 'the pick is removed');
  assert.equal(criticRerankMap(cands, q, 2, 3, score)[0], 3, 'item 1 gone: the 3 nearest are 0, 2, 3');
  assert.equal(criticRerankMap(cands, q, 2, 10, score)[0], 4, 'k above the remaining count: all of them');
  // ties in Q go to the nearer item; inactive sessions get -1
  const c2 = index.sessions(2);
  const flat = criticRerankMap(c2, new Float32Array([1, 0, 0, 1]), 2, 5, (rows) => new Float32Array(rows.length).fill(1), [1, 0]);
  assert.deepEqual(Array.from(flat), [0, -1]);
});

test('agents: mappingK = 1 leaves agent.json and trained weights unchanged; mappingK > 1 acts as the critic argmax over the k nearest', async () => {
  const w = clusterWorld({ nItems: 48, E: 8, N: 5 });
  const low = { E: 8, H: 8, N: 5, batchLow: 8, warmupLow: 8, bufferLow: 500, exploreDecay: 200 };
  const makeEnv = trainEnvFactory(w.ds, new ClusterBackend(w.cluster), { batchSize: 4, T: 8, poolSize: 24 });
  const bytes = (a: TrainableAgent): Buffer[] => a.weightArrays().map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  const run = async (extra: object): Promise<TrainableAgent> => {
    const agent = createAgent('hrl-mg', w.ds.embeddings, { ...low, c: 4, warmupHigh: 4, batchHigh: 4, ...extra }, new Rng(1));
    await train(agent, makeEnv, { seed: 11, steps: 24, progress: false });
    return agent;
  };
  const a = await run({}), b = await run({ mappingK: 1 }), c = await run({ mappingK: 4 });
  const [x, y, z] = [bytes(a), bytes(b), bytes(c)];
  for (let i = 0; i < x.length; i++) assert.ok(x[i].equals(y[i]), `mappingK 1: weight array ${i} unchanged`);
  assert.ok(x.some((v, i) => !v.equals(z[i])), 'mappingK 4 trains differently');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-rerank-'));
  try {
    await b.save(path.join(dir, 'one'));
    await c.save(path.join(dir, 'four'));
    const j1 = JSON.parse(fs.readFileSync(path.join(dir, 'one', 'agent.json'), 'utf8'));
    const j4 = JSON.parse(fs.readFileSync(path.join(dir, 'four', 'agent.json'), 'utf8'));
    assert.equal('mappingK' in j1.config, false, 'mappingK 1 is not recorded (agents of kit 0.1.0 keep matching)');
    assert.equal(j4.config.mappingK, 4);
    const back = (await loadAgent(path.join(dir, 'four'), w.ds.embeddings)) as HrlMgAgent;
    assert.equal(back.config.mappingK, 4);
    // acting: the pick equals argmax_i Q(s, a_i) over the 4 items Eq. (13)'s ranking puts first
    const B = 3, P = 12;
    const env = new RecEnv(w.ds, new ClusterBackend(w.cluster), { batchSize: B, T: 4, poolSize: P, split: 'test', seed: 5 });
    const obs = env.reset(env.sampleUsers(B));
    const pools = Array.from({ length: B }, (_, s) => obs.pool.subarray(s * P, (s + 1) * P));
    const index = new ExactIndex(w.ds.embeddings, 8);
    const cands = index.sessions(pools), ref = index.sessions(pools);
    const state = { t: 0, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered };
    const proto = back.low.proto(state, B);
    const near = nearestCandidates(ref, proto, 8, 4);
    const q = back.low.qOfItems(state, near.rows, near.items);
    const picked = back.select(state, cands, pools, false);
    for (let s = 0; s < B; s++) {
      let best = near.start[s];
      for (let j = best + 1; j < near.start[s + 1]; j++) if (q[j] > q[best]) best = j;
      assert.equal(picked[s], near.items[best], `session ${s}`);
    }
    back.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => createAgent('ddpg', w.ds.embeddings, { ...low, mappingK: 0 }), ConfigError);
  for (const g of [a, b, c]) g.dispose();
});

test('spearman: hand-worked values, ties averaged', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks x = 1, 2.5, 2.5, 4; y = 1, 2, 3, 4: r = 4.5 / sqrt(4.5 * 5)
  assert.ok(Math.abs(spearman([1, 2, 2, 3], [1, 2, 3, 4]) - 4.5 / Math.sqrt(4.5 * 5)) < 1e-12);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
});
