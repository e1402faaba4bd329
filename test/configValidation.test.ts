/**
 * Every config spec of the kit goes through its real entry point (resolveXxx / resolveConfig) with
 * unknown keys, wrong types, NaN / Infinity, strings for numbers, negative and out-of-range values:
 * each must be a ConfigError naming `<config>.<key>` (never another exception), raised before any
 * work starts (no tensor built, no env built, no file read or written), and the CLI prints it as
 * one line with exit code 2.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { resolveConfig, type Spec } from '../lib/util/config';
import { ConfigError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';
import { resolveWorldConfig, worldConfigSpec } from '../lib/data/world/worldConfig';
import { prepareConfigSpec, resolvePrepareConfig } from '../lib/data/prepare/config';
import { ADAPTER_SPEC, resolveAdapterOptions } from '../lib/data/adapters/options';
import { recEnvSpec } from '../lib/sim/recEnv';
import { resolveSimulatorConfig, simulatorSpec } from '../lib/sim/simulatorConfig';
import { recallSpec, resolveRecallConfig } from '../lib/sim/recall';
import { agentSpecs, resolveAgentConfig, resolveTrainerConfig, trainerSpec, type AgentMethod } from '../lib/agents/agentConfig';
import { DdpgCore, ddpgSpec } from '../lib/agents/ddpgCore';
import { approxIndexSpec } from '../lib/agents/mapping/approxIndex';
import { stateItemSpec } from '../lib/nn/stateItemNet';
import { evaluateSpec, resolveEvaluateConfig } from '../lib/eval/evaluate';
import { offlineTestSpec, resolveOfflineConfig } from '../lib/eval/offlineTest';
import { createAgent } from '../lib/agents/factory';
import { Trainer } from '../lib/agents/trainer';
import { divergenceSpec, resolveDivergenceConfig, DivergenceGuard } from '../lib/reliability/divergence';
import { runTrainerSpec, runTraining, trainEnvSpec } from '../lib/reliability/trainRun';
import { runCli } from './reliabilityFixture';

interface Entry {
  name: string;
  spec: Spec;
  resolve: (o: Record<string, unknown>) => unknown;
}

const AGENT_METHODS: AgentMethod[] = ['hrl-mg', 'hrl', 'ddpg', 'dnn'];

/** Every config of the kit, each through the function the kit itself calls. */
const ENTRIES: Entry[] = [
  { name: 'world', spec: worldConfigSpec, resolve: (o) => resolveWorldConfig(o) },
  { name: 'prepare', spec: prepareConfigSpec, resolve: (o) => resolvePrepareConfig(o) },
  { name: 'adapter', spec: ADAPTER_SPEC, resolve: (o) => resolveAdapterOptions(o) },
  { name: 'env', spec: recEnvSpec, resolve: (o) => resolveConfig('env', recEnvSpec, o) },
  { name: 'simulator', spec: simulatorSpec, resolve: (o) => resolveSimulatorConfig(o) },
  { name: 'recall', spec: recallSpec, resolve: (o) => resolveRecallConfig(o) },
  ...AGENT_METHODS.map((m): Entry => ({ name: `agent(${m})`, spec: agentSpecs[m], resolve: (o) => resolveAgentConfig(m, o) })),
  { name: 'trainer', spec: trainerSpec, resolve: (o) => resolveTrainerConfig(o) },
  { name: 'ddpg', spec: ddpgSpec, resolve: (o) => resolveConfig('ddpg', ddpgSpec, o) },
  { name: 'approxIndex', spec: approxIndexSpec, resolve: (o) => resolveConfig('approxIndex', approxIndexSpec, o) },
  { name: 'stateItem', spec: stateItemSpec, resolve: (o) => resolveConfig('stateItem', stateItemSpec, o) },
  { name: 'evaluate', spec: evaluateSpec, resolve: (o) => resolveEvaluateConfig(o) },
  { name: 'offlineTest', spec: offlineTestSpec, resolve: (o) => resolveOfflineConfig(o) },
  { name: 'divergence', spec: divergenceSpec, resolve: (o) => resolveDivergenceConfig(o) },
  { name: 'trainer', spec: runTrainerSpec, resolve: (o) => resolveConfig('trainer', runTrainerSpec, o) },
  { name: 'env', spec: trainEnvSpec, resolve: (o) => resolveConfig('env', trainEnvSpec, o) },
];

/** Hostile values tried for every field: wrong types, non-finite, negative, fractional, huge. */
const VALUES: unknown[] = [NaN, Infinity, -Infinity, -1, -1e9, 0, 0.5, 1.5, 1e12, 2 ** 53, '3', '', 'abc', null, true, {}, [], [NaN], { skip: 'x' }];

let tmp = '';
before(async () => {
  await initBackend();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-cfg-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function expectConfigError(fn: () => unknown, config: string, key: string, what: string): ConfigError {
  let err: unknown = null;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, `${what}: expected ConfigError ${config}.${key}, got ${err === null ? 'no error' : `${(err as Error).name}: ${(err as Error).message}`}`);
  assert.equal(err.key, key, `${what}: ${err.message}`);
  assert.equal(err.config, config, `${what}: ${err.message}`);
  assert.ok(err.message.startsWith(`${config}.${key}: `), err.message);
  assert.ok(!err.message.includes('\n'), 'one line');
  return err;
}

test('every spec: unknown keys, wrong types, non-finite and out-of-range values -> ConfigError naming config.key', () => {
  let cases = 0;
  let rejected = 0;
  for (const e of ENTRIES) {
    assert.doesNotThrow(() => e.resolve({}), `${e.name}: defaults resolve`);
    for (const bad of ['bogus', 'learningRate', '__proto__x', 'm']) {
      if (bad in e.spec) continue;
      expectConfigError(() => e.resolve({ [bad]: 1 }), e.name, bad, `${e.name}: unknown key ${bad}`);
      cases++;
    }
    assert.throws(() => e.resolve(null as never), ConfigError, `${e.name}: null config`);
    assert.throws(() => e.resolve([] as never), ConfigError, `${e.name}: array config`);
    for (const [key, field] of Object.entries(e.spec)) {
      for (const v of VALUES) {
        cases++;
        const problem = field.check(v);
        if (problem !== null) {
          const err = expectConfigError(() => e.resolve({ [key]: v }), e.name, key, `${e.name}.${key} = ${JSON.stringify(v)}`);
          assert.ok(err.message.includes(problem), err.message);
          rejected++;
        } else {
          // accepted by the field: resolves, or a cross-field rule names some key; nothing else
          try {
            e.resolve({ [key]: v });
          } catch (x) {
            assert.ok(x instanceof ConfigError, `${e.name}.${key} = ${JSON.stringify(v)}: ${(x as Error).name}: ${(x as Error).message}`);
            assert.ok((x as ConfigError).key in e.spec, (x as Error).message);
          }
        }
      }
    }
  }
  assert.ok(cases > 2000 && rejected > 1500, `${cases} cases, ${rejected} rejected`);
  process.stderr.write(`# configValidation: ${ENTRIES.length} specs, ${cases} hostile values/keys, ${rejected} rejected by field checks\n`);
});

test('the named cases: M < 1, c < M, alpha < 0, negative sizes, NaN, strings for numbers', () => {
  expectConfigError(() => resolveAgentConfig('hrl-mg', { M: 0 }), 'agent(hrl-mg)', 'M', 'M = 0');
  expectConfigError(() => resolveAgentConfig('hrl-mg', { M: 3, c: 2 }), 'agent(hrl-mg)', 'c', 'c < M');
  expectConfigError(() => resolveAgentConfig('hrl-mg', { alpha: -0.5 }), 'agent(hrl-mg)', 'alpha', 'alpha < 0');
  expectConfigError(() => resolveAgentConfig('hrl', { M: 2 }), 'agent(hrl)', 'M', 'hrl has no M');
  expectConfigError(() => resolveAgentConfig('ddpg', { c: 5 }), 'agent(ddpg)', 'c', 'ddpg has no c');
  expectConfigError(() => resolveAgentConfig('dnn', { bufferLow: -10 }), 'agent(dnn)', 'bufferLow', 'negative buffer');
  expectConfigError(() => resolveAgentConfig('ddpg', { warmupLow: 500, bufferLow: 100 }), 'agent(ddpg)', 'warmupLow', 'warm-up > buffer');
  expectConfigError(() => resolveAgentConfig('hrl-mg', { lrActor: NaN }), 'agent(hrl-mg)', 'lrActor', 'NaN');
  expectConfigError(() => resolveAgentConfig('hrl-mg', { gamma: '0.9' }), 'agent(hrl-mg)', 'gamma', 'string');
  expectConfigError(() => resolveConfig('env', recEnvSpec, { batchSize: -4 }), 'env', 'batchSize', 'negative B');
  expectConfigError(() => resolveConfig('env', recEnvSpec, { rewards: { skip: 0, click: NaN, order: 5 } }), 'env', 'rewards', 'NaN reward');
  expectConfigError(() => resolveWorldConfig({ nItems: -5 }), 'world', 'nItems', 'negative items');
  expectConfigError(() => resolveWorldConfig({ trainImpressions: 1e12 }), 'world', 'trainImpressions', 'huge');
  expectConfigError(() => resolvePrepareConfig({ N: 0 }), 'prepare', 'N', 'N = 0');
  expectConfigError(() => resolveTrainerConfig({ sessions: 0 }), 'trainer', 'sessions', 'no budget');
  expectConfigError(() => resolveTrainerConfig({ seed: -1 }), 'trainer', 'seed', 'negative seed');
  expectConfigError(() => resolveSimulatorConfig({ epochs: 2.5 }), 'simulator', 'epochs', 'fractional');
  expectConfigError(() => resolveEvaluateConfig({ poolSize: 10 }), 'evaluate', 'poolSize', 'pool < T');
  expectConfigError(() => resolveDivergenceConfig({ weightCheckEvery: -1 }), 'divergence', 'weightCheckEvery', 'negative');
});

test('raised before any work: no tensor, no env, no file', async () => {
  const table = new Rng(1).fillNormal(new Float32Array(20 * 4));
  const n0 = tf.memory().numTensors;
  assert.throws(() => createAgent('hrl-mg', table, { E: 4, M: 0 }, new Rng(1)), ConfigError);
  assert.throws(() => createAgent('dnn', table, { E: 4, lr: -1 }, new Rng(1)), ConfigError);
  assert.throws(() => new DdpgCore(table, { E: 4, lrCritic: 0 }, new Rng(1)), ConfigError);
  assert.equal(tf.memory().numTensors, n0, 'no network was built');
  const agent = createAgent('ddpg', table, { E: 4, N: 2, H: 4 }, new Rng(1));
  let envs = 0;
  const makeEnv = () => {
    envs++;
    throw new Error('must not be called');
  };
  assert.throws(() => new Trainer(agent, makeEnv as never, { updatesPerStep: -1 }), (e: unknown) => e instanceof ConfigError && e.key === 'updatesPerStep');
  assert.throws(() => new DivergenceGuard(agent, { maxLoss: 'big' }), (e: unknown) => e instanceof ConfigError && e.key === 'maxLoss');
  assert.equal(envs, 0, 'no env was built');
  agent.dispose();
  // runTraining: every option before the data is read or the output folder created
  const out = path.join(tmp, 'never');
  const base = { data: path.join(tmp, 'no-such-data'), method: 'hrl-mg' as const, backend: 'truth' as const, out };
  await assert.rejects(runTraining({ ...base, agent: { c: 1, M: 2 } }), (e: unknown) => e instanceof ConfigError && e.key === 'c');
  await assert.rejects(runTraining({ ...base, env: { T: 0 } }), (e: unknown) => e instanceof ConfigError && e.key === 'T');
  await assert.rejects(runTraining({ ...base, trainer: { checkpointEvery: 1.5 } }), (e: unknown) => e instanceof ConfigError && e.key === 'checkpointEvery');
  await assert.rejects(runTraining({ ...base, divergence: { maxAbsQ: NaN } }), (e: unknown) => e instanceof ConfigError && e.key === 'maxAbsQ');
  assert.ok(!fs.existsSync(out), 'no output folder');
});

test('CLI: a bad option is one line on stderr, exit 2, before any work', { timeout: 60_000 }, async () => {
  const out = path.join(tmp, 'cli-out');
  const train = ['train', '--data', path.join(tmp, 'no-such-data'), '--backend', 'truth', '--out', out];
  const cases: [string[], RegExp][] = [
    [[...train, '--method', 'hrl-mg', '--M', '0'], /^hrlmg train: error: agent\(hrl-mg\)\.M: must be >= 1, got 0$/],
    [[...train, '--method', 'hrl-mg', '--M', '3', '--c', '2'], /^hrlmg train: error: agent\(hrl-mg\)\.c: must be >= M/],
    [[...train, '--method', 'hrl-mg', '--alpha=-1'], /^hrlmg train: error: agent\(hrl-mg\)\.alpha: must be >= 0, got -1$/],
    [[...train, '--method', 'ddpg', '--M', '2'], /^hrlmg train: error: agent\(ddpg\)\.M: unknown key/],
    [[...train, '--method', 'hrl', '--batchSize=-4'], /^hrlmg train: error: env\.batchSize: must be >= 1, got -4$/],
    [[...train, '--method', 'dnn', '--lr', 'abc'], /^hrlmg train: error: --lr: expected a number, got "abc"/],
    [[...train, '--method', 'dnn', '--sessions', '1.5'], /^hrlmg train: error: trainer\.sessions: must be an integer, got 1\.5$/],
    [[...train, '--method', 'bogus'], /^hrlmg train: error: --method must be one of hrl-mg, hrl, ddpg, dnn, got "bogus"$/],
    [[...train, '--method', 'ddpg', '--maxAbsQ', '0'], /^hrlmg train: error: divergence\.maxAbsQ: must be > 0, got 0$/],
    [['generate', '--out', out, '--nItems=-5'], /^hrlmg generate: error: world\.nItems: must be >= 50, got -5$/],
    [['generate', '--out', out, '--embeddingDim', 'NaN'], /^hrlmg generate: error: --embeddingDim: expected a number, got "NaN"/],
  ];
  // (node's parseArgs reads "--alpha -1" as a missing value: negative numbers need "--alpha=-1")
  for (const [args, re] of cases) {
    const r = await runCli(args, tmp);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    const lines = r.err.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line expected:\n${r.err}`);
    assert.match(lines[0], re);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
  assert.ok(!fs.existsSync(out), 'nothing was written');
});
