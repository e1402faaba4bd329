/**
 * The state a reproduce invocation shares between its stages: the plan, the output folder's
 * layout, the hashes of the stages done so far, the job builders (a training run, an online test
 * against one user model, an offline test: each with its own hash, so a run shared by two stages
 * runs once) and the thread pool that runs them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendInfo } from '../../backend';
import { methodOf } from '../../agents/methods';
import type { Claim } from '../claims';
import { Progress } from '../../util/progress';
import { runMeta } from '../../util/versions';
import { jobUnits, stageFileOf, type Job, type OfflineJob, type OnlineJob, type TrainJob } from '../jobs';
import { JobPool } from '../pool';
import { runId, type ReproducePlan, type Variant } from '../reproduceConfig';
import type { ReproduceResults, RunInfo, StageResultHeader, UserModel } from '../results';
import { cachedRecord, readStageRecord, stageHash, type StageRecord } from '../stageCache';
import type { StageName } from './stageNames';

export interface StageOutcome {
  stage: StageName;
  status: 'ran' | 'cached' | 'partial' | 'skipped';
  /** Wall seconds in this invocation. */
  seconds: number;
  hash: string | null;
  detail?: string;
}

export function note(msg: string): void {
  if (process.env.HRLMG_QUIET !== '1') process.stderr.write(`${msg}\n`);
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** A main-comparison or sweep run: its variant, seed and training job. */
export interface PlannedRun {
  v: Variant;
  s: number;
  job: TrainJob;
}

export class PipelineContext {
  readonly out: string;
  readonly dataDir: string;
  readonly simDir: string;
  readonly runsDir: string;
  readonly evalsDir: string;
  readonly outcomes: StageOutcome[] = [];
  /** Hash of every stage planned so far (null: skipped). */
  readonly hashes: Partial<Record<StageName, string | null>> = {};
  /** Jobs finished in this invocation (with --force, a job shared by two stages still runs once). */
  private readonly done = new Set<string>();
  // set by the stages for the ones after them
  /** Whether the dataset comes from the default world (data stage). */
  isWorld = false;
  /** The user models answering the online tests (evaluate stage). */
  models: UserModel[] = ['simulator'];
  mainRuns: PlannedRun[] = [];
  /** The main comparison's jobs (train, evaluate): the sweep shares what equals them. */
  mainJobs: Job[] = [];
  results: ReproduceResults | null = null;
  claims: Claim[] = [];

  constructor(
    readonly plan: ReproducePlan,
    /** TF.js backend name (part of every hash: numbers differ between backends). */
    readonly backend: string,
    readonly pool: JobPool,
    readonly force: boolean,
    readonly print: (line: string) => void,
  ) {
    this.out = plan.out;
    this.dataDir = path.join(this.out, 'data');
    this.simDir = path.join(this.out, 'simulator');
    this.runsDir = path.join(this.out, 'runs');
    this.evalsDir = path.join(this.out, 'evals');
  }

  stageFile(s: string): string {
    return path.join(this.out, 'stages', `${s}.json`);
  }

  resultFile(name: string): string {
    return path.join(this.out, 'results', name);
  }

  /** The stage's record when it matches `hash` (null with --force). */
  cached(s: string, hash: string): StageRecord | null {
    return this.force ? null : cachedRecord(this.stageFile(s), hash, this.out);
  }

  /** The header of every results/<stage>.json: what the numbers were computed with. */
  header(stage: string, hash: string, config: unknown): StageResultHeader {
    return { stage, hash, config, seeds: this.plan.rep.seeds, backend: backendInfo(), meta: runMeta() };
  }

  hash(s: StageName): string {
    const h = this.hashes[s];
    if (typeof h !== 'string') throw new Error(`reproduce: stage ${s} has no hash yet (stage order?)`);
    return h;
  }

  rel(p: string): string {
    return path.relative(this.out, p).split(path.sep).join('/');
  }

  runInfo(v: Variant, seed: number): RunInfo {
    return { run: runId(v, seed), variant: v.id, method: v.method, label: v.label, seed };
  }

  // ---- jobs ------------------------------------------------------------------------------------

  trainJob(v: Variant, seed: number): TrainJob {
    const p = this.plan;
    const config = { method: v.method, agent: v.agent, seed, trainer: p.trainer, env: p.trainEnv };
    const inputs = { data: this.hash('data'), simulator: this.hash('simulator'), backend: this.backend };
    const run = runId(v, seed);
    return {
      kind: 'train', id: `train/${run}`, hash: stageHash('train', config, inputs), config, inputs, run, runDir: path.join(this.runsDir, run),
      dataDir: this.dataDir, dataHash: this.hash('data'), simDir: this.simDir, simHash: this.hash('simulator'),
      method: v.method, agent: v.agent, seed, trainer: p.trainer, env: p.trainEnv,
    };
  }

  onlineJob(t: TrainJob, model: UserModel): OnlineJob {
    const { offlineMaxSessions: _o1, minPositives: _o2, offline: _o3, ...onlineEvalKey } = this.plan.onlineEval;
    const config = { test: 'online', userModel: model, evaluate: onlineEvalKey, env: this.plan.testEnv };
    const inputs = { run: t.hash, data: this.hash('data'), ...(model === 'simulator' ? { simulator: this.hash('simulator') } : {}), backend: this.backend };
    return {
      kind: 'online', id: `online-${model}/${t.run}`, hash: stageHash('evaluate', config, inputs), config, inputs, run: t.run, runDir: t.runDir,
      dataDir: this.dataDir, dataHash: this.hash('data'), simDir: this.simDir, simHash: this.hash('simulator'),
      backend: model, evaluate: this.plan.onlineEval, env: this.plan.testEnv, file: path.join(this.evalsDir, t.run, `online-${model}.json`),
    };
  }

  offlineJob(t: TrainJob): OfflineJob {
    const { onlineSessions: _f1, shortT: _f2, longT: _f3, poolSize: _f4, online: _f5, ...offlineEvalKey } = this.plan.offlineEval;
    const config = { test: 'offline', evaluate: offlineEvalKey };
    const inputs = { run: t.hash, data: this.hash('data'), backend: this.backend };
    return {
      kind: 'offline', id: `offline/${t.run}`, hash: stageHash('evaluate', config, inputs), config, inputs, run: t.run, runDir: t.runDir,
      dataDir: this.dataDir, dataHash: this.hash('data'), evaluate: this.plan.offlineEval, file: path.join(this.evalsDir, t.run, 'offline.json'),
    };
  }

  private jobRecord(j: Job): { file: string; base: string } {
    return j.kind === 'train' ? { file: path.join(j.runDir, 'stage.json'), base: j.runDir } : { file: stageFileOf(j.file), base: path.dirname(j.file) };
  }

  private jobCached(j: Job): StageRecord | null {
    const r = this.jobRecord(j);
    return this.force ? null : cachedRecord(r.file, j.hash, r.base);
  }

  /** The jobs' stage records as outputs of a stage. */
  jobOutputs(js: Job[]): string[] {
    return js.map((j) => this.rel(this.jobRecord(j).file));
  }

  /** Compute seconds of the jobs (from their records: also those cached). */
  computeSeconds(js: Job[]): number {
    return js.reduce((a, j) => a + (readStageRecord(this.jobRecord(j).file)?.seconds ?? 0), 0);
  }

  /** Run the jobs not cached (progress bar over their units, longest first); returns counts. */
  async runJobs(label: string, js: Job[], unit: string): Promise<{ ran: number; cached: number }> {
    const todo: Job[] = [];
    let hits = 0;
    for (const j of js) {
      if (this.done.has(j.id) || this.jobCached(j)) {
        hits++;
        this.print(`skip: ${label} ${j.id} (cached)`);
      } else todo.push(j);
    }
    if (todo.length) {
      todo.sort((a, b) => jobCost(b) - jobCost(a)); // longest first: the threads finish together
      const total = todo.reduce((a, j) => a + jobUnits(j), 0);
      const threads = Math.min(this.plan.rep.workers, todo.length);
      const bar = new Progress(`${label} (${todo.length} on ${threads} thread${threads > 1 ? 's' : ''})`, total, { unit });
      await this.pool.run(todo, (u) => bar.tick(u), (r) => {
        this.done.add(r.id);
        note(`  ${r.id}: ${r.seconds.toFixed(1)}s`);
      });
      bar.finish();
    }
    return { ran: todo.length, cached: hits };
  }
}

/** A stage whose record did not match re-aggregates its results even when every run was cached: 'partial'. */
export function statusOf(c: { ran: number; cached: number }): 'ran' | 'partial' {
  return c.cached > 0 ? 'partial' : 'ran';
}

/** Relative cost of a job, to start the longest first (the method's cost per step, methods.ts). */
export function jobCost(j: Job): number {
  if (j.kind !== 'train') return j.kind === 'online' ? 0.5 : 0.2;
  return methodOf(j.method).stepCost(j.agent) * jobUnits(j);
}
