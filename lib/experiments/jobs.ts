/**
 * The independent units of work of the pipeline, runnable in any thread: training one agent
 * (method config x seed) and testing one trained agent (online against one user model, or offline).
 * A job is plain JSON (it crosses worker_threads); everything it needs is read from disk (the
 * prepared dataset, the saved simulator, the saved agent) and everything it makes is written to
 * disk atomically, followed by its stage record. Each job is fully determined by its config and
 * seeds, so running it in a worker or in-process gives identical results.
 */
import { runTraining } from '../reliability/trainRun';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../backend';
import { writeJsonAtomic } from '../util/atomic';
import { loadDataset } from '../data/dataset';
import type { PreparedDataset } from '../data/prepare/preparedDataset';
import { worldOfDataset } from '../data/world/worldOfDataset';
import type { World } from '../data/world/world';
import { Simulator } from '../sim/simulator';
import { SimulatorBackend } from '../sim/simulatorBackend';
import { TrueModelBackend } from '../sim/trueModelBackend';
import { loadAgent } from '../agents/factory';
import { evaluate, type EvaluateConfig } from '../eval/evaluate';
import { evaluateReferences } from '../eval/references';
import { UsageError } from '../util/errors';
import { writeStageRecord } from './stageCache';

/** Identity and cache record of a job: the hash and what it covers. */
export interface JobStamp {
  /** Unique within a pipeline run, e.g. 'train/hrl-mg-s0', 'online-simulator/hrl-mg-s0'. */
  id: string;
  hash: string;
  config: unknown;
  inputs: Record<string, unknown>;
}

interface DataRef {
  dataDir: string;
  /** Hash of the data stage (cache key of the loaded dataset). */
  dataHash: string;
}

interface SimRef {
  simDir: string;
  simHash: string;
}

export interface TrainJob extends JobStamp, DataRef, SimRef {
  kind: 'train';
  run: string;
  runDir: string;
  method: string;
  agent: Record<string, unknown>;
  seed: number;
  trainer: { steps: number; updatesPerStep: number; logEvery: number };
  /** Training env settings (batchSize, T, poolSize, rewards, ...). */
  env: Record<string, unknown>;
}

export interface OnlineJob extends JobStamp, DataRef, SimRef {
  kind: 'online';
  run: string;
  runDir: string;
  /** The user model answering the test: the learned simulator or the default world's ground truth. */
  backend: 'simulator' | 'truth';
  evaluate: EvaluateConfig;
  env: Record<string, unknown>;
  /** The evaluation record (JSON); its stage record goes beside it (`.stage.json`). */
  file: string;
}

export interface OfflineJob extends JobStamp, DataRef {
  kind: 'offline';
  run: string;
  runDir: string;
  evaluate: EvaluateConfig;
  file: string;
}

/**
 * A reference policy (lib/eval/references.ts: random, logging policy, greedy oracles) through the
 * same online tests as the agents: same evaluate config, test env, user model. No agent involved.
 */
export interface ReferenceJob extends JobStamp, DataRef, SimRef {
  kind: 'reference';
  /** Reference id (REFERENCES). */
  reference: string;
  backend: 'simulator' | 'truth';
  evaluate: EvaluateConfig;
  env: Record<string, unknown>;
  file: string;
}

export type Job = TrainJob | OnlineJob | OfflineJob | ReferenceJob;

export interface JobResult {
  id: string;
  kind: Job['kind'];
  seconds: number;
  info: Record<string, unknown>;
}

/** Progress units a job reports in total (train: env steps; tests: 1). */
export function jobUnits(job: Job): number {
  if (job.kind !== 'train') return 1;
  const T = job.env.T as number;
  return Math.ceil(job.trainer.steps / T) * T;
}

/** The stage-record file of a test result file. */
export function stageFileOf(resultFile: string): string {
  return resultFile.replace(/\.json$/, '') + '.stage.json';
}

/** The saved agent of a training run folder. */
export function agentDir(runDir: string): string {
  return path.join(runDir, 'agent');
}

/**
 * What a thread keeps loaded between jobs: datasets, simulators and worlds by (folder, stage hash),
 * so a worker loads each once however many jobs it runs.
 */
export class JobContext {
  private readonly datasets = new Map<string, PreparedDataset>();
  private readonly sims = new Map<string, Simulator>();
  private readonly worlds = new Map<string, World>();

  dataset(r: DataRef): PreparedDataset {
    const k = `${r.dataDir}#${r.dataHash}`;
    let ds = this.datasets.get(k);
    if (!ds) {
      ds = loadDataset(r.dataDir, { verify: false }); // verified by the pipeline when it was made
      this.datasets.set(k, ds);
    }
    return ds;
  }

  async simulator(r: SimRef): Promise<Simulator> {
    const k = `${r.simDir}#${r.simHash}`;
    let s = this.sims.get(k);
    if (!s) {
      s = await Simulator.load(r.simDir);
      this.sims.set(k, s);
    }
    return s;
  }

  /** The default world a dataset was generated from (rebuilt from its manifest). */
  world(r: DataRef): World {
    const k = `${r.dataDir}#${r.dataHash}`;
    let w = this.worlds.get(k);
    if (!w) {
      w = worldOfDataset(this.dataset(r));
      this.worlds.set(k, w);
    }
    return w;
  }

  dispose(): void {
    for (const s of this.sims.values()) s.dispose();
    this.sims.clear();
    this.datasets.clear();
    this.worlds.clear();
  }
}

/** Run one job (see the module comment); `progress(units)` reports work done as it goes. */
export async function executeJob(job: Job, ctx: JobContext, progress: (units: number) => void = () => {}): Promise<JobResult> {
  await initBackend();
  const t0 = Date.now();
  let info: Record<string, unknown>;
  switch (job.kind) {
    case 'train':
      info = await runTrain(job, ctx, progress);
      break;
    case 'online':
    case 'offline':
      info = await runTest(job, ctx);
      progress(1);
      break;
    case 'reference':
      info = await runReference(job, ctx);
      progress(1);
      break;
    default:
      throw new UsageError(`unknown job kind ${(job as { kind: string }).kind}`);
  }
  return { id: job.id, kind: job.kind, seconds: (Date.now() - t0) / 1000, info };
}

/**
 * One training run through the same crash-safe runner as `hrlmg train` (lib/reliability/trainRun.ts):
 * the run folder's lock, its identity (run.json), the divergence guard (divergence.json when it
 * trips), result.json with the weights' digest; then this job's stage record, last. The trainer
 * config is the one reproduce has always recorded (checkpointEvery 0: a run is cached whole, so no
 * checkpoint is kept once it is complete).
 */
async function runTrain(job: TrainJob, ctx: JobContext, progress: (units: number) => void): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  let done = 0;
  const r = await runTraining({
    data: job.dataDir,
    dataset: ctx.dataset(job),
    method: job.method,
    backend: 'sim',
    sim: job.simDir,
    simulator: await ctx.simulator(job),
    out: job.runDir,
    agent: job.agent,
    // the trainer seeds one env per session batch from the run seed (trainer.episodeSeed), the agent's stream is forked from it
    trainer: { seed: job.seed, steps: job.trainer.steps, updatesPerStep: job.trainer.updatesPerStep, logEvery: job.trainer.logEvery, checkpointEvery: 0, progress: false },
    env: job.env,
    logHeader: { run: job.run, seed: job.seed },
    replaceOtherRun: true,
    dropCheckpoints: true,
    command: `reproduce ${job.id}`,
    onLog: (e) => {
      progress(e.step - done);
      done = e.step;
    },
  });
  const res = JSON.parse(fs.readFileSync(path.join(job.runDir, 'train-log.json'), 'utf8')) as { seconds: number; stepsPerSecond: number; meta: unknown };
  writeStageRecord(path.join(job.runDir, 'stage.json'), {
    stage: job.id,
    hash: job.hash,
    config: job.config,
    inputs: job.inputs,
    outputs: ['agent/agent.json', 'train-log.json'],
    seconds: (Date.now() - t0) / 1000,
    info: { meta: res.meta, trainSeconds: res.seconds, stepsPerSecond: res.stepsPerSecond, updates: r.result.updates },
  });
  return { trainSeconds: res.seconds, stepsPerSecond: res.stepsPerSecond, steps: r.result.entries.at(-1)?.step ?? 0 };
}

async function runReference(job: ReferenceJob, ctx: JobContext): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  const ds = ctx.dataset(job);
  const backend = job.backend === 'simulator' ? new SimulatorBackend(await ctx.simulator(job)) : new TrueModelBackend(ctx.world(job), ds);
  const [ref] = await evaluateReferences([job.reference], ds, backend, job.evaluate, { env: job.env });
  writeJsonAtomic(job.file, { reference: job.reference, label: ref.label, hash: job.hash, ...ref.record });
  writeStageRecord(stageFileOf(job.file), {
    stage: job.id, hash: job.hash, config: job.config, inputs: job.inputs, outputs: [path.basename(job.file)], seconds: (Date.now() - t0) / 1000,
    info: { evalSeconds: ref.record.seconds },
  });
  return { evalSeconds: ref.record.seconds };
}

async function runTest(job: OnlineJob | OfflineJob, ctx: JobContext): Promise<Record<string, unknown>> {
  const t0 = Date.now();
  const ds = ctx.dataset(job);
  if (!fs.existsSync(path.join(agentDir(job.runDir), 'agent.json'))) throw new UsageError(`${job.id}: no trained agent in ${job.runDir}`);
  const agent = await loadAgent(agentDir(job.runDir), ds.embeddings);
  try {
    let rec;
    if (job.kind === 'online') {
      const backend = job.backend === 'simulator' ? new SimulatorBackend(await ctx.simulator(job)) : new TrueModelBackend(ctx.world(job), ds);
      rec = await evaluate(agent, ds, backend, job.evaluate, { env: job.env });
    } else {
      // the offline test re-ranks logged sessions: no user model is involved (any backend would do)
      rec = await evaluate(agent, ds, { name: 'logged', reset() {}, probs: () => new Float32Array(0), observe() {} }, job.evaluate);
    }
    writeJsonAtomic(job.file, { run: job.run, hash: job.hash, ...rec });
    writeStageRecord(stageFileOf(job.file), {
      stage: job.id,
      hash: job.hash,
      config: job.config,
      inputs: job.inputs,
      outputs: [path.basename(job.file)],
      seconds: (Date.now() - t0) / 1000,
      info: { evalSeconds: rec.seconds },
    });
    return { evalSeconds: rec.seconds };
  } finally {
    agent.dispose();
  }
}
