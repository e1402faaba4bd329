/**
 * Stage `summary`: summary.md (a table per figure, a verdict per claim of the paper, fidelity, wall
 * times) and results/summary.json|csv. Hash: the hashes of every stage before it. The claims are
 * computed from the results in every invocation (cached or not): the runner returns them.
 */
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import { kitVersion } from '../../util/versions';
import { toCsv } from '../csv';
import { reproduceSpec, type ReproducePlan } from '../reproduceConfig';
import { loadResults, type ReproduceResults } from '../results';
import { readStageRecord, stageHash } from '../stageCache';
import { buildClaims, renderSummary, type StageTime } from '../summary';
import { annotateClaims, evidenceWarnings } from '../evidence';
import { STAGES, type Stage } from './stage';

export const summaryStage: Stage = {
  name: 'summary',
  plan(ctx) {
    const inputs = {
      data: ctx.hash('data'), simulator: ctx.hash('simulator'), train: ctx.hash('train'), evaluate: ctx.hash('evaluate'),
      sweep: ctx.hashes.sweep ?? null, figures: ctx.hash('figures'),
    };
    const evidence = { minEvidenceSessions: ctx.plan.rep.minEvidenceSessions, minEvidenceEvents: ctx.plan.rep.minEvidenceEvents };
    const hash = stageHash('summary', { evidence }, inputs);
    ctx.results = loadResults(ctx.out);
    const warnings = evidenceWarnings(ctx.results, evidence);
    for (const w of warnings) ctx.print(`warning: ${w.text}`);
    ctx.claims = annotateClaims(buildClaims(ctx.results), warnings);
    return {
      hash, config: { evidence }, inputs, outputs: ['summary.md', 'results/summary.json', 'results/summary.csv'],
      run: async () => {
        const results = ctx.results as ReproduceResults;
        const claims = ctx.claims;
        const times: StageTime[] = [];
        for (const s of STAGES) {
          if (s === 'summary') continue;
          const oc = ctx.outcomes.find((x) => x.stage === s);
          const rec = readStageRecord(ctx.stageFile(s));
          if (oc?.status === 'skipped') {
            times.push({ stage: s, status: 'skipped', seconds: 0, detail: oc.detail });
            continue;
          }
          const cs = rec?.info?.computeSeconds;
          times.push({ stage: s, status: oc?.status ?? 'n/a', seconds: rec?.seconds ?? 0, computeSeconds: typeof cs === 'number' ? cs : undefined, detail: oc?.detail });
        }
        const about = aboutLines(ctx.plan, results, ctx.backend);
        const md = renderSummary(results, { claims, stages: times, about, warnings });
        writeFileAtomic(path.join(ctx.out, 'summary.md'), md);
        // about and stages are kept so that `hrlmg report` rebuilds summary.md byte for byte from results/
        writeJsonAtomic(ctx.resultFile('summary.json'), { ...ctx.header('summary', hash, { decision: 'CI overlap (see summary.md)', evidence }), claims, warnings, stages: times, about });
        writeFileAtomic(ctx.resultFile('summary.csv'), toCsv(claims as unknown as Record<string, unknown>[], ['id', 'group', 'text', 'source', 'verdict', 'detail']));
        return { status: 'ran' };
      },
    };
  },
};

/** The offline test's line of the header: the sessions actually re-ranked (as the body says), and the cap asked for. */
function offlineLine(cap: number, res: ReproduceResults): string {
  const done = res.evaluate?.offline[0]?.sessions;
  const asked = cap > 0 ? `a seeded sample of at most ${cap}` : 'all eligible';
  return done === undefined
    ? `Offline test: ${asked} test-split sessions re-ranked (Algorithm 4).`
    : `Offline test: ${done} test-split sessions re-ranked (Algorithm 4; ${asked} asked for, sessions with enough positives).`;
}

function aboutLines(plan: ReproducePlan, res: ReproduceResults, backend: string): string[] {
  const d = res.data;
  const sz = d?.sizes as { nItems?: number; nUsers?: number; train?: { rows: number }; test?: { rows: number } } | undefined;
  const src =
    plan.source.kind === 'world'
      ? `the default synthetic world (seed ${plan.source.world.seed}, ${plan.source.world.trainImpressions.toLocaleString('en-US')} training-day impressions)`
      : plan.source.kind === 'prepared'
        ? `the prepared folder ${plan.source.dir} (source ${d?.source ?? '?'})`
        : `${plan.source.adapter} log (${plan.source.files.map((f) => path.basename(f)).join(', ')})`;
  const r = plan.rep;
  // Name the budget honestly: any change to the default budget options is listed.
  const budgetKeys = ['seeds', 'trainSteps', 'trainBatch', 'trainT', 'updatesPerStep', 'evalSessions', 'offlineSessions', 'sweeps', 'worldImpressions', 'simEpochs'] as const;
  const changed = budgetKeys.filter((k) => JSON.stringify(r[k]) !== JSON.stringify(reproduceSpec[k].default));
  const budget = plan.quick
    ? '`--quick` (tiny budget: a smoke test, not evidence)'
    : changed.length === 0
      ? 'the default budget'
      : `a custom budget (changed from the defaults: ${changed.map((k) => `${k} = ${JSON.stringify(r[k])}`).join(', ')})`;
  return [
    `Run: ${budget}; kit ${kitVersion()}; TF.js backend ${backend}; ${new Date().toISOString()}.`,
    `Data: ${src}${sz ? `: ${sz.nItems} items, ${sz.nUsers} users, ${sz.train?.rows} training-day and ${sz.test?.rows} test-day impressions after the long-tail filter` : ''}.`,
    `Seeds: ${r.seeds.join(', ')} (n = ${r.seeds.length} per method and sweep point).`,
    `Training: ${r.trainSteps} lock-step steps of ${r.trainBatch} sessions × T = ${r.trainT} per run (${r.updatesPerStep} update(s) per step) against the learned simulator.`,
    `Online tests: ${r.evalSessions} sessions per length (short T = ${r.shortT}, long T = ${r.longT}), the same test sessions for every method and seed (evaluation seed ${r.evalSeed}); user models: learned simulator${plan.source.kind === 'world' && r.truth ? ' and the ground-truth user model of the world' : ''}.`,
    offlineLine(r.offlineSessions, res),
    r.sweeps ? `Sweeps: α ∈ {${r.alphas.join(', ')}}, M ∈ {${r.Ms.join(', ')}} (M = 1 is HRL); other settings as HRL-MG (α = ${plan.agents['hrl-mg'].alpha}, M = ${plan.agents['hrl-mg'].M}, c = ${plan.agents['hrl-mg'].c}).` : 'Sweeps: not run (--no-sweeps).',
  ];
}
