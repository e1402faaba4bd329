/**
 * A crash-safe training run in one output folder (what `hrlmg train` runs):
 *
 *   <out>/.hrlmg-lock        exclusive lock while a process works on the folder (runLock.ts)
 *   <out>/run.json           the run's identity: everything that determines its results
 *   <out>/checkpoints/       numbered checkpoints (checkpointStore.ts): agent networks, targets,
 *                            Adam state, replay buffers, every Rng state, counters, training log
 *   <out>/agent/             the trained agent (loadAgent)                       } written at the end,
 *   <out>/train-log.json     training log + timing + run metadata (saveTrainLog) } each atomically,
 *   <out>/result.json        deterministic summary: log entries, update counts,  } result.json last
 *                            sha256 of every weight (the "done" marker)
 *   <out>/divergence.json    only when the run diverged (what, where, last good checkpoint)
 *
 * Running the same command again continues from the newest checkpoint and ends with exactly the
 * files an uninterrupted run writes (same seed, same data, same TF.js backend): batches are
 * deterministic given the checkpointed state (trainer.ts). A finished run is not redone; a larger
 * budget continues it. A different configuration in the same folder is refused (or --fresh).
 *
 *   const r = await runTraining({ data: 'data/world', method: 'hrl-mg', backend: 'truth', out: 'runs/a',
 *                                 trainer: { sessions: 640, checkpointEvery: 1 } });
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendInfo, initBackend } from '../backend';
import { writeJsonAtomic } from '../util/atomic';
import { ConfigOf, int, resolveConfig } from '../util/config';
import { ConfigError, InputError, UsageError } from '../util/errors';
import { Progress } from '../util/progress';
import { Rng } from '../util/rng';
import { runMeta } from '../util/versions';
import { loadDataset, readManifest } from '../data/dataset';
import type { PreparedDataset } from '../data/prepare/preparedDataset';
import { worldOfDataset } from '../data/world/worldOfDataset';
import { recEnvSpec } from '../sim/recEnv';
import { Simulator } from '../sim/simulator';
import { SimulatorBackend } from '../sim/simulatorBackend';
import { TrueModelBackend } from '../sim/trueModelBackend';
import type { UserBackend } from '../sim/userBackend';
import type { Rewards } from '../data/world/rollout';
import { omitNeutral, resolveTrainerConfig, trainerSpec, type TrainerConfig } from '../agents/agentConfig';
import { hasMethod, methodIds, resolveMethodConfig } from '../agents/methods';
import { canonicalJson, sha256Hex } from '../util/hash';
import { createAgent } from '../agents/factory';
import { saveTrainLog, Trainer, trainEnvFactory } from '../agents/trainer';
import type { TrainableAgent } from '../agents/agent';
import type { TrainLogEntry } from '../agents/trainLog';
import { CheckpointStore, type StoredCheckpoint } from './checkpointStore';
import { DivergenceError, DivergenceGuard, firstNonFinite, resolveDivergenceConfig, type DivergenceConfig } from './divergence';
import { acquireRunLock, type RunLock } from './runLock';

/** The training env options of a run (RecEnv minus what the trainer sets: split, seed; rewards stay the paper's). */
const { split: _split, seed: _seed, rewards: _rewards, ...trainEnvFields } = recEnvSpec;
export const trainEnvSpec = trainEnvFields;
/** `rewards` only when a caller set them (reproduce's --config env.rewards): identities of other runs keep matching. */
export type TrainEnvConfig = ConfigOf<typeof trainEnvSpec> & { rewards?: Rewards };

/** The trainer options of a run: as trainerSpec, but checkpointing after every session batch by default. */
export const runTrainerSpec = {
  ...trainerSpec,
  checkpointEvery: int(1, 'session batches between checkpoints (0 = only at the end); a crash loses at most this many batches of work', { min: 0 }),
};

export const RUN_FORMAT = 'hrl-mg/train-run';
export const RESULT_FORMAT = 'hrl-mg/train-result';

export interface TrainRunOptions {
  /** Prepared dataset folder. */
  data: string;
  method: string;
  /** User model answering during training: the learned simulator (needs `sim`) or the default world's ground truth. */
  backend: 'sim' | 'truth';
  /** Simulator folder (fit-simulator) for backend 'sim'. */
  sim?: string;
  /** Output folder (with perRun: the parent of the run's own subfolder). */
  out: string;
  agent?: Record<string, unknown>;
  trainer?: Record<string, unknown>;
  env?: Record<string, unknown>;
  divergence?: Record<string, unknown>;
  /** Write into <out>/<method>-s<seed>-<config hash> (the same command finds it again). */
  perRun?: boolean;
  /** Discard what the folder holds (checkpoints, results) and start over. */
  fresh?: boolean;
  /** Wait up to this long for the folder's lock (0: fail at once). */
  waitLockMs?: number;
  /** Checkpoints kept (newest first). */
  keepCheckpoints?: number;
  /** Recorded in the lock and run.json. */
  command?: string;
  /** Status lines (default: none). */
  log?: (msg: string) => void;
  /** Called with every new training-log entry (e.g. a progress bar of the caller). */
  onLog?: (e: TrainLogEntry) => void;
  /** The dataset of `data`, already loaded (a reproduce worker keeps it between jobs): not loaded again. */
  dataset?: PreparedDataset;
  /** The simulator of `sim`, already loaded: used as is and not disposed. */
  simulator?: Simulator;
  /** Fields written first in train-log.json (reproduce: the run id and seed). */
  logHeader?: Record<string, unknown>;
  /** A folder holding another run is emptied instead of refused (reproduce: its run ids name the folders, their configs may change). */
  replaceOtherRun?: boolean;
  /** Write no checkpoint at the end and remove the checkpoints once the run is complete (reproduce caches each run whole). */
  dropCheckpoints?: boolean;
}

/** What determines a run's results; stored in run.json and compared on every restart. */
export interface RunIdentity {
  format: string;
  method: string;
  agent: Record<string, unknown>;
  trainer: Pick<TrainerConfig, 'seed' | 'updatesPerStep' | 'logEvery'>;
  env: TrainEnvConfig;
  /** sha256 of the dataset's manifest.json (which lists every file's sha256). */
  data: { manifestSha256: string };
  backend: { kind: 'sim' | 'truth'; simSha256: string | null };
  /** TF.js backend: numbers differ between backends. */
  tfBackend: string;
}

export interface TrainRunResult {
  format: string;
  identitySha256: string;
  method: string;
  budget: { episodes: number; steps: number; sessions: number };
  updates: { low: number; high: number };
  exploreSteps: number;
  /** sha256 over every weight array's bytes (online, targets, Adam moments) in weightArrays() order. */
  weights: { arrays: number; values: number; sha256: string };
  final: TrainLogEntry | null;
  entries: TrainLogEntry[];
}

export interface TrainRunOutcome {
  /** The run's folder (with perRun: the subfolder). */
  out: string;
  /** 'complete': the folder already held this finished run; nothing was trained. */
  status: 'trained' | 'resumed' | 'complete';
  /** Session batches restored from a checkpoint (null: started from scratch). */
  resumedFrom: number | null;
  result: TrainRunResult;
  /** Training seconds of this process (0 when complete). */
  seconds: number;
}

/** sha256 over the files that define a simulator (not its reports). */
function simulatorSha256(dir: string): string {
  const h = createHash('sha256');
  for (const f of ['simulator.json', 'model.json', 'weights.bin', 'embeddings.bin']) {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) throw new InputError(p, 0, 'not found (not a simulator folder? run fit-simulator)');
    h.update(f).update(fs.readFileSync(p));
  }
  return h.digest('hex');
}

export function weightsDigest(agent: TrainableAgent): TrainRunResult['weights'] {
  const h = createHash('sha256');
  let values = 0;
  const arrays = agent.weightArrays();
  for (const a of arrays) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    values += a.length;
  }
  return { arrays: arrays.length, values, sha256: h.digest('hex') };
}

interface Resolved {
  agent: Record<string, unknown>;
  trainer: TrainerConfig;
  env: TrainEnvConfig;
  divergence: DivergenceConfig;
}

/** Validate every option (ConfigError / UsageError) before anything is read or written. */
export function resolveRunConfigs(o: TrainRunOptions): Resolved {
  if (!hasMethod(o.method)) throw new UsageError(`--method must be one of ${methodIds().join(', ')}, got "${o.method}"`);
  if (o.backend !== 'sim' && o.backend !== 'truth') throw new UsageError(`--backend must be sim or truth, got "${o.backend}"`);
  if (o.backend === 'sim' && !o.sim) throw new UsageError('--backend sim needs --sim DIR (a simulator folder written by fit-simulator)');
  if (o.backend === 'truth' && o.sim) throw new UsageError('--sim is only used with --backend sim');
  if (typeof o.data !== 'string' || !o.data) throw new UsageError('--data DIR is required');
  if (typeof o.out !== 'string' || !o.out) throw new UsageError('--out DIR is required');
  const agent = resolveMethodConfig(o.method, o.agent ?? {});
  const trainer = resolveConfig('trainer', runTrainerSpec, o.trainer ?? {}) as TrainerConfig;
  resolveTrainerConfig(trainer); // the trainer's own validation
  const { rewards, ...envOpts } = o.env ?? {};
  const envBase = resolveConfig('env', trainEnvSpec, envOpts);
  const env: TrainEnvConfig = rewards === undefined ? envBase : { ...envBase, rewards: resolveConfig('env', { rewards: recEnvSpec.rewards }, { rewards }).rewards };
  const divergence = resolveDivergenceConfig(o.divergence ?? {});
  return { agent, trainer, env, divergence };
}

/** Train as described in the module comment. Throws DivergenceError, RunLockError, ConfigError, InputError, UsageError. */
export async function runTraining(o: TrainRunOptions): Promise<TrainRunOutcome> {
  const log = o.log ?? (() => {});
  // 1. every option first: a bad one fails before any file is read or written
  const pre = resolveRunConfigs(o);
  // 2. the dataset's manifest (cheap): identity, and E / N default to the dataset's
  const manifest = readManifest(o.data);
  const manifestSha256 = sha256Hex(fs.readFileSync(path.join(o.data, 'manifest.json')));
  const agentOverrides = { ...(o.agent ?? {}) };
  const fromData = { E: manifest.sizes.embeddingDim, N: manifest.sizes.N };
  for (const k of ['E', 'N'] as const) {
    if (agentOverrides[k] === undefined) agentOverrides[k] = fromData[k];
    else if (agentOverrides[k] !== fromData[k]) {
      throw new ConfigError(`agent(${o.method})`, k, `must match the dataset (${o.data} has ${k === 'E' ? 'embeddingDim' : 'N'} = ${fromData[k]}), got ${agentOverrides[k]}; leave it out to use the dataset's`);
    }
  }
  const agentCfg = omitNeutral(resolveMethodConfig(o.method, agentOverrides)); // runs of kit 0.1.0 keep resuming
  const simSha256 = o.backend === 'sim' ? simulatorSha256(o.sim!) : null;
  await initBackend();
  const { trainer: tcfg, env: envCfg, divergence: dcfg } = pre;
  const identity: RunIdentity = {
    format: RUN_FORMAT,
    method: o.method,
    agent: agentCfg,
    trainer: { seed: tcfg.seed, updatesPerStep: tcfg.updatesPerStep, logEvery: tcfg.logEvery },
    env: envCfg,
    data: { manifestSha256 },
    backend: { kind: o.backend, simSha256 },
    tfBackend: backendInfo().backend,
  };
  const identitySha256 = sha256Hex(canonicalJson(identity));
  // budget in whole session batches (as Trainer.budgetEpisodes)
  const target = tcfg.steps > 0 ? Math.ceil(tcfg.steps / envCfg.T) : Math.ceil(tcfg.sessions / envCfg.batchSize);
  const budget = { episodes: target, steps: target * envCfg.T, sessions: target * envCfg.batchSize };
  const out = o.perRun ? path.join(o.out, `${o.method}-s${tcfg.seed}-${identitySha256.slice(0, 10)}`) : o.out;

  // 3. the folder is ours until we return
  const lock = await acquireRunLock(out, { waitMs: o.waitLockMs ?? 0, command: o.command, log });
  let sim: Simulator | null = null;
  let agent: TrainableAgent | null = null;
  try {
    if (o.fresh) {
      for (const f of fs.readdirSync(out)) if (!f.startsWith('.hrlmg-lock')) fs.rmSync(path.join(out, f), { recursive: true, force: true });
      log(`--fresh: emptied ${out}`);
    }
    const runFile = path.join(out, 'run.json');
    const writeRunJson = (): void =>
      writeJsonAtomic(runFile, { identity, identitySha256, data: path.resolve(o.data), sim: o.sim ? path.resolve(o.sim) : null, command: o.command ?? null, createdAt: new Date().toISOString() });
    if (fs.existsSync(runFile)) {
      let saved: { identity?: RunIdentity } | null = null;
      try {
        saved = JSON.parse(fs.readFileSync(runFile, 'utf8'));
      } catch (e) {
        throw new InputError(runFile, 0, `not valid JSON (${(e as Error).message}); remove the folder or pass --fresh`);
      }
      const other = !saved?.identity || canonicalJson(saved.identity) !== canonicalJson(identity);
      if (other && o.replaceOtherRun) {
        log(`${out} held another run (${identityDiff(saved?.identity, identity)}): emptied`);
        for (const f of fs.readdirSync(out)) if (!f.startsWith('.hrlmg-lock')) fs.rmSync(path.join(out, f), { recursive: true, force: true });
        writeRunJson();
      } else if (other) {
        throw new UsageError(`${out} holds another run (${identityDiff(saved?.identity, identity)}); use another --out, --per-run, or --fresh to discard it`);
      }
    } else writeRunJson();
    const store = new CheckpointStore(path.join(out, 'checkpoints'), o.keepCheckpoints ?? 2);
    const removed = store.removeTemp();
    if (removed) log(`removed ${removed} unfinished checkpoint write(s) of an interrupted run`);
    for (const f of fs.readdirSync(out)) if (/\.tmp-/.test(f)) fs.rmSync(path.join(out, f), { recursive: true, force: true });

    // a finished run is not redone (result.json is written last)
    const resultFile = path.join(out, 'result.json');
    if (fs.existsSync(resultFile)) {
      const prev = readResult(resultFile);
      if (prev && prev.identitySha256 === identitySha256 && prev.budget.episodes === target) {
        log(`${out}: this run is already complete (${target} session batches)`);
        return { out, status: 'complete', resumedFrom: null, result: prev, seconds: 0 };
      }
      fs.rmSync(resultFile, { force: true }); // describes another budget: not done any more
    }

    // 4. data, user model, agent, trainer
    log(`loading ${o.data}...`);
    const ds = o.dataset ?? loadDataset(o.data);
    // the loader checks structure, not values: non-finite embeddings would only show up as a
    // "diverged" network much later
    const badEmb = firstNonFinite(ds.embeddings);
    if (badEmb >= 0) {
      const f = ds.manifest.files.find((x) => x.name === 'embeddings')?.file ?? 'embeddings.f32';
      throw new InputError(path.join(o.data, f), 0, `embedding value [${badEmb}] (item ${Math.floor(badEmb / manifest.sizes.embeddingDim)}) is ${ds.embeddings[badEmb]}: the embeddings must be finite`);
    }
    let backend: UserBackend;
    if (o.backend === 'sim') {
      if (o.simulator) backend = new SimulatorBackend(o.simulator);
      else {
        sim = await Simulator.load(o.sim!);
        backend = new SimulatorBackend(sim);
      }
    } else {
      backend = new TrueModelBackend(
        worldOfDataset(ds, () => new UsageError(`--backend truth needs a dataset generated from the default world (hrlmg generate); ${o.data} has source '${ds.manifest.source}' (use --backend sim --sim DIR)`)),
        ds,
      );
    }
    // the agent's stream as in lib/experiments (a run here equals a pipeline job of the same config)
    agent = createAgent(o.method, ds.embeddings, agentCfg, new Rng(tcfg.seed).fork(`agent/${o.method}`));
    const guard = new DivergenceGuard(agent, dcfg);
    const trainer = new Trainer(agent, trainEnvFactory(ds, backend, envCfg), tcfg, { ...guard.hooks(), onLog: o.onLog });
    if (trainer.budgetEpisodes !== target) throw new Error(`runTraining: budget ${trainer.budgetEpisodes} != ${target} batches`);

    const latest = await store.restoreLatest(trainer, log);
    if (latest) {
      if (latest.episodes > target) {
        throw new UsageError(`${out}: the newest checkpoint is after ${latest.episodes} session batches, beyond this budget of ${target}; raise --sessions/--steps or use --fresh`);
      }
      log(`resuming from ${latest.dir} (session batch ${latest.episodes} of ${target})`);
    }
    const t0 = Date.now();
    const bar = tcfg.progress ? new Progress(`train ${o.method}`, (target - trainer.episodes) * trainer.T, { unit: 'steps' }) : null;
    try {
      while (trainer.episodes < target) {
        trainer.runEpisode(bar ?? undefined);
        if (tcfg.checkpointEvery > 0 && trainer.episodes % tcfg.checkpointEvery === 0) await store.save(trainer);
      }
      if (!o.dropCheckpoints && !store.has(trainer.episodes)) await store.save(trainer);
    } catch (e) {
      if (e instanceof DivergenceError) throw recordDivergence(out, e, store.latest(), trainer.episodes);
      throw e;
    }
    bar?.finish();
    const seconds = (Date.now() - t0) / 1000;

    // 5. results, each atomic; result.json last marks the run complete
    await agent.save(path.join(out, 'agent'));
    if (o.logHeader) writeJsonAtomic(path.join(out, 'train-log.json'), { ...o.logHeader, meta: runMeta(), ...trainer.result() });
    else saveTrainLog(path.join(out, 'train-log.json'), trainer.result());
    const entries = trainer.entries;
    const result: TrainRunResult = {
      format: RESULT_FORMAT,
      identitySha256,
      method: o.method,
      budget,
      updates: agent.updateCounts,
      exploreSteps: agent.exploreSteps,
      weights: weightsDigest(agent),
      final: entries.at(-1) ?? null,
      entries,
    };
    writeJsonAtomic(resultFile, result);
    if (o.dropCheckpoints) fs.rmSync(path.join(out, 'checkpoints'), { recursive: true, force: true });
    return { out, status: latest ? 'resumed' : 'trained', resumedFrom: latest?.episodes ?? null, result, seconds };
  } finally {
    agent?.dispose();
    sim?.dispose();
    lock.release();
  }
}

function readResult(file: string): TrainRunResult | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as TrainRunResult;
    return r && r.format === RESULT_FORMAT && r.budget ? r : null;
  } catch {
    return null;
  }
}

/** Which top-level parts of two identities differ (for the refusal message). */
function identityDiff(a: RunIdentity | undefined, b: RunIdentity): string {
  if (!a) return 'run.json has no identity';
  const parts: string[] = [];
  for (const k of Object.keys(b) as (keyof RunIdentity)[]) {
    const x = a[k] as unknown, y = b[k] as unknown;
    if (canonicalJson(x) === canonicalJson(y)) continue;
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const kk of keys) {
        const xv = (x as Record<string, unknown>)[kk], yv = (y as Record<string, unknown>)[kk];
        if (canonicalJson(xv) !== canonicalJson(yv)) parts.push(`${k}.${kk}: ${JSON.stringify(xv)} there, ${JSON.stringify(yv)} now`);
      }
    } else parts.push(`${k}: ${JSON.stringify(x)} there, ${JSON.stringify(y)} now`);
  }
  return parts.slice(0, 4).join('; ') + (parts.length > 4 ? `; +${parts.length - 4} more` : '');
}

/** Write divergence.json and return the error with the checkpoint situation appended. */
function recordDivergence(out: string, e: DivergenceError, last: StoredCheckpoint | null, episodes: number): DivergenceError {
  const kept = last
    ? `the last good checkpoint (after session batch ${last.episodes}) is kept in ${last.dir}`
    : 'it diverged before the first checkpoint, so no checkpoint exists';
  const msg = `${e.message}. Training stopped in session batch ${episodes}; ${kept}; nothing after it was written. Lower the learning rate(s) and rerun with --fresh (or another --out).`;
  writeJsonAtomic(path.join(out, 'divergence.json'), {
    network: e.network,
    what: e.what,
    updateStep: e.updateStep,
    at: e.at,
    badWeights: e.badWeights,
    lastGoodCheckpoint: last ? { dir: last.dir, episodes: last.episodes } : null,
    message: msg,
    time: new Date().toISOString(),
  });
  return new DivergenceError(msg, e.network, e.what, e.updateStep, e.at, e.badWeights);
}
