/**
 * The reproduction pipeline (paper Section 4, Figures 6-12, Appendix E), stage by stage:
 *
 *   data       generate + prepare the default world (or read a real log through an adapter)
 *   simulator  fit the learned user simulator; its fidelity report
 *   train      the main comparison (lib/agents/methods.ts: DNN, DDPG, HRL, HRL-MG, + registered
 *              methods), once per seed (Algorithm 2), in parallel workers, through the train runner
 *   evaluate   per trained agent: online short / long against the simulator (and, on the default
 *              world, the ground-truth user model), and the offline re-ranking test
 *   sweep      HRL-MG over alpha and over M (train + online tests), reusing the main runs where equal
 *   figures    Figures 6-12 and the simulator's fidelity, standalone HTML (+ PNG with Chromium)
 *   summary    summary.md: a table per figure, a verdict per claim, fidelity, wall times
 *
 * Each stage is a module (stages/<stage>.ts: its hash and its run); this file is the runner.
 * Resumable: every stage, and every run inside a stage, writes its outputs atomically and then a
 * record with the hash of its resolved config and inputs (stageCache.ts). A rerun skips whatever
 * is recorded with the same hash ("skip: ... (cached)"); changing a setting reruns exactly the
 * stages and runs it affects.
 *
 * Layout of the output folder (default runs/reproduce):
 *   data/                       the prepared dataset (lib/data/dataset format)
 *   simulator/                  the learned simulator (lib/sim Simulator format)
 *   runs/<variant>-s<seed>/     run.json, agent/, train-log.json, result.json (the train runner), stage.json
 *   evals/<run>/                online-simulator.json, online-truth.json, offline.json (+ .stage.json)
 *   results/<stage>.json|csv    per stage: resolved config, seeds, backend, versions, rows, aggregates
 *   figures/*.html|png          the figures
 *   stages/<stage>.json         stage records (hash, config, inputs, outputs, wall time)
 *   summary.md, reproduce.json  the summary; the last invocation (plan, stage outcomes, timings)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withRunLock } from '../reliability/runLock';
import { removeIfEmpty } from '../util/removeIfEmpty';
import { initBackend } from '../backend';
import { writeJsonAtomic } from '../util/atomic';
import { kitVersion, runMeta } from '../util/versions';
import { hasMethod, isBuiltinMethod } from '../agents/methods';
import { UsageError } from '../util/errors';
import type { ReproducePlan } from './reproduceConfig';
import { mainVariants } from './reproduceConfig';
import { JobPool } from './pool';
import type { ReproduceResults } from './results';
import type { Claim } from './claims';
import { writeStageRecord } from './stageCache';
import { isSkipped, PipelineContext, STAGE_ORDER, type StageName, type StageOutcome } from './stages/index';

export { STAGES } from './stages/index';
export type { StageName, StageOutcome } from './stages/index';

export interface ReproduceOptions {
  /** Ignore every cached result (rerun all stages). */
  force?: boolean;
  /** Where stage outcome lines go ("skip: data (cached)", ...). Default: stdout. */
  print?: (line: string) => void;
}

export interface ReproduceOutcome {
  out: string;
  stages: StageOutcome[];
  seconds: number;
  claims: Claim[];
  results: ReproduceResults;
}

/** Run the pipeline for a resolved plan (reproduceConfig.resolvePlan). */
export async function reproduce(plan: ReproducePlan, o: ReproduceOptions = {}): Promise<ReproduceOutcome> {
  // Two runs writing to one output folder would corrupt each other's results: the second one fails
  // fast naming the holder (lib/reliability/runLock.ts; a lock left by a dead process is broken).
  const created = !fs.existsSync(plan.out);
  fs.mkdirSync(plan.out, { recursive: true });
  try {
    return await withRunLock(plan.out, () => reproduceLocked(plan, o), { command: 'reproduce' });
  } catch (e) {
    if (created) removeIfEmpty(plan.out); // a run that failed before writing anything leaves no empty folder
    throw e;
  }
}

async function reproduceLocked(plan: ReproducePlan, o: ReproduceOptions): Promise<ReproduceOutcome> {
  const t0 = Date.now();
  const print = o.print ?? ((l: string) => process.stdout.write(l + '\n'));
  checkMethodsReachWorkers(plan);
  const { backend } = await initBackend();
  const out = plan.out;
  fs.mkdirSync(out, { recursive: true });
  const stale = removeStaleTemps(out);
  if (stale && process.env.HRLMG_QUIET !== '1') process.stderr.write(`removed ${stale} temporary file(s) left by an interrupted run\n`);
  const pool = new JobPool(plan.rep.workers);
  const ctx = new PipelineContext(plan, backend, pool, o.force === true, print);
  const finish = (stage: StageName, status: StageOutcome['status'], ts: number, hash: string | null, detail?: string): void => {
    const seconds = (Date.now() - ts) / 1000;
    ctx.outcomes.push({ stage, status, seconds, hash, detail });
    if (status === 'cached') print(`skip: ${stage} (cached)`);
    else if (status === 'skipped') print(`skip: ${stage} (${detail ?? 'not requested'})`);
    else print(`${status === 'partial' ? 'done (partly cached)' : 'done'}: ${stage} in ${seconds.toFixed(1)}s${detail ? ` (${detail})` : ''}`);
  };
  try {
    for (const stage of STAGE_ORDER) {
      const ts = Date.now();
      const p = stage.plan(ctx);
      if (isSkipped(p)) {
        ctx.hashes[stage.name] = null;
        p.cleanup?.();
        finish(stage.name, 'skipped', ts, null, p.skip);
        continue;
      }
      ctx.hashes[stage.name] = p.hash;
      if (ctx.cached(stage.name, p.hash)) finish(stage.name, 'cached', ts, p.hash);
      else {
        const r = await p.run();
        writeStageRecord(ctx.stageFile(stage.name), {
          stage: stage.name, hash: p.hash, config: p.config, inputs: p.inputs, outputs: r.outputs ?? p.outputs, seconds: (Date.now() - ts) / 1000,
          ...(r.info ? { info: r.info } : {}),
        });
        finish(stage.name, r.status, ts, p.hash, r.detail);
      }
      stage.after?.(ctx);
    }
    const seconds = (Date.now() - t0) / 1000;
    writeJsonAtomic(path.join(out, 'reproduce.json'), { format: 'hrlmg-reproduce', kit: kitVersion(), meta: runMeta(), quick: plan.quick, plan, stages: ctx.outcomes, seconds });
    print(`results: ${path.join(out, 'summary.md')} (${seconds.toFixed(1)}s)`);
    return { out, stages: ctx.outcomes, seconds, claims: ctx.claims, results: ctx.results as ReproduceResults };
  } finally {
    await pool.close();
  }
}

/**
 * Worker threads load the built-in methods only: a method registered at run time (registerMethod)
 * trains and tests in-process, with --workers 1.
 */
function checkMethodsReachWorkers(plan: ReproducePlan): void {
  if (plan.rep.workers <= 1) return;
  const own = mainVariants(plan).filter((v) => hasMethod(v.method) && !isBuiltinMethod(v.method));
  if (own.length) throw new UsageError(`method(s) ${own.map((v) => v.method).join(', ')} were registered at run time: worker threads do not know them; use --workers 1`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Atomic writes leave `<target>.tmp-<pid>-...` behind when a run is killed; remove those of dead
 * processes (a few folder levels deep: runs/, evals/<run>/, results/, ...). Returns how many.
 */
function removeStaleTemps(dir: string, depth = 3): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    const m = /\.tmp-(\d+)-/.exec(e.name);
    if (m) {
      if (Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
        fs.rmSync(p, { recursive: true, force: true });
        n++;
      }
    } else if (e.isDirectory() && depth > 1 && e.name !== 'data' && e.name !== 'simulator') n += removeStaleTemps(p, depth - 1);
  }
  return n;
}
