/**
 * Divergence guard: NaN/Inf in weights, losses or Q values stop the run within one update with a
 * message naming the network and the update step; a checkpoint is never written from a bad state,
 * so the one on disk is the last good one (it loads, every weight finite).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { ConfigError, UsageError } from '../lib/util/errors';
import { createAgent } from '../lib/agents/factory';
import { Trainer, trainEnvFactory } from '../lib/agents/trainer';
import { HrlMgAgent } from '../lib/agents/hrlmg';
import { DnnAgent } from '../lib/agents/dnnAgent';
import type { TrainableAgent } from '../lib/agents/agent';
import type { AgentMethod } from '../lib/agents/agentConfig';
import type { DdpgCore } from '../lib/agents/ddpgCore';
import { DivergenceError, DivergenceGuard, firstNonFinite, nonFiniteWeights, weightArrayNames } from '../lib/reliability/divergence';
import { CheckpointStore } from '../lib/reliability/checkpointStore';
import { runTraining } from '../lib/reliability/trainRun';
import { loadDataset } from '../lib/data/dataset';
import { clusterWorld, ClusterBackend } from './agentsFixture';
import { runCli, tinyTrainArgs, tinyWorldDataset } from './reliabilityFixture';

const w = clusterWorld({ nItems: 40, E: 6, N: 4 });
const makeEnv = trainEnvFactory(w.ds, new ClusterBackend(w.cluster), { batchSize: 4, T: 6, poolSize: 20 });
const low = { E: 6, H: 6, N: 4, batchLow: 8, warmupLow: 8, bufferLow: 300 };
const cfgs: Record<AgentMethod, Record<string, unknown>> = {
  'hrl-mg': { ...low, M: 2, c: 3, batchHigh: 4, warmupHigh: 4, bufferHigh: 100 },
  hrl: { ...low, c: 3, batchHigh: 4, warmupHigh: 4, bufferHigh: 100 },
  ddpg: { ...low },
  dnn: { ...low, hidden: 6 },
};
const tcfg = { seed: 3, sessions: 400, progress: false };
let tmp = '';

before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-diverge-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const mk = (m: AgentMethod, extra: Record<string, unknown> = {}): TrainableAgent => createAgent(m, w.ds.embeddings, { ...cfgs[m], ...extra }, new Rng(1));

/** Put a NaN (or value) into one weight (at = -1: every weight) of a DdpgCore's online critic/actor. */
function poisonCore(core: DdpgCore, net: 'critic' | 'actor', value = NaN, at = 0): void {
  const wts = core.getWeights();
  if (at < 0) wts[net].fill(value);
  else wts[net][at] = value;
  core.setWeights(wts);
}

/** Run `fn` after the k-th agent.update() (1-based). */
function afterUpdate(agent: TrainableAgent, k: number, fn: () => void): void {
  const orig = agent.update.bind(agent);
  let n = 0;
  agent.update = () => {
    const u = orig();
    if (++n === k) fn();
    return u;
  };
}

async function trainUntilError(t: Trainer, batches = 100): Promise<DivergenceError> {
  try {
    await t.run({ episodes: batches });
  } catch (e) {
    if (e instanceof DivergenceError) return e;
    throw e;
  }
  assert.fail('no divergence detected');
}

test('firstNonFinite and weightArrayNames', () => {
  assert.equal(firstNonFinite(new Float32Array([1, -2, 3e38])), -1);
  assert.equal(firstNonFinite(new Float32Array([1, NaN, 3])), 1);
  assert.equal(firstNonFinite(new Float32Array([0, 0, -Infinity])), 2);
  assert.equal(firstNonFinite(new Float32Array(0)), -1);
  for (const m of ['hrl-mg', 'hrl', 'ddpg', 'dnn'] as const) {
    const a = mk(m);
    assert.equal(weightArrayNames(a).length, a.weightArrays().length, m);
    assert.deepEqual(nonFiniteWeights(a), []);
    a.dispose();
  }
  const h = mk('hrl-mg');
  assert.deepEqual(weightArrayNames(h).slice(0, 2), ['low-level actor', 'low-level critic']);
  assert.equal(weightArrayNames(h)[9], 'high-level critic');
  h.dispose();
});

test('NaN injected into a weight: stopped at that very update, naming the network and the update step', async () => {
  const cases: { method: AgentMethod; inject: (a: TrainableAgent) => void; network: string }[] = [
    { method: 'hrl-mg', inject: (a) => poisonCore((a as HrlMgAgent).low.core, 'critic'), network: 'low-level critic' },
    { method: 'hrl-mg', inject: (a) => poisonCore((a as HrlMgAgent).high!.core, 'actor', Infinity, 7), network: 'high-level actor' },
    { method: 'ddpg', inject: (a) => poisonCore((a as HrlMgAgent).low.core, 'actor'), network: 'low-level actor' },
    {
      method: 'dnn',
      inject: (a) => {
        const net = (a as DnnAgent).net;
        const wts = net.getWeights();
        wts.net[3] = NaN;
        net.setWeights(wts);
      },
      network: 'DNN reward net',
    },
  ];
  for (const c of cases) {
    const agent = mk(c.method);
    const guard = new DivergenceGuard(agent);
    const t = new Trainer(agent, makeEnv, tcfg, guard.hooks());
    const K = 30;
    let countsAtK = { low: -1, high: -1 };
    afterUpdate(agent, K, () => {
      c.inject(agent);
      countsAtK = agent.updateCounts;
    });
    const e = await trainUntilError(t);
    assert.equal(guard.updates, K, `${c.method}: detected at the update that went bad`);
    assert.equal(e.network, c.network, e.message);
    const level = c.network.startsWith('high') ? 'high' : 'low';
    assert.equal(e.updateStep, countsAtK[level]);
    assert.ok(e.message.startsWith(`${c.network} diverged at `), e.message);
    assert.match(e.message, new RegExp(`update ${countsAtK[level]} \\(env step \\d+, session batch \\d+, session step \\d+\\): non-finite weights`));
    assert.ok(e.badWeights.includes(c.network), e.badWeights.join());
    assert.ok(e instanceof UsageError, 'the CLI prints it as a one-line error');
    agent.dispose();
  }
});

test('the statistics path: NaN/Inf losses, exploding Q, per level and method, named without a weight scan', () => {
  // Why the weights are ALSO scanned after every update (the default): a NaN critic need not show
  // in its statistics (a ReLU output kernel may map NaN to 0: Q = 0, finite losses).
  const ok = { criticLoss: 0.5, actorLoss: -1, qMean: 1, deadFrac: 0 };
  const at = { step: 12, episode: 2, t: 3 };
  const h = mk('hrl-mg');
  const g = new DivergenceGuard(h, { weightCheckEvery: 0, maxAbsQ: 1000 });
  g.onUpdate({ low: ok, high: ok }, at);
  g.onUpdate({ low: null, high: null }, at); // before warm-up
  const trip = (u: Parameters<DivergenceGuard['onUpdate']>[0], guard = g): DivergenceError => {
    try {
      guard.onUpdate(u, at);
    } catch (e) {
      assert.ok(e instanceof DivergenceError);
      return e;
    }
    assert.fail('not caught');
  };
  let e = trip({ low: { ...ok, criticLoss: NaN }, high: ok });
  assert.equal(e.network, 'low-level critic');
  assert.equal(e.message, 'low-level critic diverged at low-level update 0 (env step 12, session batch 2, session step 3): critic loss = NaN; all weights still finite');
  e = trip({ low: ok, high: { ...ok, qMean: -5000 } });
  assert.equal(e.network, 'high-level critic');
  assert.match(e.what, /mean Q = -5\.000e\+3, \|Q\| > maxAbsQ 1\.000e\+3/);
  e = trip({ low: { ...ok, actorLoss: -Infinity }, high: ok });
  assert.equal(e.network, 'low-level actor');
  assert.equal(e.what, 'actor loss = -Infinity');
  e = trip({ low: { ...ok, criticLoss: 1e13 }, high: ok });
  assert.match(e.what, /critic loss = 1\.000e\+13 > maxLoss/);
  h.dispose();
  // the DNN has no actor and no Q: NaN there is normal; its regression loss is checked
  const d = mk('dnn');
  const gd = new DivergenceGuard(d, { weightCheckEvery: 0 });
  gd.onUpdate({ low: { criticLoss: 0.1, actorLoss: NaN, qMean: NaN, deadFrac: 0 }, high: null }, at);
  e = trip({ low: { criticLoss: Infinity, actorLoss: NaN, qMean: NaN, deadFrac: 0 }, high: null }, gd);
  assert.equal(e.network, 'DNN reward net');
  assert.match(e.message, /^DNN reward net diverged at DNN reward net update 0 .*: loss = Infinity/);
  // switched off: nothing is checked
  new DivergenceGuard(d, { divergenceCheck: false }).onUpdate({ low: { criticLoss: NaN, actorLoss: NaN, qMean: NaN, deadFrac: 0 }, high: null }, at);
  d.dispose();
});

test('an absurd learning rate (1e12) is caught: named network, update step, finite-or-not detail', async () => {
  for (const m of ['ddpg', 'hrl-mg'] as const) {
    const agent = mk(m, m === 'ddpg' ? { lrCritic: 1e12 } : { lrHighCritic: 1e12 });
    const guard = new DivergenceGuard(agent);
    const t = new Trainer(agent, makeEnv, tcfg, guard.hooks());
    const e = await trainUntilError(t);
    const lvl = m === 'ddpg' ? 'low' : 'high';
    assert.match(e.network, new RegExp(`^${lvl}-level (critic|actor)$`), e.message);
    assert.ok(e.updateStep >= 1 && e.updateStep <= 20, `${m}: caught after ${e.updateStep} updates: ${e.message}`);
    assert.match(e.message, new RegExp(`diverged at ${lvl}-level update ${e.updateStep} `));
    agent.dispose();
  }
});

test('a failed batch leaves the trainer refusing checkpoints until restored; a bad state is never checkpointed', async () => {
  const agent = mk('hrl-mg');
  const guard = new DivergenceGuard(agent);
  const t = new Trainer(agent, makeEnv, tcfg, guard.hooks());
  const store = new CheckpointStore(path.join(tmp, 'store'));
  await t.run({ episodes: 3 });
  const good = await store.save(t);
  t.runEpisode();
  // poison between batches: the checkpoint's weight scan refuses it, nothing is written
  poisonCore((agent as HrlMgAgent).high!.core, 'critic', -Infinity, 2);
  await assert.rejects(store.save(t), (e: unknown) => e instanceof DivergenceError && e.network === 'high-level critic' && /checkpoint time/.test(e.message));
  assert.deepEqual(fs.readdirSync(store.root).sort(), [good.name], 'no new checkpoint, no temporary folder');
  // a batch that fails midway: the trainer refuses to go on or checkpoint
  assert.throws(() => t.runEpisode(), DivergenceError);
  await assert.rejects(t.saveCheckpoint(path.join(tmp, 'x')), /restore a checkpoint first/);
  assert.throws(() => t.runEpisode(), /restore a checkpoint first/);
  // restoring the last good checkpoint makes it usable again, with finite weights
  const r = await store.restoreLatest(t);
  assert.equal(r?.episodes, 3);
  assert.deepEqual(nonFiniteWeights(agent), []);
  assert.equal(t.episodes, 3);
  t.runEpisode();
  assert.equal(t.episodes, 4);
  agent.dispose();
});

test('runTraining / hrlmg train: divergence stops the run, the last good checkpoint stays and loads finite', { timeout: 120_000 }, async () => {
  const data = await tinyWorldDataset(path.join(tmp, 'data'));
  const out = path.join(tmp, 'run');
  // updates start in batch 3 (60 transitions of 24 per batch); the learning rate blows up the critic
  const agentCfg = { H: 8, batchLow: 8, warmupLow: 60, bufferLow: 300, lrCritic: 1e12 };
  const o = {
    data, method: 'ddpg' as const, backend: 'truth' as const, out,
    agent: agentCfg, trainer: { sessions: 40, seed: 7, checkpointEvery: 1, progress: false }, env: { batchSize: 4, T: 6, poolSize: 30 },
  };
  let err: unknown = null;
  try {
    await runTraining(o);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DivergenceError, String(err));
  const e = err as DivergenceError;
  assert.match(e.network, /^low-level (critic|actor)$/);
  assert.ok(e.at && e.at.episode >= 2, `diverged in batch ${e.at?.episode}`);
  assert.match(e.message, /the last good checkpoint \(after session batch \d+\) is kept in .*ckpt-\d+; nothing after it was written/);
  assert.ok(!fs.existsSync(path.join(out, 'result.json')) && !fs.existsSync(path.join(out, 'agent')), 'no results of a diverged run');
  assert.ok(!fs.existsSync(path.join(out, '.hrlmg-lock')), 'lock released');
  const div = JSON.parse(fs.readFileSync(path.join(out, 'divergence.json'), 'utf8'));
  assert.equal(div.network, e.network);
  const store = new CheckpointStore(path.join(out, 'checkpoints'));
  const last = store.latest()!;
  assert.ok(last && last.episodes <= e.at!.episode, 'the newest checkpoint precedes the diverging batch');
  assert.equal(div.lastGoodCheckpoint.episodes, last.episodes);
  // it loads into a fresh agent and every weight is finite
  const ds = loadDataset(data);
  const fresh = createAgent('ddpg', ds.embeddings, { ...agentCfg, E: 8, N: 5 }, new Rng(99));
  const trainerCk = JSON.parse(fs.readFileSync(path.join(last.dir, 'trainer.json'), 'utf8'));
  assert.equal(trainerCk.episodes, last.episodes);
  await fresh.loadCheckpoint(path.join(last.dir, 'agent'));
  assert.deepEqual(nonFiniteWeights(fresh), []);
  for (const a of fresh.weightArrays()) assert.equal(firstNonFinite(a), -1);
  fresh.dispose();

  // the CLI: one line on stderr, exit 2, naming the network and the update step
  const cli = await runCli(tinyTrainArgs(data, path.join(tmp, 'cli'), { batches: 10, method: 'ddpg', extra: ['--lrCritic', '1e12', '--warmupLow', '60'] }), tmp);
  assert.equal(cli.code, 2, cli.err);
  const lines = cli.err.trimEnd().split('\n');
  assert.equal(lines.length, 1, cli.err);
  assert.match(lines[0], /^hrlmg train: error: low-level (critic|actor) diverged at low-level update \d+ \(env step \d+, session batch \d+, session step \d+\): .* the last good checkpoint/);

  // the guard's own options are validated before any work
  await assert.rejects(runTraining({ ...o, out: path.join(tmp, 'never'), divergence: { maxAbsQ: -1 } }), (x: unknown) => x instanceof ConfigError && x.key === 'maxAbsQ');
  assert.ok(!fs.existsSync(path.join(tmp, 'never')));
});
