/**
 * lib/experiments: the reproduction pipeline (`hrlmg reproduce`) as a library: its config and
 * --quick preset, resumable stages with hashed records, parallel jobs on worker threads, results
 * tables, the paper's claims judged by confidence intervals, figures and the summary.
 *
 *   const plan = resolvePlan({ quick: true, out: 'runs/quick' });
 *   const res = await reproduce(plan);            // resumes from runs/quick when it exists
 *   res.claims, res.results                       // or later: loadResults('runs/quick')
 *   for (const f of buildFigures(loadResults('runs/quick'))) await plots.showFigure(f.figure);
 */
export { reproduceSpec, QUICK_PRESET, resolvePlan, readConfigFile, mainVariants, sweepPlans, runId } from './reproduceConfig';
export type { ReproduceConfig, ReproducePlan, PlanInput, ConfigFile, DataSource, Variant, SweepPlan } from './reproduceConfig';
export { reproduce, STAGES } from './reproduce';
export type { ReproduceOptions, ReproduceOutcome, StageOutcome, StageName } from './reproduce';
export { canonicalJson, configHash, sha256Hex, fileSha256 } from '../util/hash';
export { stageHash, cachedRecord, readStageRecord, writeStageRecord, STAGE_FORMAT, STAGE_FORMAT_VERSION } from './stageCache';
export type { StageRecord } from './stageCache';
export { seedStats, formatStats, formatInterval } from './seedStats';
export type { SeedStats } from './seedStats';
export { judgeGreater, judgePeak, tally } from './claims';
export type { Verdict, Judgement, Claim, SweepPoint } from './claims';
export { executeJob, JobContext, jobUnits, agentDir, stageFileOf } from './jobs';
export { worldOfDataset } from '../data/world/worldOfDataset';
export type { Job, TrainJob, OnlineJob, OfflineJob, JobResult, JobStamp } from './jobs';
export { JobPool, serializeError, reviveError } from './pool';
export { toCsv, parseCsv } from './csv';
export { loadResults, aggregate, statsOf, trainRows, onlineRows, offlineRow } from './results';
export type {
  ReproduceResults, RunInfo, TrainRow, CurveRow, OnlineRow, OfflineRow, SweepRow, AggRow, UserModel, SessionLength,
  StageResultHeader, DataResults, SimulatorResults, TrainResults, EvaluateResults, SweepResults, FiguresResults, FigureFile,
} from './results';
export { buildFigures, writeFigures, estimate, USER_MODEL_NAMES } from './figures';
export type { NamedFigure } from './figures';
export { buildClaims, renderSummary } from './summary';
export type { StageTime, SummaryContext } from './summary';
