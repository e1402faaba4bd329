/**
 * Policies and helpers: the Policy contract (pick remaining candidates, remove them), DNN greediness,
 * the random policy, exploration schedules and noise, layout helpers, test-time traces, misuse errors.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { InputError, UsageError } from '../lib/util/errors';
import { RecEnv } from '../lib/sim/recEnv';
import { ExactIndex } from '../lib/agents/mapping/exactIndex';
import { createAgent, loadAgent } from '../lib/agents/factory';
import { DnnAgent } from '../lib/agents/dnnAgent';
import { HrlMgAgent } from '../lib/agents/hrlmg';
import { RandomPolicy } from '../lib/agents/randomPolicy';
import { addGaussianNoise, epsilonMask, linearSchedule, pickRandomRemaining } from '../lib/agents/exploration';
import { gatherRows, headToRecordMajor, recordToHeadMajor } from '../lib/agents/batchLayout';
import { traceRollout } from '../lib/agents/trace';
import { describeSpec } from '../lib/util/config';
import { agentSpecs, trainerSpec } from '../lib/agents/agentConfig';
import type { Policy } from '../lib/agents/policy';
import { clusterWorld, ClusterBackend } from './agentsFixture';

const w = clusterWorld({ nItems: 48, E: 8, N: 5 });
const E = w.E;
const tiny = { E, H: 8, N: w.N };

before(async () => {
  await initBackend();
});

function session(B: number, P: number, seed = 3) {
  const env = new RecEnv(w.ds, new ClusterBackend(w.cluster), { batchSize: B, T: Math.min(6, P), poolSize: P, split: 'test', seed });
  const obs = env.reset(env.sampleUsers(B));
  const pools = Array.from({ length: B }, (_, b) => obs.pool.subarray(b * P, (b + 1) * P));
  const cands = new ExactIndex(w.ds.embeddings, E).sessions(pools);
  return { env, obs, pools, cands, state: { t: 0, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered } };
}

test('every policy picks remaining pool items, removes them, never repeats within a session', () => {
  const policies: Policy[] = [
    new RandomPolicy(new Rng(1)),
    createAgent('dnn', w.ds.embeddings, tiny, new Rng(1)),
    createAgent('ddpg', w.ds.embeddings, tiny, new Rng(1)),
    createAgent('hrl-mg', w.ds.embeddings, { ...tiny, c: 3 }, new Rng(1)),
  ];
  for (const p of policies) {
    for (const explore of [false, true]) {
      const B = 3, P = 12;
      const { pools, cands, obs } = session(B, P);
      const seen = Array.from({ length: B }, () => new Set<number>());
      for (let t = 0; t < P; t++) {
        const st = { t, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered };
        const items = p.select(st, cands, pools, explore);
        for (let b = 0; b < B; b++) {
          assert.ok(Array.from(pools[b]).includes(items[b]), `${p.name}: pick in the pool`);
          assert.ok(!seen[b].has(items[b]), `${p.name}: no repeat`);
          assert.ok(!cands.has(b, items[b]), `${p.name}: pick removed`);
          seen[b].add(items[b]);
          assert.equal(cands.remaining(b), P - t - 1);
        }
      }
      assert.throws(() => p.select({ t: P, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered }, cands, pools, explore), UsageError, 'exhausted pools');
    }
  }
});

test('DNN is greedy: its pick is the argmax of RewardNet over the remaining candidates', () => {
  const dnn = createAgent('dnn', w.ds.embeddings, tiny, new Rng(2)) as DnnAgent;
  const B = 2, P = 10;
  const { pools, cands, state } = session(B, P);
  cands.remove(0, pools[0][3]); // one candidate already shown
  const first = dnn.select(state, cands, pools, false);
  for (let b = 0; b < B; b++) {
    const rem = Array.from(pools[b]).filter((it) => it !== first[b] && !(b === 0 && it === pools[0][3]));
    const all = [first[b], ...rem];
    const N = w.N;
    const s = dnn.net.scoreCandidates(state.browsed.slice(b * N, (b + 1) * N), state.clicked.slice(b * N, (b + 1) * N), Int32Array.from(all));
    const best = Math.max(...s);
    assert.equal(s[0], best, `session ${b}: picked the best-scoring candidate`);
    if (b === 0) assert.notEqual(first[0], pools[0][3], 'removed candidate never picked');
  }
  dnn.dispose();
});

test('actor agents at test time: the pick is the cosine argmax of the proto-action (Eq. 13)', () => {
  const agent = createAgent('hrl-mg', w.ds.embeddings, tiny, new Rng(4)) as HrlMgAgent;
  const B = 3, P = 15;
  const { pools, cands, state } = session(B, P);
  const proto = agent.low.proto(state, B);
  const items = agent.select(state, cands, pools, false);
  for (let b = 0; b < B; b++) {
    let best = -Infinity, arg = -1;
    for (const it of Array.from(pools[b])) {
      let d = 0, n = 0;
      for (let k = 0; k < E; k++) {
        d += proto[b * E + k] * w.ds.embeddings[it * E + k];
        n += w.ds.embeddings[it * E + k] ** 2;
      }
      const c = d / Math.sqrt(n);
      if (c > best) [best, arg] = [c, it];
    }
    assert.equal(items[b], arg);
  }
  agent.dispose();
});

test('random policy: uniform over remaining candidates, seeded', () => {
  const counts = new Map<number, number>();
  const P = 8;
  for (let r = 0; r < 800; r++) {
    const { pools, cands, state } = session(1, P, 3);
    cands.remove(0, pools[0][0]);
    const it = new RandomPolicy(new Rng(r)).select(state, cands, pools, false)[0];
    assert.notEqual(it, pools[0][0]);
    counts.set(it, (counts.get(it) ?? 0) + 1);
  }
  assert.equal(counts.size, P - 1);
  for (const c of counts.values()) assert.ok(c > 800 / 7 - 45 && c < 800 / 7 + 45, `count ${c} near ${800 / 7}`);
  const a = session(2, P), b = session(2, P);
  assert.deepEqual(new RandomPolicy(new Rng(9)).select(a.state, a.cands, a.pools, false), new RandomPolicy(new Rng(9)).select(b.state, b.cands, b.pools, false));
});

test('exploration helpers: linear schedule, clipped Gaussian noise, epsilon mask, random remaining', () => {
  assert.equal(linearSchedule(0.2, 0.02, 100, 0), 0.2);
  assert.ok(Math.abs(linearSchedule(0.2, 0.02, 100, 50) - 0.11) < 1e-12);
  assert.equal(linearSchedule(0.2, 0.02, 100, 1000), 0.02);
  const x = new Float32Array(2000);
  addGaussianNoise(x, 0.5, new Rng(1));
  const sd = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
  assert.ok(Math.abs(sd - 0.5) < 0.04, `noise std ${sd}`);
  const y = addGaussianNoise(new Float32Array(500).fill(0.9), 1, new Rng(2), 1);
  assert.ok(y.every((v) => v >= -1 && v <= 1) && y.some((v) => v === 1), 'clipped to the bound');
  assert.deepEqual(addGaussianNoise(Float32Array.from([1, 2]), 0, new Rng(3)), Float32Array.from([1, 2]));
  const m = epsilonMask(4000, 0.25, new Rng(4));
  const frac = m.reduce((s, v) => s + v, 0) / 4000;
  assert.ok(Math.abs(frac - 0.25) < 0.03);
  assert.equal(epsilonMask(10, 0, new Rng(4)).reduce((s, v) => s + v, 0), 0);
  const { pools, cands } = session(1, 4);
  const got = new Set<number>();
  for (let k = 0; k < 4; k++) got.add(pickRandomRemaining(cands, 0, pools[0], new Rng(k)));
  assert.equal(got.size, 4);
  assert.throws(() => pickRandomRemaining(cands, 0, pools[0], new Rng(0)), UsageError);
});

test('layout helpers: record-major <-> head-major, executed-action gather', () => {
  // n = 2 records, K = 3 heads, W = 2
  const rec = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // r0: h0 [1,2] h1 [3,4] h2 [5,6]
  const head = recordToHeadMajor(rec, 2, 3, 2);
  assert.deepEqual(Array.from(head), [1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12]);
  assert.deepEqual(headToRecordMajor(head, 2, 3, 2), rec);
  const t = Float32Array.from([0, 1, 10, 11, 20, 21]);
  assert.deepEqual(Array.from(gatherRows(t, 2, Int32Array.from([2, 0]))), [20, 21, 0, 1]);
  assert.throws(() => gatherRows(t, 2, Int32Array.from([3])), UsageError);
});

test('traceRollout on the test split: explore off, nothing stored, goals and r_in per step', () => {
  const agent = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, c: 4, M: 2 }, new Rng(6)) as HrlMgAgent;
  const env = new RecEnv(w.ds, new ClusterBackend(w.cluster), { batchSize: 3, T: 8, poolSize: 20, split: 'test', seed: 2 });
  const rec = traceRollout(agent, env, undefined, { session: 1 });
  assert.equal(rec.steps.length, 8);
  assert.equal(agent.low.replay.size, 0, 'nothing stored');
  assert.equal(agent.high!.replay.size, 0);
  assert.equal(agent.exploreSteps, 0);
  for (const s of rec.steps) {
    assert.equal(s.randomPick, false);
    assert.ok(s.rIn! >= -1 && s.rIn! <= 1);
    assert.ok(s.goal!.every((v) => Math.abs(v) < 1), 'goals inside (-B, B)');
  }
  assert.deepEqual(rec.steps.filter((s) => s.period).map((s) => s.t), [3, 7]);
  assert.ok(JSON.stringify(rec.toJSON()).length > 100);
  agent.dispose();
});

test('actionPenalty: recorded in agent.json only when on, so agents saved by kit 0.1.0 (no such key) still load', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-agents-'));
  try {
    for (const [k, lambda] of [[0, 0], [1, 0.5]] as const) {
      const d = path.join(dir, `a${k}`);
      const agent = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, actionPenalty: lambda }, new Rng(1));
      await agent.save(d);
      const json = JSON.parse(fs.readFileSync(path.join(d, 'agent.json'), 'utf8')) as { config: Record<string, unknown> };
      assert.equal('actionPenalty' in json.config, lambda !== 0);
      const back = (await loadAgent(d, w.ds.embeddings)) as HrlMgAgent;
      assert.equal(back.low.core.cfg.actionPenalty, lambda);
      assert.equal(back.high!.core.cfg.actionPenalty, lambda);
      for (const x of [agent, back]) x.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('misuse: observe must answer the last select; loadAgent checks the table; specs document every field', async () => {
  const agent = createAgent('ddpg', w.ds.embeddings, tiny, new Rng(1));
  const { pools, cands, state, env } = session(2, 10);
  const items = agent.select(state, cands, pools, true);
  const res = env.step(items);
  const next = { t: 1, browsed: res.obs.browsed, clicked: res.obs.clicked, ordered: res.obs.ordered };
  const wrong = Int32Array.from(items).reverse();
  assert.throws(() => agent.observe({ state, items: wrong, reward: res.reward, feedback: res.feedback, next, done: false }, true), UsageError);
  assert.throws(() => agent.observe({ state: { ...state, t: 3 }, items, reward: res.reward, feedback: res.feedback, next, done: false }, true), UsageError);
  agent.observe({ state, items, reward: res.reward, feedback: res.feedback, next, done: false }, true);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-agents-'));
  try {
    await agent.save(dir);
    await assert.rejects(loadAgent(dir, new Float32Array(16 * E)), InputError);
    await assert.rejects(loadAgent(path.join(dir, 'nope'), w.ds.embeddings), InputError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const spec of [...Object.values(agentSpecs), trainerSpec]) {
    for (const [k, f] of Object.entries(spec)) assert.ok(f.doc.length > 10, `doc of ${k}`);
    assert.ok(describeSpec(spec).split('\n').length === Object.keys(spec).length);
  }
  assert.equal((agentSpecs['hrl-mg'] as Record<string, { default: unknown }>).M.default, 2);
  assert.equal((agentSpecs['hrl-mg'] as Record<string, { default: unknown }>).alpha.default, 0.5);
  agent.dispose();
});
