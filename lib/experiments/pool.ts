/**
 * Runs independent jobs (jobs.ts) on worker threads, one TF.js backend per worker (the wasm backend
 * is single-threaded, so two workers use both cores). With one worker, or a single job, jobs run
 * in-process in order. Results do not depend on where a job ran: each is determined by its config.
 *
 *   const pool = new JobPool(2);
 *   const results = await pool.run(jobs, (units) => bar.tick(units), (r) => log(r.id));
 *   await pool.close();
 *
 * A failing job stops the batch: the other workers are terminated (outputs are written atomically,
 * so nothing half-written remains) and run() rejects with the job's error, rebuilt with its class
 * (ConfigError / InputError / UsageError stay user errors).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfigError, InputError, UsageError } from '../util/errors';
import { executeJob, JobContext, type Job, type JobResult } from './jobs';

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  file?: string;
  line?: number;
  problem?: string;
  config?: string;
  key?: string;
}

export function serializeError(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const x = err as Error & Partial<SerializedError>;
  return { name: err.name, message: err.message, stack: err.stack, file: x.file, line: x.line, problem: x.problem, config: x.config, key: x.key };
}

export function reviveError(s: SerializedError, where: string): Error {
  let e: Error;
  if (s.name === 'ConfigError' && s.config !== undefined && s.key !== undefined && s.problem !== undefined) e = new ConfigError(s.config, s.key, s.problem);
  else if (s.name === 'InputError' && s.file !== undefined && s.line !== undefined && s.problem !== undefined) e = new InputError(s.file, s.line, s.problem);
  else if (s.name === 'UsageError') e = new UsageError(s.message);
  else {
    e = new Error(`${where}: ${s.message}`);
    e.name = s.name;
  }
  if (s.stack) e.stack = `${s.stack}\n    (in ${where})`;
  return e;
}

type FromWorker =
  | { type: 'progress'; id: string; units: number }
  | { type: 'done'; id: string; result: JobResult }
  | { type: 'error'; id: string; error: SerializedError };

export class JobPool {
  private ctx: JobContext | null = null;
  private threads: Worker[] = [];

  /** `workers` threads at most (1 = in-process). */
  constructor(readonly workers: number) {
    if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`JobPool: workers must be an integer >= 1, got ${workers}`);
  }

  /** Run `jobs`; results in job order. */
  async run(jobs: Job[], onProgress: (units: number) => void = () => {}, onDone: (r: JobResult, job: Job) => void = () => {}): Promise<JobResult[]> {
    if (!jobs.length) return [];
    if (this.workers === 1 || jobs.length === 1) return this.runInProcess(jobs, onProgress, onDone);
    return this.runThreaded(jobs, onProgress, onDone);
  }

  private async runInProcess(jobs: Job[], onProgress: (units: number) => void, onDone: (r: JobResult, job: Job) => void): Promise<JobResult[]> {
    this.ctx ??= new JobContext();
    const out: JobResult[] = [];
    for (const job of jobs) {
      const r = await executeJob(job, this.ctx, onProgress);
      onDone(r, job);
      out.push(r);
    }
    return out;
  }

  private spawn(): Worker {
    const w = new Worker(path.join(__dirname, 'worker.js'), { env: process.env });
    this.threads.push(w);
    return w;
  }

  private runThreaded(jobs: Job[], onProgress: (units: number) => void, onDone: (r: JobResult, job: Job) => void): Promise<JobResult[]> {
    const n = Math.min(this.workers, jobs.length);
    while (this.threads.length < n) this.spawn();
    const threads = this.threads.slice(0, n);
    const results = new Array<JobResult>(jobs.length);
    const index = new Map(jobs.map((j, i) => [j.id, i]));
    if (index.size !== jobs.length) return Promise.reject(new UsageError('JobPool: job ids must be unique'));
    let next = 0;
    let finished = 0;
    return new Promise<JobResult[]>((resolve, reject) => {
      let failed = false;
      const cleanup: Array<() => void> = [];
      const fail = (e: Error): void => {
        if (failed) return;
        failed = true;
        for (const c of cleanup) c();
        void this.terminate();
        reject(e);
      };
      const dispatch = (w: Worker): void => {
        if (next >= jobs.length) return;
        w.postMessage({ type: 'job', job: jobs[next++] });
      };
      for (const w of threads) {
        const onMessage = (m: FromWorker): void => {
          if (failed) return;
          if (m.type === 'progress') onProgress(m.units);
          else if (m.type === 'error') fail(reviveError(m.error, `job ${m.id}`));
          else if (m.type === 'done') {
            const i = index.get(m.id)!;
            results[i] = m.result;
            onDone(m.result, jobs[i]);
            finished++;
            if (finished === jobs.length) {
              for (const c of cleanup) c();
              resolve(results);
            } else dispatch(w);
          }
        };
        const onError = (e: Error): void => fail(e);
        const onExit = (code: number): void => fail(new Error(`a worker thread exited (code ${code}) before its job finished`));
        w.on('message', onMessage);
        w.on('error', onError);
        w.on('exit', onExit);
        cleanup.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
          w.off('exit', onExit);
        });
        dispatch(w);
      }
    });
  }

  private async terminate(): Promise<void> {
    const ts = this.threads;
    this.threads = [];
    await Promise.all(ts.map((t) => t.terminate()));
  }

  /** Stop the workers and free what the in-process context holds. */
  async close(): Promise<void> {
    await this.terminate();
    this.ctx?.dispose();
    this.ctx = null;
  }
}
