/**
 * Stage `sweep` (paper Section 4.3, Figures 9-12): HRL-MG over alpha and over M, trained once per
 * seed and tested online; a point whose config equals a main run reuses that run and its tests.
 * Hash: every point and every job's hash. Writes results/sweep.json, sweep.csv, sweep-summary.csv;
 * skipped with --no-sweeps (and its stale results removed).
 */
import * as fs from 'node:fs';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import type { EvaluationRecord } from '../../eval/evaluate';
import { toCsv } from '../csv';
import type { TrainJob } from '../jobs';
import { sweepPlans } from '../reproduceConfig';
import { aggregate, onlineRows, type SweepRow } from '../results';
import { stageHash } from '../stageCache';
import { attachHeadroom, referenceJobsOf, referenceRows } from '../references';
import { readJson, statusOf } from './context';
import type { Stage } from './stage';

export const sweepStage: Stage = {
  name: 'sweep',
  plan(ctx) {
    const sweeps = sweepPlans(ctx.plan);
    if (!sweeps.length) {
      return { skip: '--no-sweeps', cleanup: () => { for (const f of ['sweep.json', 'sweep.csv', 'sweep-summary.csv']) fs.rmSync(ctx.resultFile(f), { force: true }); } };
    }
    const seeds = ctx.plan.rep.seeds;
    const models = ctx.models;
    const points = sweeps.flatMap((sp) => sp.points.flatMap((p) => seeds.map((s) => ({ param: sp.param, x: p.x, v: p.variant, s, job: ctx.trainJob(p.variant, s) }))));
    const uniq = new Map<string, TrainJob>();
    for (const p of points) uniq.set(p.job.id, p.job);
    const swTrain = [...uniq.values()];
    const mainIds = new Set(ctx.mainJobs.map((j) => j.id));
    const swEval = swTrain.flatMap((t) => models.map((m) => ctx.onlineJob(t, m)));
    const config = { points: points.map((p) => [p.param, p.x, p.job.run]), jobs: [...swTrain, ...swEval].map((j) => [j.id, j.hash]) };
    const hash = stageHash('sweep-stage', config, {});
    return {
      hash, config, inputs: {},
      outputs: ['results/sweep.json', 'results/sweep.csv', 'results/sweep-summary.csv', ...ctx.jobOutputs([...swTrain, ...swEval])],
      run: async () => {
        const c1 = await ctx.runJobs('sweep-train', swTrain, 'steps');
        const c2 = await ctx.runJobs('sweep-evaluate', swEval, 'tests');
        const rows: SweepRow[] = [];
        for (const p of points) {
          for (const m of models) {
            for (const r of onlineRows(ctx.runInfo(p.v, p.s), m, readJson<EvaluationRecord>(ctx.onlineJob(p.job, m).file))) rows.push({ param: p.param, x: p.x, ...r });
          }
        }
        attachHeadroom(rows, referenceRows(referenceJobsOf(ctx), readJson<EvaluationRecord>));
        const summary = aggregate(rows, ['param', 'x', 'backend', 'length'], ['reward', 'clicks', 'clicksOnly', 'orders', 'h']);
        writeJsonAtomic(ctx.resultFile('sweep.json'), {
          ...ctx.header('sweep', hash, { sweeps: sweeps.map((sp) => ({ param: sp.param, points: sp.points.map((p) => ({ x: p.x, variant: p.variant })) })), userModels: models, seeds }),
          rows,
          summary,
        });
        writeFileAtomic(ctx.resultFile('sweep.csv'), toCsv(rows as unknown as Record<string, unknown>[]));
        writeFileAtomic(ctx.resultFile('sweep-summary.csv'), toCsv(summary, ['param', 'x', 'backend', 'length', 'metric', 'n', 'mean', 'halfWidth', 'lo', 'hi', 'std']));
        return {
          status: statusOf({ ran: c1.ran + c2.ran, cached: c1.cached + c2.cached }),
          detail: `${swTrain.length} runs (${c1.ran} trained), ${swEval.length} tests (${c2.ran} run); the rest cached or shared with the main runs`,
          // compute of the sweep's own runs (the points shared with the main comparison are counted there)
          info: { computeSeconds: ctx.computeSeconds([...swTrain, ...swEval].filter((j) => !mainIds.has(j.id))) },
        };
      },
    };
  },
};
