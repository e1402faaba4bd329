/**
 * The reproduction pipeline (paper Section 4, Figures 6-12, Appendix E), stage by stage:
 *
 *   data       generate + prepare the default world (or read a real log through an adapter)
 *   simulator  fit the learned user simulator; its fidelity report
 *   train      DNN, DDPG, HRL, HRL-MG, once per seed (Algorithm 2), in parallel workers
 *   evaluate   per trained agent: online short / long against the simulator (and, on the default
 *              world, the ground-truth user model), and the offline re-ranking test
 *   sweep      HRL-MG over alpha and over M (train + online tests), reusing the main runs where equal
 *   figures    Figures 6-12 and the simulator's fidelity, standalone HTML (+ PNG with Chromium)
 *   summary    summary.md: a table per figure, a verdict per claim, fidelity, wall times
 *
 * Resumable: every stage, and every run inside a stage, writes its outputs atomically and then a
 * record with the hash of its resolved config and inputs (stageCache.ts). A rerun skips whatever
 * is recorded with the same hash ("skip: ... (cached)"); changing a setting reruns exactly the
 * stages and runs it affects.
 *
 * Layout of the output folder (default runs/reproduce):
 *   data/                       the prepared dataset (lib/data/dataset format)
 *   simulator/                  the learned simulator (lib/sim Simulator format)
 *   runs/<variant>-s<seed>/     agent/ (saved agent), train-log.json, stage.json
 *   evals/<run>/                online-simulator.json, online-truth.json, offline.json (+ .stage.json)
 *   results/<stage>.json|csv    per stage: resolved config, seeds, backend, versions, rows, aggregates
 *   figures/*.html|png          the figures
 *   stages/<stage>.json         stage records (hash, config, inputs, outputs, wall time)
 *   summary.md, reproduce.json  the summary; the last invocation (plan, stage outcomes, timings)
 */
import { withRunLock } from '../reliability/runLock';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendInfo, initBackend } from '../backend';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { ConfigError } from '../util/errors';
import { Progress } from '../util/progress';
import { resolveConfig } from '../util/config';
import { kitVersion, runMeta } from '../util/versions';
import { readManifest, loadDataset, saveDataset } from '../data/dataset';
import { generateWorld } from '../data/world/generateWorld';
import { prepareDataset } from '../data/prepare/prepareDataset';
import { ADAPTERS } from '../data/adapters/index';
import { fitSimulator } from '../sim/fitSimulator';
import { fidelityReport, formatFidelityTable, type FidelityReport } from '../sim/fidelity';
import { recEnvSpec } from '../sim/recEnv';
import type { EvaluationRecord } from '../eval/evaluate';
import { chromiumAvailable } from '../plots/png';
import { fileSha256 } from './hash';
import { cachedRecord, readStageRecord, stageHash, writeStageRecord, type StageRecord } from './stageCache';
import { mainVariants, reproduceSpec, runId, sweepPlans, type ReproducePlan, type Variant } from './reproduceConfig';
import { agentDir, jobUnits, stageFileOf, worldOfDataset, type Job, type OfflineJob, type OnlineJob, type TrainJob } from './jobs';
import { JobPool } from './pool';
import { toCsv } from './csv';
import {
  aggregate, loadResults, offlineRow, onlineRows, trainRows,
  type CurveRow, type OfflineRow, type OnlineRow, type ReproduceResults, type RunInfo, type StageResultHeader, type SweepRow, type TrainRow, type UserModel,
} from './results';
import { buildFigures, writeFigures } from './figures';
import { buildClaims, renderSummary, type StageTime } from './summary';
import type { Claim } from './claims';

export const STAGES = ['data', 'simulator', 'train', 'evaluate', 'sweep', 'figures', 'summary'] as const;
export type StageName = (typeof STAGES)[number];

export interface ReproduceOptions {
  /** Ignore every cached result (rerun all stages). */
  force?: boolean;
  /** Where stage outcome lines go ("skip: data (cached)", ...). Default: stdout. */
  print?: (line: string) => void;
}

export interface StageOutcome {
  stage: StageName;
  status: 'ran' | 'cached' | 'partial' | 'skipped';
  /** Wall seconds in this invocation. */
  seconds: number;
  hash: string | null;
  detail?: string;
}

export interface ReproduceOutcome {
  out: string;
  stages: StageOutcome[];
  seconds: number;
  claims: Claim[];
  results: ReproduceResults;
}

function note(msg: string): void {
  if (process.env.HRLMG_QUIET !== '1') process.stderr.write(`${msg}\n`);
}

function rel(out: string, p: string): string {
  return path.relative(out, p).split(path.sep).join('/');
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Run the pipeline for a resolved plan (reproduceConfig.resolvePlan). */
export async function reproduce(plan: ReproducePlan, o: ReproduceOptions = {}): Promise<ReproduceOutcome> {
  // Two runs writing to one output folder would corrupt each other's results: the second one fails
  // fast naming the holder (lib/reliability/runLock.ts; a lock left by a dead process is broken).
  fs.mkdirSync(plan.out, { recursive: true });
  return withRunLock(plan.out, () => reproduceLocked(plan, o), { command: 'reproduce' });
}

async function reproduceLocked(plan: ReproducePlan, o: ReproduceOptions): Promise<ReproduceOutcome> {
  const t0 = Date.now();
  const print = o.print ?? ((l: string) => process.stdout.write(l + '\n'));
  const info = await initBackend();
  const backend = info.backend;
  const out = plan.out;
  fs.mkdirSync(out, { recursive: true });
  const stale = removeStaleTemps(out);
  if (stale) note(`removed ${stale} temporary file(s) left by an interrupted run`);
  const outcomes: StageOutcome[] = [];
  const stageFile = (s: string): string => path.join(out, 'stages', `${s}.json`);
  const resultFile = (name: string): string => path.join(out, 'results', name);
  const cached = (s: string, hash: string): StageRecord | null => (o.force ? null : cachedRecord(stageFile(s), hash, out));
  const header = (stage: string, hash: string, config: unknown): StageResultHeader => ({ stage, hash, config, seeds: plan.rep.seeds, backend: backendInfo(), meta: runMeta() });
  const finish = (stage: StageName, status: StageOutcome['status'], ts: number, hash: string | null, detail?: string): void => {
    const seconds = (Date.now() - ts) / 1000;
    outcomes.push({ stage, status, seconds, hash, detail });
    if (status === 'cached') print(`skip: ${stage} (cached)`);
    else if (status === 'skipped') print(`skip: ${stage} (${detail ?? 'not requested'})`);
    else print(`${status === 'partial' ? 'done (partly cached)' : 'done'}: ${stage} in ${seconds.toFixed(1)}s${detail ? ` (${detail})` : ''}`);
  };
  const pool = new JobPool(plan.rep.workers);
  try {
    // ---- data ----------------------------------------------------------------------------------
    let ts = Date.now();
    const dataDir = path.join(out, 'data');
    const source =
      plan.source.kind === 'world'
        ? { kind: 'world', world: plan.source.world }
        : {
            kind: 'adapter',
            adapter: plan.source.adapter,
            options: plan.source.options,
            files: plan.source.files.map((f) => ({ name: path.basename(f), bytes: fs.statSync(f).size, sha256: inputSha256(f, stageFile('data')) })),
          };
    const dataConfig = { source, prepare: plan.prepare };
    const dataHash = stageHash('data', dataConfig, {});
    const dataOutputs = ['data/manifest.json', 'results/data.json', 'results/data.csv'];
    if (cached('data', dataHash)) finish('data', 'cached', ts, dataHash);
    else {
      let ds;
      if (plan.source.kind === 'world') {
        note('data: generating the default world and its two-day log...');
        const g0 = Date.now();
        const { world, log } = generateWorld(plan.source.world, { progress: true });
        const generateSeconds = (Date.now() - g0) / 1000;
        note(`data: ${log.item.length.toLocaleString('en-US')} impressions in ${generateSeconds.toFixed(1)}s; preparing...`);
        ds = await prepareDataset(log, plan.prepare, { progress: true, sourceInfo: { kind: 'world', config: world.cfg, bias: world.bias, generateSeconds } });
      } else {
        const s = plan.source;
        note(`data: reading ${s.files.join(', ')} (${s.adapter})...`);
        const r0 = Date.now();
        const log = await ADAPTERS[s.adapter].read(s.files, { ...s.options, progress: true });
        const readSeconds = (Date.now() - r0) / 1000;
        ds = await prepareDataset(log, plan.prepare, {
          progress: true,
          sourceInfo: { kind: 'adapter', adapter: s.adapter, files: source.files, options: s.options, adapterStats: log.adapterStats, categoryRaw: log.categoryRaw, readSeconds },
        });
      }
      const m = await saveDataset(dataDir, ds);
      const stats = m.statistics as unknown as Record<string, Record<string, number>>;
      writeJsonAtomic(resultFile('data.json'), {
        ...header('data', dataHash, dataConfig),
        source: m.source,
        sizes: m.sizes,
        statistics: stats,
        filter: m.filter,
        days: m.days,
        sourceInfo: m.sourceInfo,
      });
      writeFileAtomic(resultFile('data.csv'), toCsv((['train', 'test'] as const).map((sp) => ({ split: sp, ...stats[sp] }))));
      writeStageRecord(stageFile('data'), {
        stage: 'data', hash: dataHash, config: dataConfig, inputs: {}, outputs: dataOutputs, seconds: (Date.now() - ts) / 1000,
        info: { fileStamps: plan.source.kind === 'adapter' ? plan.source.files.map((f) => ({ ...fileStamp(f), sha256: inputSha256(f, stageFile('data')) })) : [] },
      });
      finish('data', 'ran', ts, dataHash, `${m.sizes.nItems} items, ${m.sizes.nUsers} users, ${m.sizes.train.rows}+${m.sizes.test.rows} rows`);
    }
    const manifest = readManifest(dataDir);
    const isWorld = manifest.source === 'world';
    checkEnvAgainstData(plan, manifest.sizes.nItems);

    // ---- simulator -----------------------------------------------------------------------------
    ts = Date.now();
    const simDir = path.join(out, 'simulator');
    const simConfig = { simulator: plan.simulator, fidelity: plan.fidelity };
    const simInputs = { data: dataHash, backend };
    const simHash = stageHash('simulator', simConfig, simInputs);
    const simOutputs = ['simulator/simulator.json', 'results/simulator.json', 'results/simulator.csv', 'results/simulator-fidelity.txt'];
    if (cached('simulator', simHash)) finish('simulator', 'cached', ts, simHash);
    else {
      const ds = loadDataset(dataDir); // verifies every column's checksum once
      note('simulator: fitting on the training day...');
      const sim = await fitSimulator(ds, plan.simulator, { progress: true, log: note });
      try {
        await sim.save(simDir);
        note('simulator: fidelity report on the test day...');
        const world = isWorld && plan.fidelity.gapSessions > 0 ? worldOfDataset(ds) : undefined;
        const rep = fidelityReport(sim, ds, { maxRows: plan.fidelity.maxRows, world, gap: { sessions: plan.fidelity.gapSessions }, progress: true });
        writeJsonAtomic(resultFile('simulator.json'), { ...header('simulator', simHash, simConfig), training: sim.training, fidelity: rep });
        writeFileAtomic(resultFile('simulator.csv'), toCsv(fidelityRows(rep)));
        writeFileAtomic(resultFile('simulator-fidelity.txt'), formatFidelityTable(rep));
      } finally {
        sim.dispose();
      }
      writeStageRecord(stageFile('simulator'), { stage: 'simulator', hash: simHash, config: simConfig, inputs: simInputs, outputs: simOutputs, seconds: (Date.now() - ts) / 1000 });
      finish('simulator', 'ran', ts, simHash);
    }

    // ---- jobs ------------------------------------------------------------------------------------
    const runsDir = path.join(out, 'runs');
    const evalsDir = path.join(out, 'evals');
    const trainJob = (v: Variant, seed: number): TrainJob => {
      const config = { method: v.method, agent: v.agent, seed, trainer: plan.trainer, env: plan.trainEnv };
      const inputs = { data: dataHash, simulator: simHash, backend };
      const run = runId(v, seed);
      return {
        kind: 'train', id: `train/${run}`, hash: stageHash('train', config, inputs), config, inputs, run, runDir: path.join(runsDir, run),
        dataDir, dataHash, simDir, simHash, method: v.method, agent: v.agent, seed, trainer: plan.trainer, env: plan.trainEnv,
      };
    };
    const { offlineMaxSessions: _o1, minPositives: _o2, offline: _o3, ...onlineEvalKey } = plan.onlineEval;
    const { onlineSessions: _f1, shortT: _f2, longT: _f3, poolSize: _f4, online: _f5, ...offlineEvalKey } = plan.offlineEval;
    const onlineJob = (t: TrainJob, model: UserModel): OnlineJob => {
      const config = { test: 'online', userModel: model, evaluate: onlineEvalKey, env: plan.testEnv };
      const inputs = { run: t.hash, data: dataHash, ...(model === 'simulator' ? { simulator: simHash } : {}), backend };
      return {
        kind: 'online', id: `online-${model}/${t.run}`, hash: stageHash('evaluate', config, inputs), config, inputs, run: t.run, runDir: t.runDir,
        dataDir, dataHash, simDir, simHash, backend: model, evaluate: plan.onlineEval, env: plan.testEnv, file: path.join(evalsDir, t.run, `online-${model}.json`),
      };
    };
    const offlineJob = (t: TrainJob): OfflineJob => {
      const config = { test: 'offline', evaluate: offlineEvalKey };
      const inputs = { run: t.hash, data: dataHash, backend };
      return {
        kind: 'offline', id: `offline/${t.run}`, hash: stageHash('evaluate', config, inputs), config, inputs, run: t.run, runDir: t.runDir,
        dataDir, dataHash, evaluate: plan.offlineEval, file: path.join(evalsDir, t.run, 'offline.json'),
      };
    };
    const jobRecord = (j: Job): { file: string; base: string } =>
      j.kind === 'train' ? { file: path.join(j.runDir, 'stage.json'), base: j.runDir } : { file: stageFileOf(j.file), base: path.dirname(j.file) };
    const jobCached = (j: Job): StageRecord | null => {
      const r = jobRecord(j);
      return o.force ? null : cachedRecord(r.file, j.hash, r.base);
    };
    const jobOutputs = (js: Job[]): string[] => js.map((j) => rel(out, jobRecord(j).file));
    const computeSeconds = (js: Job[]): number => js.reduce((a, j) => a + (readStageRecord(jobRecord(j).file)?.seconds ?? 0), 0);
    /** Jobs finished in this invocation (with --force, a job shared by two stages still runs once). */
    const done = new Set<string>();
    /** Run the jobs not cached (progress bar over their units); returns counts. */
    const runJobs = async (label: string, js: Job[], unit: string): Promise<{ ran: number; cached: number }> => {
      const todo: Job[] = [];
      let hits = 0;
      for (const j of js) {
        if (done.has(j.id) || jobCached(j)) {
          hits++;
          print(`skip: ${label} ${j.id} (cached)`);
        } else todo.push(j);
      }
      if (todo.length) {
        todo.sort((a, b) => jobCost(b) - jobCost(a)); // longest first: the threads finish together
        const total = todo.reduce((a, j) => a + jobUnits(j), 0);
        const bar = new Progress(`${label} (${todo.length} on ${Math.min(plan.rep.workers, todo.length)} thread${Math.min(plan.rep.workers, todo.length) > 1 ? 's' : ''})`, total, { unit });
        await pool.run(todo, (u) => bar.tick(u), (r) => {
          done.add(r.id);
          note(`  ${r.id}: ${r.seconds.toFixed(1)}s`);
        });
        bar.finish();
      }
      return { ran: todo.length, cached: hits };
    };
    // A stage whose record did not match re-aggregates its results even when every run was cached: 'partial'.
    const statusOf = (c: { ran: number; cached: number }): StageOutcome['status'] => (c.cached > 0 ? 'partial' : 'ran');
    const runInfo = (v: Variant, seed: number): RunInfo => ({ run: runId(v, seed), variant: v.id, method: v.method, label: v.label, seed });

    // ---- train ---------------------------------------------------------------------------------
    ts = Date.now();
    const main = mainVariants(plan);
    const seeds = plan.rep.seeds;
    const mainRuns = main.flatMap((v) => seeds.map((s) => ({ v, s, job: trainJob(v, s) })));
    const trainJobs = mainRuns.map((r) => r.job);
    const trainConfig = { runs: trainJobs.map((j) => [j.run, j.hash]) };
    const trainHash = stageHash('train-stage', trainConfig, {});
    const trainOutputs = ['results/train.json', 'results/train.csv', 'results/train-curves.csv', ...jobOutputs(trainJobs)];
    if (cached('train', trainHash)) finish('train', 'cached', ts, trainHash);
    else {
      const c = await runJobs('train', trainJobs, 'steps');
      const runs: TrainRow[] = [];
      const curves: CurveRow[] = [];
      for (const r of mainRuns) {
        const t = trainRows(runInfo(r.v, r.s), readJson(path.join(r.job.runDir, 'train-log.json')));
        runs.push(t.run);
        curves.push(...t.curves);
      }
      writeJsonAtomic(resultFile('train.json'), {
        ...header('train', trainHash, { variants: main, trainer: plan.trainer, env: plan.trainEnv, seeds }),
        runs,
        curves,
      });
      writeFileAtomic(resultFile('train.csv'), toCsv(runs as unknown as Record<string, unknown>[]));
      writeFileAtomic(resultFile('train-curves.csv'), toCsv(curves as unknown as Record<string, unknown>[]));
      writeStageRecord(stageFile('train'), {
        stage: 'train', hash: trainHash, config: trainConfig, inputs: {}, outputs: trainOutputs, seconds: (Date.now() - ts) / 1000,
        info: { computeSeconds: computeSeconds(trainJobs) },
      });
      finish('train', statusOf(c), ts, trainHash, `${trainJobs.length} runs: ${c.ran} trained, ${c.cached} cached`);
    }

    // ---- evaluate ------------------------------------------------------------------------------
    ts = Date.now();
    const models: UserModel[] = isWorld && plan.rep.truth ? ['simulator', 'truth'] : ['simulator'];
    const evalJobs: Job[] = [];
    for (const r of mainRuns) {
      for (const m of models) evalJobs.push(onlineJob(r.job, m));
      evalJobs.push(offlineJob(r.job));
    }
    const evalConfig = { jobs: evalJobs.map((j) => [j.id, j.hash]) };
    const evalHash = stageHash('evaluate-stage', evalConfig, {});
    const evalOutputs = ['results/evaluate.json', 'results/evaluate-online.csv', 'results/evaluate-offline.csv', 'results/evaluate-summary.csv', ...jobOutputs(evalJobs)];
    if (cached('evaluate', evalHash)) finish('evaluate', 'cached', ts, evalHash);
    else {
      const c = await runJobs('evaluate', evalJobs, 'tests');
      const online: OnlineRow[] = [];
      const offline: OfflineRow[] = [];
      for (const r of mainRuns) {
        const info = runInfo(r.v, r.s);
        for (const m of models) online.push(...onlineRows(info, m, readJson<EvaluationRecord>(onlineJob(r.job, m).file)));
        const off = offlineRow(info, readJson<EvaluationRecord>(offlineJob(r.job).file));
        if (off) offline.push(off);
      }
      const ndcgKeys = offline.length ? Object.keys(offline[0]).filter((k) => /ndcg@\d+$/.test(k)) : [];
      const onlineSummary = aggregate(online, ['label', 'variant', 'backend', 'length'], ['reward', 'clicks', 'clicksOnly', 'orders']);
      const offlineSummary = aggregate(offline, ['label', 'variant'], ['map', ...ndcgKeys.filter((k) => k.startsWith('ndcg')), 'loggedMap', 'randomMap', ...ndcgKeys.filter((k) => !k.startsWith('ndcg'))]);
      writeJsonAtomic(resultFile('evaluate.json'), {
        ...header('evaluate', evalHash, { online: plan.onlineEval, offline: plan.offlineEval, testEnv: plan.testEnv, userModels: models, seeds }),
        online,
        offline,
        onlineSummary,
        offlineSummary,
      });
      writeFileAtomic(resultFile('evaluate-online.csv'), toCsv(online as unknown as Record<string, unknown>[]));
      writeFileAtomic(resultFile('evaluate-offline.csv'), toCsv(offline as unknown as Record<string, unknown>[]));
      writeFileAtomic(
        resultFile('evaluate-summary.csv'),
        toCsv(
          [...onlineSummary.map((r) => ({ test: 'online', ...r })), ...offlineSummary.map((r) => ({ test: 'offline', backend: '', length: '', ...r }))],
          ['test', 'label', 'variant', 'backend', 'length', 'metric', 'n', 'mean', 'halfWidth', 'lo', 'hi', 'std'],
        ),
      );
      writeStageRecord(stageFile('evaluate'), {
        stage: 'evaluate', hash: evalHash, config: evalConfig, inputs: {}, outputs: evalOutputs, seconds: (Date.now() - ts) / 1000,
        info: { computeSeconds: computeSeconds(evalJobs) },
      });
      finish('evaluate', statusOf(c), ts, evalHash, `${evalJobs.length} tests: ${c.ran} run, ${c.cached} cached`);
    }

    // ---- sweep ---------------------------------------------------------------------------------
    ts = Date.now();
    const sweeps = sweepPlans(plan);
    let sweepHash: string | null = null;
    if (!sweeps.length) {
      for (const f of ['sweep.json', 'sweep.csv', 'sweep-summary.csv']) fs.rmSync(resultFile(f), { force: true });
      finish('sweep', 'skipped', ts, null, '--no-sweeps');
    } else {
      const points = sweeps.flatMap((sp) => sp.points.flatMap((p) => seeds.map((s) => ({ param: sp.param, x: p.x, v: p.variant, s, job: trainJob(p.variant, s) }))));
      const uniq = new Map<string, TrainJob>();
      for (const p of points) uniq.set(p.job.id, p.job);
      const swTrain = [...uniq.values()];
      const mainIds = new Set([...trainJobs, ...evalJobs].map((j) => j.id));
      const swEval = swTrain.flatMap((t) => models.map((m) => onlineJob(t, m)));
      const swConfig = { points: points.map((p) => [p.param, p.x, p.job.run]), jobs: [...swTrain, ...swEval].map((j) => [j.id, j.hash]) };
      sweepHash = stageHash('sweep-stage', swConfig, {});
      const swOutputs = ['results/sweep.json', 'results/sweep.csv', 'results/sweep-summary.csv', ...jobOutputs([...swTrain, ...swEval])];
      if (cached('sweep', sweepHash)) finish('sweep', 'cached', ts, sweepHash);
      else {
        const c1 = await runJobs('sweep-train', swTrain, 'steps');
        const c2 = await runJobs('sweep-evaluate', swEval, 'tests');
        const rows: SweepRow[] = [];
        for (const p of points) {
          for (const m of models) {
            for (const r of onlineRows(runInfo(p.v, p.s), m, readJson<EvaluationRecord>(onlineJob(p.job, m).file))) rows.push({ param: p.param, x: p.x, ...r });
          }
        }
        const summary = aggregate(rows, ['param', 'x', 'backend', 'length'], ['reward', 'clicks', 'clicksOnly', 'orders']);
        writeJsonAtomic(resultFile('sweep.json'), {
          ...header('sweep', sweepHash, { sweeps: sweeps.map((sp) => ({ param: sp.param, points: sp.points.map((p) => ({ x: p.x, variant: p.variant })) })), userModels: models, seeds }),
          rows,
          summary,
        });
        writeFileAtomic(resultFile('sweep.csv'), toCsv(rows as unknown as Record<string, unknown>[]));
        writeFileAtomic(resultFile('sweep-summary.csv'), toCsv(summary, ['param', 'x', 'backend', 'length', 'metric', 'n', 'mean', 'halfWidth', 'lo', 'hi', 'std']));
        const ran = c1.ran + c2.ran;
        const hit = c1.cached + c2.cached;
        writeStageRecord(stageFile('sweep'), {
          stage: 'sweep', hash: sweepHash, config: swConfig, inputs: {}, outputs: swOutputs, seconds: (Date.now() - ts) / 1000,
          // compute of the sweep's own runs (the points shared with the main comparison are counted there)
          info: { computeSeconds: computeSeconds([...swTrain, ...swEval].filter((j) => !mainIds.has(j.id))) },
        });
        finish('sweep', statusOf({ ran, cached: hit }), ts, sweepHash, `${swTrain.length} runs (${c1.ran} trained), ${swEval.length} tests (${c2.ran} run); the rest cached or shared with the main runs`);
      }
    }

    // ---- figures -------------------------------------------------------------------------------
    ts = Date.now();
    const figConfig = { png: plan.rep.png, chromium: plan.rep.png ? chromiumAvailable() : false };
    const figInputs = { simulator: simHash, train: trainHash, evaluate: evalHash, sweep: sweepHash };
    const figHash = stageHash('figures', figConfig, figInputs);
    const figRecord = cached('figures', figHash);
    if (figRecord) finish('figures', 'cached', ts, figHash);
    else {
      const figs = buildFigures(loadResults(out));
      const figDir = path.join(out, 'figures');
      fs.mkdirSync(figDir, { recursive: true });
      // drop files of figures no longer made (and every PNG when none will be rendered)
      const keep = new Set(figs.flatMap((f) => [`${f.name}.html`, ...(figConfig.chromium ? [`${f.name}.png`] : [])]));
      for (const f of fs.readdirSync(figDir)) if (/\.(html|png)$/.test(f) && !keep.has(f)) fs.rmSync(path.join(figDir, f), { force: true });
      const bar = new Progress('figures', figs.length, { unit: 'figures' });
      const files = await writeFigures(figDir, figs, { png: plan.rep.png, onDone: () => bar.tick(1) });
      bar.finish();
      writeJsonAtomic(resultFile('figures.json'), { ...header('figures', figHash, figConfig), figures: files });
      writeFileAtomic(resultFile('figures.csv'), toCsv(files as unknown as Record<string, unknown>[], ['name', 'title', 'html', 'png', 'pngNote']));
      const outputs = ['results/figures.json', 'results/figures.csv', ...files.flatMap((f) => [`figures/${f.html}`, ...(f.png ? [`figures/${f.png}`] : [])])];
      writeStageRecord(stageFile('figures'), { stage: 'figures', hash: figHash, config: figConfig, inputs: figInputs, outputs, seconds: (Date.now() - ts) / 1000 });
      const nPng = files.filter((f) => f.png).length;
      finish('figures', 'ran', ts, figHash, `${files.length} figures, ${nPng} PNG${nPng === files.length ? '' : ` (${files.find((f) => !f.png)?.pngNote ?? ''})`}`);
    }

    // ---- summary -------------------------------------------------------------------------------
    ts = Date.now();
    const sumInputs = { data: dataHash, simulator: simHash, train: trainHash, evaluate: evalHash, sweep: sweepHash, figures: figHash };
    const sumHash = stageHash('summary', {}, sumInputs);
    const results = loadResults(out);
    const claims = buildClaims(results);
    if (cached('summary', sumHash)) finish('summary', 'cached', ts, sumHash);
    else {
      const times: StageTime[] = [];
      for (const s of STAGES) {
        if (s === 'summary') continue;
        const oc = outcomes.find((x) => x.stage === s);
        const rec = readStageRecord(stageFile(s));
        if (oc?.status === 'skipped') {
          times.push({ stage: s, status: 'skipped', seconds: 0, detail: oc.detail });
          continue;
        }
        const cs = rec?.info?.computeSeconds;
        times.push({ stage: s, status: oc?.status ?? 'n/a', seconds: rec?.seconds ?? 0, computeSeconds: typeof cs === 'number' ? cs : undefined, detail: oc?.detail });
      }
      const md = renderSummary(results, { claims, stages: times, about: aboutLines(plan, results, backend) });
      writeFileAtomic(path.join(out, 'summary.md'), md);
      writeJsonAtomic(resultFile('summary.json'), { ...header('summary', sumHash, { decision: 'CI overlap (see summary.md)' }), claims, stages: times });
      writeFileAtomic(resultFile('summary.csv'), toCsv(claims as unknown as Record<string, unknown>[], ['id', 'group', 'text', 'source', 'verdict', 'detail']));
      writeStageRecord(stageFile('summary'), {
        stage: 'summary', hash: sumHash, config: {}, inputs: sumInputs, outputs: ['summary.md', 'results/summary.json', 'results/summary.csv'], seconds: (Date.now() - ts) / 1000,
      });
      finish('summary', 'ran', ts, sumHash);
    }
    const seconds = (Date.now() - t0) / 1000;
    writeJsonAtomic(path.join(out, 'reproduce.json'), {
      format: 'hrlmg-reproduce',
      kit: kitVersion(),
      meta: runMeta(),
      quick: plan.quick,
      plan,
      stages: outcomes,
      seconds,
    });
    print(`results: ${path.join(out, 'summary.md')} (${seconds.toFixed(1)}s)`);
    return { out, stages: outcomes, seconds, claims, results };
  } finally {
    await pool.close();
  }
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

interface FileStamp {
  path: string;
  bytes: number;
  mtimeMs: number;
}

function fileStamp(f: string): FileStamp {
  const st = fs.statSync(f);
  return { path: path.resolve(f), bytes: st.size, mtimeMs: st.mtimeMs };
}

const shaMemo = new Map<string, string>();

/**
 * SHA-256 of an input log, reused from the last data-stage record when the file's path, size and
 * modification time are unchanged (hashing gigabytes on every rerun would dominate a cached rerun).
 */
function inputSha256(f: string, recordFile: string): string {
  const st = fileStamp(f);
  const key = JSON.stringify(st);
  const memo = shaMemo.get(key);
  if (memo) return memo;
  const prev = (readStageRecord(recordFile)?.info?.fileStamps ?? []) as Array<FileStamp & { sha256: string }>;
  const hit = prev.find((p) => p.path === st.path && p.bytes === st.bytes && p.mtimeMs === st.mtimeMs);
  const sha = hit?.sha256 ?? fileSha256(f);
  shaMemo.set(key, sha);
  return sha;
}

/** Relative cost of a job, to start the longest first (a rough per-step cost by method). */
function jobCost(j: Job): number {
  if (j.kind !== 'train') return j.kind === 'online' ? 0.5 : 0.2;
  const perStep: Record<string, number> = { 'hrl-mg': 1 + 0.05 * Number(j.agent.M ?? 2), hrl: 1, ddpg: 0.5, dnn: 0.25 };
  return (perStep[j.method] ?? 1) * jobUnits(j);
}

/** The env settings must fit the dataset: known keys, and pools no larger than the catalogue. */
function checkEnvAgainstData(plan: ReproducePlan, nItems: number): void {
  resolveConfig('env', recEnvSpec, { ...plan.trainEnv, split: 'train' });
  if (plan.rep.poolSize > nItems) throw new ConfigError('reproduce', 'poolSize', `must be <= the dataset's catalogue (${nItems} items after filtering), got ${plan.rep.poolSize}`);
}

/** The fidelity report as CSV rows: figure, simulator, baseline. */
function fidelityRows(r: FidelityReport): Record<string, unknown>[] {
  const s = r.simulator;
  const b = r.baseline;
  const rows: Record<string, unknown>[] = [
    { figure: 'overall precision (argmax accuracy)', simulator: s.argmax.accuracy, baseline: b.argmax.accuracy },
    { figure: 'weighted-decision accuracy', simulator: s.weighted.accuracy, baseline: b.weighted.accuracy },
    { figure: 'log-loss', simulator: s.logLoss, baseline: b.logLoss },
    { figure: 'AUC click', simulator: s.aucClick, baseline: b.aucClick },
    { figure: 'AUC order', simulator: s.aucOrder, baseline: b.aucOrder },
    { figure: 'ECE click', simulator: s.eceClick, baseline: b.eceClick },
    { figure: 'ECE order', simulator: s.eceOrder, baseline: b.eceOrder },
    { figure: 'mean P(click or order)', simulator: s.meanPClick, baseline: b.meanPClick, observed: r.dataset.clickRate },
    { figure: 'mean P(order)', simulator: s.meanPOrder, baseline: b.meanPOrder, observed: r.dataset.orderRate },
  ];
  for (let c = 0; c < 3; c++) {
    const name = ['skip', 'click', 'order'][c];
    rows.push({ figure: `weighted decision: ${name} F1`, simulator: s.weighted.perClass[c].f1, baseline: b.weighted.perClass[c].f1 });
  }
  const g = r.truthGap;
  if (g) {
    rows.push(
      { figure: 'truth gap: MAE P(click or order)', simulator: g.simulator.maeClick, baseline: g.baseline.maeClick },
      { figure: 'truth gap: MAE P(order)', simulator: g.simulator.maeOrder, baseline: g.baseline.maeOrder },
      { figure: 'truth gap: corr P(click or order)', simulator: g.simulator.corrClick, baseline: g.baseline.corrClick },
      { figure: 'truth gap: corr P(order)', simulator: g.simulator.corrOrder, baseline: g.baseline.corrOrder },
    );
  }
  return rows.map((x) => ({ figure: x.figure, simulator: x.simulator, baseline: x.baseline, observed: x.observed ?? '' }));
}

function aboutLines(plan: ReproducePlan, res: ReproduceResults, backend: string): string[] {
  const d = res.data;
  const sz = d?.sizes as { nItems?: number; nUsers?: number; train?: { rows: number }; test?: { rows: number } } | undefined;
  const src = plan.source.kind === 'world' ? `the default synthetic world (seed ${plan.source.world.seed}, ${plan.source.world.trainImpressions.toLocaleString('en-US')} training-day impressions)` : `${plan.source.adapter} log (${plan.source.files.map((f) => path.basename(f)).join(', ')})`;
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
    `Offline test: ${r.offlineSessions > 0 ? `${r.offlineSessions} sampled` : 'all eligible'} test-day sessions re-ranked (Algorithm 4).`,
    r.sweeps ? `Sweeps: α ∈ {${r.alphas.join(', ')}}, M ∈ {${r.Ms.join(', ')}} (M = 1 is HRL); other settings as HRL-MG (α = ${plan.agents['hrl-mg'].alpha}, M = ${plan.agents['hrl-mg'].M}, c = ${plan.agents['hrl-mg'].c}).` : 'Sweeps: not run (--no-sweeps).',
  ];
}
