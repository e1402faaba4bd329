/**
 * Stage `evaluate`: every main run tested online (Algorithm 3: short and long sessions against the
 * learned simulator and, on the default world, the ground-truth user model) and offline (Algorithm
 * 4: re-ranking the logged test-day sessions), one job per test. Hash: every test's id and hash.
 * The reference policies (references.ts) run on the same tests; every online row carries h.
 * Writes results/evaluate.json, evaluate-online.csv, evaluate-offline.csv, evaluate-summary.csv,
 * evaluate-references.csv.
 */
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import type { EvaluationRecord } from '../../eval/evaluate';
import { toCsv } from '../csv';
import type { Job } from '../jobs';
import { aggregate, offlineRow, onlineRows, type OfflineRow, type OnlineRow } from '../results';
import { stageHash } from '../stageCache';
import { attachHeadroom, referenceJobsOf, referenceRows } from '../references';
import { readJson, statusOf } from './context';
import type { Stage } from './stage';

export const evaluateStage: Stage = {
  name: 'evaluate',
  plan(ctx) {
    const { plan } = ctx;
    ctx.models = ctx.isWorld && plan.rep.truth ? ['simulator', 'truth'] : ['simulator'];
    const evalJobs: Job[] = [];
    for (const r of ctx.mainRuns) {
      for (const m of ctx.models) evalJobs.push(ctx.onlineJob(r.job, m));
      evalJobs.push(ctx.offlineJob(r.job));
    }
    const refJobs = referenceJobsOf(ctx); // random, logging policy, oracles on the same tests
    evalJobs.push(...refJobs);
    ctx.mainJobs.push(...evalJobs);
    const config = { jobs: evalJobs.map((j) => [j.id, j.hash]) };
    const hash = stageHash('evaluate-stage', config, {});
    return {
      hash, config, inputs: {},
      outputs: ['results/evaluate.json', 'results/evaluate-online.csv', 'results/evaluate-offline.csv', 'results/evaluate-summary.csv', 'results/evaluate-references.csv', ...ctx.jobOutputs(evalJobs)],
      run: async () => {
        const c = await ctx.runJobs('evaluate', evalJobs, 'tests');
        const online: OnlineRow[] = [];
        const offline: OfflineRow[] = [];
        for (const r of ctx.mainRuns) {
          const info = ctx.runInfo(r.v, r.s);
          for (const m of ctx.models) online.push(...onlineRows(info, m, readJson<EvaluationRecord>(ctx.onlineJob(r.job, m).file)));
          const off = offlineRow(info, readJson<EvaluationRecord>(ctx.offlineJob(r.job).file));
          if (off) offline.push(off);
        }
        const references = referenceRows(refJobs, readJson<EvaluationRecord>);
        attachHeadroom(online, references);
        const ndcgKeys = offline.length ? Object.keys(offline[0]).filter((k) => /ndcg@\d+$/.test(k)) : [];
        const onlineSummary = aggregate(online, ['label', 'variant', 'backend', 'length'], ['reward', 'clicks', 'clicksOnly', 'orders', 'h']);
        const offlineSummary = aggregate(offline, ['label', 'variant'], ['map', ...ndcgKeys.filter((k) => k.startsWith('ndcg')), 'loggedMap', 'randomMap', ...ndcgKeys.filter((k) => !k.startsWith('ndcg'))]);
        writeJsonAtomic(ctx.resultFile('evaluate.json'), {
          ...ctx.header('evaluate', hash, { online: plan.onlineEval, offline: plan.offlineEval, testEnv: plan.testEnv, userModels: ctx.models, seeds: plan.rep.seeds }),
          online,
          offline,
          onlineSummary,
          offlineSummary,
          references,
        });
        writeFileAtomic(ctx.resultFile('evaluate-references.csv'), toCsv(references as unknown as Record<string, unknown>[]));
        writeFileAtomic(ctx.resultFile('evaluate-online.csv'), toCsv(online as unknown as Record<string, unknown>[]));
        writeFileAtomic(ctx.resultFile('evaluate-offline.csv'), toCsv(offline as unknown as Record<string, unknown>[]));
        writeFileAtomic(
          ctx.resultFile('evaluate-summary.csv'),
          toCsv(
            [...onlineSummary.map((r) => ({ test: 'online', ...r })), ...offlineSummary.map((r) => ({ test: 'offline', backend: '', length: '', ...r }))],
            ['test', 'label', 'variant', 'backend', 'length', 'metric', 'n', 'mean', 'halfWidth', 'lo', 'hi', 'std'],
          ),
        );
        return { status: statusOf(c), detail: `${evalJobs.length} tests: ${c.ran} run, ${c.cached} cached`, info: { computeSeconds: ctx.computeSeconds(evalJobs) } };
      },
    };
  },
};
