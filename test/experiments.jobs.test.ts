/**
 * Jobs on worker threads give exactly what they give in-process (each run is determined by its
 * config and seed): training logs, saved weights and test results compared byte for byte. And a
 * job's user error (ConfigError) crosses the thread boundary with its class.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { generateWorld } from '../lib/data/world/generateWorld';
import { prepareDataset } from '../lib/data/prepare/prepareDataset';
import { saveDataset } from '../lib/data/dataset';
import { fitSimulator } from '../lib/sim/fitSimulator';
import { resolveEvaluateConfig } from '../lib/eval/evaluate';
import { JobPool } from '../lib/experiments/pool';
import type { Job, OfflineJob, OnlineJob, TrainJob } from '../lib/experiments/jobs';
import { cachedRecord } from '../lib/experiments/stageCache';
import { ConfigError } from '../lib/util/errors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-jobs-'));
const dataDir = path.join(tmp, 'data');
const simDir = path.join(tmp, 'sim');

before(async () => {
  await initBackend();
  const { world, log } = generateWorld({ trainImpressions: 3000, nItems: 120, nCategories: 6, calibrate: false });
  const ds = await prepareDataset(log, { embeddingDim: 8, N: 5 }, { sourceInfo: { kind: 'world', config: world.cfg, bias: world.bias } });
  await saveDataset(dataDir, ds);
  const sim = await fitSimulator(ds, { epochs: 1, H: 8, hidden: 8 }, { progress: false });
  await sim.save(simDir);
  sim.dispose();
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const agentCfg = { E: 8, N: 5, H: 8, batchLow: 16, warmupLow: 16, bufferLow: 2000, exploreDecay: 200, c: 5, batchHigh: 4, warmupHigh: 4, bufferHigh: 200 };
const env = { batchSize: 4, T: 10, poolSize: 30 };

function jobsIn(root: string, envOverride: Record<string, unknown> = env): Job[] {
  const refs = { dataDir, dataHash: 'd', simDir, simHash: 's' };
  const out: Job[] = [];
  for (const [method, seed] of [['hrl-mg', 0], ['ddpg', 1]] as const) {
    const run = `${method}-s${seed}`;
    const runDir = path.join(root, 'runs', run);
    const agent = method === 'ddpg' ? Object.fromEntries(Object.entries(agentCfg).filter(([k]) => !['c', 'batchHigh', 'warmupHigh', 'bufferHigh'].includes(k))) : agentCfg;
    const t: TrainJob = {
      kind: 'train', id: `train/${run}`, hash: `h-${run}`, config: {}, inputs: {}, run, runDir, ...refs,
      method, agent, seed, trainer: { steps: 20, updatesPerStep: 1, logEvery: 0 }, env: envOverride,
    };
    const on = (backend: 'simulator' | 'truth'): OnlineJob => ({
      kind: 'online', id: `online-${backend}/${run}`, hash: `o-${backend}-${run}`, config: {}, inputs: {}, run, runDir, ...refs, backend,
      evaluate: resolveEvaluateConfig({ seed: 5, onlineSessions: 6, batchSize: 3, shortT: 5, longT: 12, poolSize: 30, offline: false }),
      env: {}, file: path.join(root, 'evals', run, `online-${backend}.json`),
    });
    const off: OfflineJob = {
      kind: 'offline', id: `offline/${run}`, hash: `f-${run}`, config: {}, inputs: {}, run, runDir, dataDir, dataHash: 'd',
      evaluate: resolveEvaluateConfig({ seed: 5, online: false, offlineMaxSessions: 10, batchSize: 4 }), file: path.join(root, 'evals', run, 'offline.json'),
    };
    out.push(t, on('simulator'), on('truth'), off);
  }
  return out;
}

/** Everything a job wrote, minus wall-clock times and run metadata. */
function stripTimes(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'), (k, v) => (k === 'seconds' || k === 'meta' || k === 'timing' || k === 'stepsPerSecond' || k === 'startedAt' ? undefined : v));
}

function weightFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.bin')) out.set(path.relative(dir, p), fs.readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

test('worker threads and in-process runs give identical training logs, weights and test results', { timeout: 120000 }, async () => {
  const seq = jobsIn(path.join(tmp, 'seq'));
  const par = jobsIn(path.join(tmp, 'par'));
  const one = new JobPool(1);
  const two = new JobPool(2);
  let units = 0;
  try {
    const isTrain = (j: Job) => j.kind === 'train';
    await one.run(seq.filter(isTrain), (u) => (units += u));
    assert.equal(units, 40, 'progress: 2 runs x 20 steps');
    await one.run(seq.filter((j) => !isTrain(j)));
    await two.run(par.filter(isTrain));
    await two.run(par.filter((j) => !isTrain(j)));
  } finally {
    await one.close();
    await two.close();
  }
  for (let i = 0; i < seq.length; i++) {
    const a = seq[i];
    const b = par[i];
    if (a.kind === 'train' && b.kind === 'train') {
      assert.deepEqual(stripTimes(path.join(b.runDir, 'train-log.json')), stripTimes(path.join(a.runDir, 'train-log.json')), a.id);
      const wa = weightFiles(a.runDir);
      const wb = weightFiles(b.runDir);
      assert.ok(wa.size >= (a.method === 'ddpg' ? 1 : 2), 'saved networks (low, and high for HRL-MG)');
      assert.deepEqual([...wb.keys()].sort(), [...wa.keys()].sort());
      for (const [k, buf] of wa) assert.ok(buf.equals(wb.get(k)!), `${a.id}: ${k} differs`);
      assert.ok(cachedRecord(path.join(a.runDir, 'stage.json'), a.hash, a.runDir), 'run folder carries its stage record');
    } else if (a.kind !== 'train' && b.kind !== 'train') {
      const ra = stripTimes(a.file) as { online?: { long: { reward: { mean: number } } } };
      assert.deepEqual(stripTimes(b.file), ra, a.id);
      if (a.kind === 'online') assert.ok(Number.isFinite(ra.online!.long.reward.mean));
    }
  }
});

test('a job\'s ConfigError crosses the worker boundary as a ConfigError', { timeout: 60000 }, async () => {
  const bad = jobsIn(path.join(tmp, 'bad'), { ...env, T: 0 }).filter((j) => j.kind === 'train');
  const pool = new JobPool(2);
  try {
    await assert.rejects(pool.run(bad), (e: Error) => e instanceof ConfigError && /env\.T/.test(e.message));
  } finally {
    await pool.close();
  }
  assert.equal(fs.existsSync(path.join(tmp, 'bad', 'runs')), false, 'nothing written for failed runs');
});
