/**
 * The Algorithm-2 trainer: determinism (same seed -> byte-identical weights and log), bit-identical
 * resume from a checkpoint, the training log's content, and training-time traces.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { UsageError } from '../lib/util/errors';
import { createAgent, loadAgent } from '../lib/agents/factory';
import { Trainer, train, trainEnvFactory, saveTrainLog } from '../lib/agents/trainer';
import { TraceRecorder } from '../lib/agents/trace';
import type { AgentMethod } from '../lib/agents/agentConfig';
import type { TrainableAgent } from '../lib/agents/agent';
import { clusterWorld, ClusterBackend } from './agentsFixture';

const w = clusterWorld({ nItems: 48, E: 8, N: 5 });
const env = { batchSize: 4, T: 8, poolSize: 24 };
const makeEnv = trainEnvFactory(w.ds, new ClusterBackend(w.cluster), env);
const low = { E: 8, H: 8, N: 5, batchLow: 8, warmupLow: 8, bufferLow: 500, exploreDecay: 200 };
const cfgs: Record<string, Record<string, unknown>> = {
  'hrl-mg': { ...low, M: 2, c: 4, batchHigh: 4, warmupHigh: 4, bufferHigh: 100 },
  hrl: { ...low, c: 4, batchHigh: 4, warmupHigh: 4, bufferHigh: 100 },
  ddpg: { ...low },
  dnn: { E: 8, H: 8, N: 5, hidden: 8, batchLow: 8, warmupLow: 8, bufferLow: 500, exploreDecay: 200 },
};
const tcfg = { seed: 11, steps: 32, progress: false };
let tmp = '';

before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-trainer-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const mk = (m: AgentMethod, seed = 1): TrainableAgent => createAgent(m, w.ds.embeddings, cfgs[m], new Rng(seed));

function bytesOf(agent: TrainableAgent): Buffer[] {
  return agent.weightArrays().map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

function assertSameWeights(a: TrainableAgent, b: TrainableAgent, what: string): void {
  const x = bytesOf(a), y = bytesOf(b);
  assert.equal(x.length, y.length);
  for (let i = 0; i < x.length; i++) assert.ok(x[i].equals(y[i]), `${what}: weight array ${i} differs`);
}

test('same seed -> byte-identical weights and training log; another seed differs', async () => {
  const run = async (seed: number) => {
    const agent = mk('hrl-mg');
    const res = await train(agent, makeEnv, { ...tcfg, seed });
    return { agent, log: JSON.stringify(res.log) };
  };
  const a = await run(11);
  const b = await run(11);
  const c = await run(12);
  assertSameWeights(a.agent, b.agent, 'same seed');
  assert.equal(a.log, b.log, 'same log');
  assert.notEqual(a.log, c.log, 'another env seed gives another log');
  assert.ok(!bytesOf(a.agent)[0].equals(bytesOf(c.agent)[0]), 'another env seed gives other weights');
  for (const x of [a, b, c]) x.agent.dispose();
});

for (const method of ['hrl-mg', 'dnn'] as const) {
  test(`${method}: checkpoint + resume in a fresh trainer continues bit-identically`, async () => {
    const dir = path.join(tmp, `ck-${method}`);
    // Run A: 2 batches, checkpoint, 2 more batches.
    const a = mk(method);
    const ta = new Trainer(a, makeEnv, tcfg);
    await ta.run({ episodes: 2 });
    await ta.saveCheckpoint(dir);
    assert.ok(fs.existsSync(path.join(dir, 'trainer.json')) && fs.existsSync(path.join(dir, 'agent', 'runtime.json')));
    await ta.run({ episodes: 2 });
    // Run B: a fresh agent (another init seed: everything must come from the checkpoint).
    const b = mk(method, 999);
    const tb = new Trainer(b, makeEnv, tcfg);
    await tb.restore(dir);
    assert.equal(tb.episodes, 2);
    await tb.run({ episodes: 2 });
    assertSameWeights(a, b, 'resumed');
    assert.equal(JSON.stringify(tb.entries), JSON.stringify(ta.entries), 'resumed log');
    assert.deepEqual(b.updateCounts, a.updateCounts);
    assert.ok(a.updateCounts.low > 0);
    // train(..., { resumeFrom }) finishes the same budget.
    const c = mk(method, 5);
    const res = await train(c, makeEnv, tcfg, { resumeFrom: dir });
    assertSameWeights(a, c, 'train({ resumeFrom })');
    assert.equal(res.log.entries.length, 4);
    // A run with another seed may not resume this checkpoint.
    const d = mk(method);
    await assert.rejects(new Trainer(d, makeEnv, { ...tcfg, seed: 3 }).restore(dir), UsageError);
    for (const x of [a, b, c, d]) x.dispose();
  });
}

test('a checkpoint of another config is refused', async () => {
  const dir = path.join(tmp, 'ck-cfg');
  const a = mk('ddpg');
  const t = new Trainer(a, makeEnv, tcfg);
  await t.run({ episodes: 1 });
  await t.saveCheckpoint(dir);
  const other = createAgent('ddpg', w.ds.embeddings, { ...cfgs.ddpg, lrActor: 0.5 }, new Rng(1));
  await assert.rejects(new Trainer(other, makeEnv, tcfg).restore(dir), /config differs/);
  const hrl = mk('hrl');
  await assert.rejects(new Trainer(hrl, makeEnv, tcfg).restore(dir), UsageError);
  for (const x of [a, other, hrl]) x.dispose();
});

test('training log: one entry per batch with the Figure-6 series; saved agents reload identically', async () => {
  for (const method of ['hrl-mg', 'hrl', 'ddpg', 'dnn'] as const) {
    const agent = mk(method);
    const res = await train(agent, makeEnv, { ...tcfg, steps: 24 });
    const E = res.log.entries;
    assert.equal(E.length, 3, method);
    assert.deepEqual(E.map((e) => e.step), [8, 16, 24]);
    assert.deepEqual(E.map((e) => e.sessions), [4, 8, 12]);
    for (const e of E) {
      assert.equal(e.sessionsEnded, 4);
      assert.ok(e.sessionReward !== null && e.sessionReward >= 0);
      assert.ok(e.sessionClicks! >= e.sessionOrders!);
      assert.ok(e.low.rEx !== null);
      near(e.sessionReward! / env.T, e.low.rEx!, `${method}: session reward / T = mean r_ex per step`);
    }
    const last = E[2];
    assert.equal(last.low.updates, 8, 'one low update per step once warm');
    if (method === 'hrl-mg' || method === 'hrl') {
      const M = method === 'hrl' ? 1 : 2;
      assert.ok(last.high);
      assert.equal(last.high!.periods, 4 * 2, 'B sessions x T/c periods');
      assert.equal(last.high!.phi!.length, M);
      assert.ok(last.low.rIn !== null);
      // phi' of the last goal with beta = 0.5: phi0_2 + 0.5 phi0_1; the periods' total = sum phi0.
      if (M === 2) near(last.high!.phi![1], last.high!.phi0![1] + 0.5 * last.high!.phi0![0], 'Eq. 15 on means');
      near(last.high!.phi0!.reduce((x, y) => x + y, 0), last.high!.periodReward!, 'sum phi0 = period reward');
      assert.ok(last.high!.updates > 0 && last.high!.criticLoss !== null);
    } else {
      assert.equal(last.high, null);
      assert.equal(last.low.rIn, null);
    }
    assert.ok(last.explore.epsilon < E[0].explore.epsilon, 'epsilon decays');
    if (method !== 'dnn') assert.ok(last.explore.actionNoise < E[0].explore.actionNoise, 'action noise decays');
    // save -> loadAgent -> same weights, same greedy picks
    const dir = path.join(tmp, `saved-${method}`);
    await agent.save(dir);
    const back = await loadAgent(dir, w.ds.embeddings);
    assert.equal(back.method, method);
    const x = agent.weightArrays(), y = back.weightArrays();
    for (let i = 0; i < x.length; i++) assert.deepEqual(y[i], x[i]);
    const file = path.join(tmp, `log-${method}.json`);
    saveTrainLog(file, res);
    const j = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(j.log.entries.length, 3);
    assert.ok(j.meta.backend);
    agent.dispose();
    back.dispose();
  }
});

test('TraceRecorder records the chosen training session: goals, r_in, feedback, phi at period ends', async () => {
  const agent = mk('hrl-mg');
  const rec = new TraceRecorder({ episode: 1, session: 2 });
  const res = await train(agent, makeEnv, { ...tcfg, steps: 24 }, { trace: rec });
  assert.equal(res.log.entries.length, 3);
  assert.equal(rec.steps.length, 8);
  assert.ok(rec.user >= 0);
  let sessionReward = 0;
  for (const s of rec.steps) {
    assert.equal(s.episode, 1);
    assert.equal(s.goals!.length, 2);
    assert.equal(s.goal!.length, 8);
    assert.deepEqual(s.goal, s.goals![s.goalIndex]);
    assert.equal(s.goalIndex, Math.floor((s.t % 4) / 2));
    near(s.rLow, s.rEx + 0.5 * s.rIn!, 'r_low');
    assert.equal(s.rEx, [0, 1, 5][s.feedback]);
    assert.equal(s.period !== null, s.t % 4 === 3);
    sessionReward += s.rEx;
  }
  const ends = rec.steps.filter((s) => s.period);
  near(ends[0].period!.reward + ends[1].period!.reward, sessionReward, 'period rewards sum to the session reward');
  assert.equal(new Set(rec.steps.map((s) => s.item)).size, 8, 'no item twice in a session');
  agent.dispose();
});

function near(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);
}
