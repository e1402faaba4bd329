/**
 * Stage `train`: the main comparison (paper Section 4.2: every method of the registry's main
 * comparison, lib/agents/methods.ts) once per seed (Algorithm 2), each run a job of its own
 * (jobs.ts: the crash-safe runner of `hrlmg train`) cached under runs/<variant>-s<seed>/. Hash: every
 * run's id and hash. Writes results/train.json|csv and results/train-curves.csv.
 */
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import { toCsv } from '../csv';
import { mainVariants } from '../reproduceConfig';
import { trainRows, type CurveRow, type TrainRow } from '../results';
import { stageHash } from '../stageCache';
import { readJson, statusOf } from './context';
import type { Stage } from './stage';

export const trainStage: Stage = {
  name: 'train',
  plan(ctx) {
    const main = mainVariants(ctx.plan);
    const seeds = ctx.plan.rep.seeds;
    ctx.mainRuns = main.flatMap((v) => seeds.map((s) => ({ v, s, job: ctx.trainJob(v, s) })));
    const trainJobs = ctx.mainRuns.map((r) => r.job);
    ctx.mainJobs = [...trainJobs];
    const config = { runs: trainJobs.map((j) => [j.run, j.hash]) };
    const hash = stageHash('train-stage', config, {});
    return {
      hash, config, inputs: {},
      outputs: ['results/train.json', 'results/train.csv', 'results/train-curves.csv', ...ctx.jobOutputs(trainJobs)],
      run: async () => {
        const c = await ctx.runJobs('train', trainJobs, 'steps');
        const runs: TrainRow[] = [];
        const curves: CurveRow[] = [];
        for (const r of ctx.mainRuns) {
          const t = trainRows(ctx.runInfo(r.v, r.s), readJson(path.join(r.job.runDir, 'train-log.json')));
          runs.push(t.run);
          curves.push(...t.curves);
        }
        writeJsonAtomic(ctx.resultFile('train.json'), {
          ...ctx.header('train', hash, { variants: main, trainer: ctx.plan.trainer, env: ctx.plan.trainEnv, seeds }),
          runs,
          curves,
        });
        writeFileAtomic(ctx.resultFile('train.csv'), toCsv(runs as unknown as Record<string, unknown>[]));
        writeFileAtomic(ctx.resultFile('train-curves.csv'), toCsv(curves as unknown as Record<string, unknown>[]));
        return { status: statusOf(c), detail: `${trainJobs.length} runs: ${c.ran} trained, ${c.cached} cached`, info: { computeSeconds: ctx.computeSeconds(trainJobs) } };
      },
    };
  },
};
