/**
 * Hierarchy wiring of HRL-MG / HRL / DDPG (Algorithm 2): when goals change, which goal guides a step,
 * what goes into D^l and D^h. Every expected value is recomputed here from the table, the rewards and
 * the benefit/cosine definitions, not read back from the agent's own bookkeeping.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { ConfigError, UsageError } from '../lib/util/errors';
import { RecEnv } from '../lib/sim/recEnv';
import { ExactIndex } from '../lib/agents/mapping/exactIndex';
import { benefitAssign } from '../lib/agents/benefit';
import { createAgent } from '../lib/agents/factory';
import { HrlMgAgent } from '../lib/agents/hrlmg';
import { GoalPeriods } from '../lib/agents/goalPeriods';
import { Trainer, trainEnvFactory } from '../lib/agents/trainer';
import type { StepInfo, TrainableAgent } from '../lib/agents/agent';
import type { AgentState } from '../lib/agents/policy';
import { clusterWorld, ClusterBackend } from './agentsFixture';

const w = clusterWorld({ nItems: 48, E: 8, N: 5 });
const E = w.E;
const tiny = { E, H: 8, N: w.N, batchLow: 8, warmupLow: 8, bufferLow: 1000 };
const tinyHigh = { batchHigh: 4, warmupHigh: 4, bufferHigh: 200 };

before(async () => {
  await initBackend();
});

interface Episode {
  infos: StepInfo[];
  states: AgentState[]; // [T + 1]
  rewards: Float32Array[]; // [T] of [B]
}

function runEpisode(agent: TrainableAgent, B: number, T: number, explore: boolean, seed = 7): Episode {
  const env = new RecEnv(w.ds, new ClusterBackend(w.cluster), { batchSize: B, T, poolSize: 24, split: 'train', seed });
  let obs = env.reset(env.sampleUsers(B));
  const P = env.poolSize;
  const pools = Array.from({ length: B }, (_, b) => obs.pool.subarray(b * P, (b + 1) * P));
  const cands = new ExactIndex(w.ds.embeddings, E).sessions(pools);
  const ep: Episode = { infos: [], states: [], rewards: [] };
  for (let t = 0; t < T; t++) {
    const state = { t: obs.t, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered };
    ep.states.push(state);
    const items = agent.select(state, cands, pools, explore);
    const res = env.step(items);
    const next = { t: res.obs.t, browsed: res.obs.browsed, clicked: res.obs.clicked, ordered: res.obs.ordered };
    ep.infos.push(agent.observe({ state, items, reward: res.reward, feedback: res.feedback, next, done: res.done }, true));
    ep.rewards.push(res.reward);
    obs = res.obs;
  }
  ep.states.push({ t: obs.t, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered });
  return ep;
}

function cos(a: ArrayLike<number>, ao: number, g: ArrayLike<number>, go: number): number {
  let d = 0, na = 0, ng = 0;
  for (let k = 0; k < E; k++) {
    d += a[ao + k] * g[go + k];
    na += a[ao + k] ** 2;
    ng += g[go + k] ** 2;
  }
  return d / Math.sqrt(na * ng);
}

const near = (a: number, b: number, tol = 1e-5, what = ''): void => assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);
const rowEq = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => assert.deepEqual(Array.from(a), Array.from(b), what);

test('HRL-MG: goals are regenerated exactly every c steps; goal j guides block j of floor(c/M) steps', () => {
  const agent = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, ...tinyHigh, M: 2, c: 4 }, new Rng(1)) as HrlMgAgent;
  const ep = runEpisode(agent, 3, 12, true);
  const idx = ep.infos.map((i) => i.goalIndex);
  assert.deepEqual(idx, [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
  for (let t = 0; t < 12; t++) {
    const g = ep.infos[t].goals!;
    assert.equal(g.length, 2 * 3 * E);
    if (t % 4 !== 0) rowEq(g, ep.infos[t - 1].goals!, `goals unchanged inside the period at t=${t}`);
    else if (t > 0) assert.notDeepEqual(Array.from(g), Array.from(ep.infos[t - 1].goals!), `fresh goals at t=${t}`);
    assert.equal(ep.infos[t].period !== null, t % 4 === 3, `period end flag at t=${t}`);
  }
  // Without exploration the goals are exactly HActor's output on s^h at the period start (Eq. 5).
  const a2 = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, ...tinyHigh, M: 2, c: 4 }, new Rng(1)) as HrlMgAgent;
  const ep2 = runEpisode(a2, 3, 12, false);
  for (const t0 of [0, 4, 8]) {
    const s = ep2.states[t0];
    rowEq(ep2.infos[t0].goals!, a2.high!.core.act(s.clicked, s.ordered, 3), `goals at t=${t0}`);
  }
  agent.dispose();
  a2.dispose();
});

test('HRL-MG: D^l stores the executed item embedding and r_low = r_ex + alpha * cos(item, current goal)', () => {
  const alpha = 0.5;
  const B = 3, T = 12;
  const agent = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, ...tinyHigh, M: 2, c: 4, alpha }, new Rng(2)) as HrlMgAgent;
  const ep = runEpisode(agent, B, T, true);
  const D = agent.low.replay;
  assert.equal(D.size, B * T);
  let someRin = 0;
  for (let t = 0; t < T; t++) {
    const info = ep.infos[t];
    const j = info.goalIndex;
    for (let b = 0; b < B; b++) {
      const rec = D.get(t * B + b);
      const item = info.items[b];
      const rin = cos(w.ds.embeddings, item * E, info.goals!, (j * B + b) * E); // Eq. (12), goal j of session b
      someRin += Math.abs(rin);
      near(info.rIn![b], rin, 1e-5, `rIn t=${t} b=${b}`);
      near(rec.r[0], ep.rewards[t][b] + alpha * rin, 1e-5, `stored r_low t=${t} b=${b}`); // Eq. (3)
      assert.equal(rec.rEx[0], ep.rewards[t][b]);
      rowEq(rec.a, w.ds.embeddings.subarray(item * E, (item + 1) * E), 'executed action = item embedding');
      rowEq(rec.s1, ep.states[t].browsed.subarray(b * w.N, (b + 1) * w.N), 's^l browsed');
      rowEq(rec.s2n, ep.states[t + 1].clicked.subarray(b * w.N, (b + 1) * w.N), "s^l' clicked");
      assert.equal(rec.done[0], t === T - 1 ? 1 : 0);
    }
  }
  assert.ok(someRin > 0.1, 'internal rewards are not all zero');
  agent.dispose();
});

test('HRL-MG: D^h stores (s^h, goals, benefit assignment of the period rewards, s^h\') once per period', () => {
  const beta = 0.7, c = 5, M = 2, B = 2, T = 15;
  const agent = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, ...tinyHigh, M, c, beta }, new Rng(3)) as HrlMgAgent;
  const ep = runEpisode(agent, B, T, true);
  const D = agent.high!.replay;
  assert.equal(D.size, (T / c) * B);
  for (let p = 0; p < T / c; p++) {
    const t0 = p * c;
    for (let b = 0; b < B; b++) {
      const rec = D.get(p * B + b);
      const rewards = Array.from({ length: c }, (_, k) => ep.rewards[t0 + k][b]);
      rowEq(rec.r, benefitAssign(rewards, c, M, beta), `phi' of period ${p}, session ${b}`); // Eq. (15)
      const g = ep.infos[t0].goals!;
      for (let i = 0; i < M; i++) rowEq(rec.g.subarray(i * E, (i + 1) * E), g.subarray((i * B + b) * E, (i * B + b + 1) * E), `goal ${i}`);
      rowEq(rec.s1, ep.states[t0].clicked.subarray(b * w.N, (b + 1) * w.N), 's^h clicked at the period start');
      rowEq(rec.s2, ep.states[t0].ordered.subarray(b * w.N, (b + 1) * w.N), 's^h ordered at the period start');
      rowEq(rec.s1n, ep.states[t0 + c].clicked.subarray(b * w.N, (b + 1) * w.N), "s^h' clicked");
      assert.equal(rec.done[0], p === T / c - 1 ? 1 : 0, 'done only on the last period');
      const info = ep.infos[t0 + c - 1].period!;
      rowEq(info.phi0.subarray(b * M, (b + 1) * M), benefitAssign(rewards, c, M, 0), 'phi^0 (Eq. 14)');
      near(info.reward[b], rewards.reduce((x, y) => x + y, 0), 1e-6, 'period reward');
    }
  }
  agent.dispose();
});

test('a period cut short by the session end: stored with done = 1 and zero-padded rewards, or dropped', () => {
  for (const partialPeriods of ['store', 'drop'] as const) {
    const c = 4, M = 2, B = 2, T = 10, beta = 0.5;
    const agent = createAgent('hrl-mg', w.ds.embeddings, { ...tiny, ...tinyHigh, M, c, beta, partialPeriods }, new Rng(4)) as HrlMgAgent;
    const ep = runEpisode(agent, B, T, true);
    const last = ep.infos[T - 1].period!;
    assert.equal(last.steps, 2);
    assert.equal(last.stored, partialPeriods === 'store');
    const D = agent.high!.replay;
    assert.equal(D.size, (partialPeriods === 'store' ? 3 : 2) * B);
    if (partialPeriods === 'store') {
      for (let b = 0; b < B; b++) {
        const rec = D.get(2 * B + b);
        assert.equal(rec.done[0], 1);
        const rewards = [ep.rewards[8][b], ep.rewards[9][b], 0, 0];
        rowEq(rec.r, benefitAssign(rewards, c, M, beta), 'partial period phi');
      }
    }
    agent.dispose();
  }
});

test('HRL is HRL-MG with M = 1; DDPG stores r_ex only and has no high level', () => {
  const hrl = createAgent('hrl', w.ds.embeddings, { ...tiny, ...tinyHigh, c: 4 }, new Rng(5)) as HrlMgAgent;
  assert.ok(hrl instanceof HrlMgAgent);
  assert.equal(hrl.M, 1);
  assert.equal(hrl.high!.core.cfg.heads, 1);
  const ep = runEpisode(hrl, 2, 8, true);
  assert.deepEqual(ep.infos.map((i) => i.goalIndex), [0, 0, 0, 0, 0, 0, 0, 0]);
  for (let b = 0; b < 2; b++) {
    const rec = hrl.high!.replay.get(b);
    near(rec.r[0], [0, 1, 2, 3].reduce((s, k) => s + ep.rewards[k][b], 0), 1e-6, 'M = 1: phi = the period total');
  }
  hrl.dispose();

  const ddpg = createAgent('ddpg', w.ds.embeddings, { ...tiny }, new Rng(5)) as HrlMgAgent;
  assert.equal(ddpg.high, null);
  assert.equal(ddpg.M, 0);
  const e2 = runEpisode(ddpg, 2, 8, true);
  for (let t = 0; t < 8; t++) {
    assert.equal(e2.infos[t].rIn, null);
    assert.equal(e2.infos[t].goals, null);
    assert.equal(e2.infos[t].goalIndex, -1);
    for (let b = 0; b < 2; b++) {
      const rec = ddpg.low.replay.get(t * 2 + b);
      assert.equal(rec.r[0], e2.rewards[t][b], 'DDPG: r_low = r_ex');
      assert.equal(rec.rIn[0], 0);
    }
  }
  ddpg.dispose();
});

test('GoalPeriods: goal index, internal reward and benefit assignment without networks', () => {
  const gp = new GoalPeriods(5, 2, 2, 1);
  gp.begin(1);
  assert.ok(gp.needGoals(0));
  gp.setGoals(0, Float32Array.from([1, 0, 0, 1]), new Int32Array([1]), new Int32Array([0])); // g0 = x, g1 = y
  assert.ok(!gp.needGoals(1));
  const acts = [[1, 1], [2, 0], [0, 3], [1, 0], [-1, 0]];
  const expectIn = [Math.SQRT1_2, 1, 1, 0, 0]; // steps 0,1 use g0; 2,3,4 use g1 (last goal keeps the leftover)
  const rex = [1, 0, 5, 0, 1];
  for (let t = 0; t < 5; t++) {
    near(gp.internal(t, Float32Array.from(acts[t]))[0], expectIn[t], 1e-6, `r_in t=${t}`);
    const end = gp.record(t, Float32Array.from([rex[t]]), false, new Int32Array([2]), new Int32Array([0]));
    assert.equal(end !== null, t === 4);
    if (end) {
      rowEq(end.phi0, [1, 6], 'phi^0: blocks [0,2) and [2,5)');
      rowEq(end.phi, [1, 7], 'phi\' with beta = 1: running total');
      assert.equal(end.transition!.done, false);
      rowEq(end.transition!.s1n, [2], "s^h'");
    }
  }
  assert.ok(gp.needGoals(5));
  assert.throws(() => gp.internal(5, new Float32Array(2)), UsageError, 'no goals after the period end');
});

test('config validation: ConfigError naming the key, before any tensor is allocated', () => {
  const n0 = tf.memory().numTensors;
  const bad: [string, Record<string, unknown>, string][] = [
    ['hrl-mg', { M: 0 }, 'M'],
    ['hrl-mg', { M: 3, c: 2 }, 'c'],
    ['hrl', { c: 0 }, 'c'],
    ['hrl-mg', { alpha: -0.1 }, 'alpha'],
    ['hrl-mg', { beta: 1.5 }, 'beta'],
    ['ddpg', { batchLow: -4 }, 'batchLow'],
    ['ddpg', { bufferLow: 0 }, 'bufferLow'],
    ['ddpg', { warmupLow: 500, bufferLow: 100 }, 'warmupLow'],
    ['hrl-mg', { H: -1 }, 'H'],
    ['hrl-mg', { warmupHigh: 50, bufferHigh: 10 }, 'warmupHigh'],
    ['dnn', { hidden: 0 }, 'hidden'],
    ['dnn', { M: 2 }, 'M'], // not a DNN field
    ['hrl', { M: 2 }, 'M'], // HRL fixes M = 1
    ['ddpg', { alpha: 0.5 }, 'alpha'], // DDPG has no goals
  ];
  for (const [method, o, key] of bad) {
    assert.throws(
      () => createAgent(method as 'hrl-mg', w.ds.embeddings, { ...o }, new Rng(0)),
      (e: unknown) => e instanceof ConfigError && e.key === key,
      `${method} ${JSON.stringify(o)} -> ConfigError on ${key}`,
    );
  }
  assert.equal(tf.memory().numTensors, n0, 'nothing allocated');
  assert.throws(() => createAgent('ppo' as 'dnn', w.ds.embeddings), ConfigError);
  // Trainer config and geometry checks, before any training.
  const agent = createAgent('ddpg', w.ds.embeddings, tiny, new Rng(0));
  const make = trainEnvFactory(w.ds, new ClusterBackend(w.cluster), { batchSize: 2, T: 4, poolSize: 24 });
  assert.throws(() => new Trainer(agent, make, { updatesPerStep: -1 }), (e: unknown) => e instanceof ConfigError && e.key === 'updatesPerStep');
  assert.throws(() => new Trainer(agent, make, { sessions: 0 }), (e: unknown) => e instanceof ConfigError && e.key === 'sessions');
  assert.throws(() => new Trainer(agent, (s) => new RecEnv(w.ds, new ClusterBackend(w.cluster), { batchSize: 2, T: 4, poolSize: 24, seed: s })), UsageError, 'test split rejected');
  const wrongN = createAgent('ddpg', w.ds.embeddings, { ...tiny, N: 4 }, new Rng(0));
  assert.throws(() => new Trainer(wrongN, make), /history length/);
  assert.throws(() => createAgent('ddpg', new Float32Array(10), tiny), UsageError, 'table not a multiple of E');
  agent.dispose();
  wrongN.dispose();
});
