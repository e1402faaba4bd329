/**
 * The results folder of `hrlmg reproduce` as data: one row per (run, test, ...) with the run's
 * method and seed, aggregated across seeds into mean ± 95% CI (seedStats). Every stage writes
 * `results/<stage>.json` (resolved config, seeds, backend, versions, rows, aggregates) and CSVs of
 * the same rows; `loadResults(dir)` reads them back (notebooks, figures, the summary).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendInfo } from '../backend';
import type { RunMeta } from '../util/versions';
import { mainMethods } from '../agents/methods';
import type { TrainLogEntry } from '../agents/trainLog';
import type { EvaluationRecord } from '../eval/evaluate';
import type { FidelityReport } from '../sim/fidelity';
import { seedStats, type SeedStats } from './seedStats';
import type { ReferenceRow } from './references';

/** Which trained agent a row belongs to. */
export interface RunInfo {
  /** Run id = folder under runs/, e.g. 'hrl-mg-s0'. */
  run: string;
  /** Variant id (run id without the seed), e.g. 'hrl-mg', 'hrl-mg-alpha0.25'. */
  variant: string;
  method: string;
  /** Display name, e.g. 'HRL-MG'. */
  label: string;
  seed: number;
}

export interface TrainRow extends RunInfo {
  steps: number;
  transitions: number;
  sessions: number;
  trainSeconds: number;
  stepsPerSecond: number;
  /** "final" = mean over the last quarter of the training-log entries (at least one). */
  finalSessionReward: number | null;
  finalSessionClicks: number | null;
  finalSessionOrders: number | null;
  finalREx: number | null;
  finalRLow: number | null;
  finalHighPeriodReward: number | null;
}

/** One training-log entry of one run (Figure 6 data). */
export interface CurveRow extends RunInfo {
  step: number;
  transitions: number;
  sessionReward: number | null;
  sessionClicks: number | null;
  sessionOrders: number | null;
  rEx: number | null;
  rIn: number | null;
  rLow: number | null;
  /** High level: mean external reward per goal period (null without a high level). */
  highPeriodReward: number | null;
  lowCriticLoss: number | null;
  highCriticLoss: number | null;
}

export type UserModel = 'simulator' | 'truth';
export type SessionLength = 'short' | 'long';

export interface OnlineRow extends RunInfo {
  backend: UserModel;
  length: SessionLength;
  T: number;
  sessions: number;
  /** Means over the test sessions (one number per run: the unit of the across-seed statistics). */
  reward: number;
  clicks: number;
  clicksOnly: number;
  orders: number;
  /** Headroom captured against the ground truth (references.ts); null against the simulator. */
  h?: number | null;
}

export interface OfflineRow extends RunInfo {
  sessions: number;
  map: number;
  /** NDCG@k keyed 'ndcg@20', 'ndcg@40', ... */
  [ndcg: `ndcg@${number}`]: number;
  loggedMap: number;
  randomMap: number;
}

export interface SweepRow extends OnlineRow {
  param: 'alpha' | 'M';
  x: number;
}

/** A group's statistic across seeds, flattened for CSV. */
export interface AggRow {
  [key: string]: string | number;
  metric: string;
  n: number;
  mean: number;
  halfWidth: number;
  lo: number;
  hi: number;
  std: number;
}

/** Header of every results/<stage>.json. */
export interface StageResultHeader {
  stage: string;
  hash: string;
  config: unknown;
  seeds: number[];
  backend: BackendInfo;
  meta: RunMeta;
}

export interface DataResults extends StageResultHeader {
  source: string;
  sizes: unknown;
  statistics: Record<string, Record<string, number>>;
  filter: unknown;
  days: unknown;
  sourceInfo: unknown;
}

export interface SimulatorResults extends StageResultHeader {
  training: unknown;
  fidelity: FidelityReport;
}

export interface TrainResults extends StageResultHeader {
  runs: TrainRow[];
  curves: CurveRow[];
}

export interface EvaluateResults extends StageResultHeader {
  online: OnlineRow[];
  offline: OfflineRow[];
  onlineSummary: AggRow[];
  offlineSummary: AggRow[];
  /** The reference policies' online rows (absent in results written before they existed). */
  references?: ReferenceRow[];
}

export interface SweepResults extends StageResultHeader {
  rows: SweepRow[];
  summary: AggRow[];
}

export interface FigureFile {
  name: string;
  title: string;
  html: string;
  png: string | null;
  pngNote: string | null;
}

export interface FiguresResults extends StageResultHeader {
  figures: FigureFile[];
}

export interface ReproduceResults {
  dir: string;
  data: DataResults | null;
  simulator: SimulatorResults | null;
  train: TrainResults | null;
  evaluate: EvaluateResults | null;
  sweep: SweepResults | null;
  figures: FiguresResults | null;
}

/** One method of the main comparison as the results name it. */
export interface MainMethod {
  /** Variant id, e.g. 'hrl-mg'. */
  v: string;
  label: string;
}

/**
 * The main comparison's variants in their order (paper Section 4.2: DNN, DDPG, HRL, HRL-MG, then
 * any other registered method), read from the results themselves: the train stage records the
 * variants it trained; without it, the variants of the test rows in row order. Figures and summary
 * read this, so every trained method shows up in both (and results stay readable without the
 * registry entry of a method).
 */
export function mainComparison(res: ReproduceResults): MainMethod[] {
  const recorded = (res.train?.config as { variants?: Array<{ id: string; label: string }> } | undefined)?.variants;
  if (Array.isArray(recorded)) return recorded.map((x) => ({ v: x.id, label: x.label }));
  const seen = new Map<string, string>();
  for (const r of [...(res.evaluate?.online ?? []), ...(res.evaluate?.offline ?? [])]) if (!seen.has(r.variant)) seen.set(r.variant, r.label);
  if (seen.size) return [...seen].map(([v, label]) => ({ v, label }));
  return mainMethods().map((m) => ({ v: m.id, label: m.label })); // nothing trained or tested yet
}

/** Mean over the last quarter (>= 1) of the finite values. */
function tailMean(xs: Array<number | null | undefined>): number | null {
  if (!xs.length) return null;
  const k = Math.max(1, Math.ceil(xs.length / 4));
  const tail = xs.slice(-k).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : null;
}

/** Rows of one run's training log (train-log.json: TrainResult). */
export function trainRows(
  info: RunInfo,
  log: { log: { entries: TrainLogEntry[] }; seconds: number; stepsPerSecond: number },
): { run: TrainRow; curves: CurveRow[] } {
  const es = log.log.entries;
  const last = es.at(-1);
  const curves: CurveRow[] = es.map((e) => ({
    ...info,
    step: e.step,
    transitions: e.transitions,
    sessionReward: e.sessionReward,
    sessionClicks: e.sessionClicks,
    sessionOrders: e.sessionOrders,
    rEx: e.low.rEx,
    rIn: e.low.rIn,
    rLow: e.low.rLow,
    highPeriodReward: e.high?.periodReward ?? null,
    lowCriticLoss: e.low.criticLoss,
    highCriticLoss: e.high?.criticLoss ?? null,
  }));
  return {
    run: {
      ...info,
      steps: last?.step ?? 0,
      transitions: last?.transitions ?? 0,
      sessions: last?.sessions ?? 0,
      trainSeconds: log.seconds,
      stepsPerSecond: log.stepsPerSecond,
      finalSessionReward: tailMean(es.map((e) => e.sessionReward)),
      finalSessionClicks: tailMean(es.map((e) => e.sessionClicks)),
      finalSessionOrders: tailMean(es.map((e) => e.sessionOrders)),
      finalREx: tailMean(es.map((e) => e.low.rEx)),
      finalRLow: tailMean(es.map((e) => e.low.rLow)),
      finalHighPeriodReward: tailMean(es.map((e) => e.high?.periodReward ?? null)),
    },
    curves,
  };
}

/** Short and long rows of an online evaluation record. */
export function onlineRows(info: RunInfo, backend: UserModel, rec: EvaluationRecord): OnlineRow[] {
  if (!rec.online) return [];
  return (['short', 'long'] as const).map((length) => {
    const r = rec.online![length];
    return {
      ...info,
      backend,
      length,
      T: r.T,
      sessions: r.sessions,
      reward: r.reward.mean,
      clicks: r.clicks.mean,
      clicksOnly: r.clicksOnly.mean,
      orders: r.orders.mean,
    };
  });
}

/** The row of an offline evaluation record. */
export function offlineRow(info: RunInfo, rec: EvaluationRecord): OfflineRow | null {
  const o = rec.offline;
  if (!o) return null;
  const row: Record<string, unknown> = { ...info, sessions: o.counts.evaluated, map: o.metrics.policy.map.mean };
  for (const [k, s] of Object.entries(o.metrics.policy.ndcg)) row[`ndcg@${k}`] = s.mean;
  row.loggedMap = o.metrics.logged.map.mean;
  for (const [k, s] of Object.entries(o.metrics.logged.ndcg)) row[`logged ndcg@${k}`] = s.mean;
  row.randomMap = o.metrics.random.map.mean;
  for (const [k, s] of Object.entries(o.metrics.random.ndcg)) row[`random ndcg@${k}`] = s.mean;
  return row as unknown as OfflineRow;
}

/**
 * Across-seed statistics of `metrics`, grouped by the values of `keys` (groups in first-appearance
 * order). Each row of `rows` is one seed's value.
 */
export function aggregate<R extends object>(rows: ReadonlyArray<R>, keys: string[], metrics: string[]): AggRow[] {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const g = JSON.stringify(keys.map((k) => (r as Record<string, unknown>)[k]));
    let l = groups.get(g);
    if (!l) groups.set(g, (l = []));
    l.push(r);
  }
  const out: AggRow[] = [];
  for (const l of groups.values()) {
    const head = l[0] as Record<string, unknown>;
    for (const m of metrics) {
      const s = seedStats(l.map((r) => Number((r as Record<string, unknown>)[m] ?? NaN)));
      const row: AggRow = { metric: m, n: s.n, mean: s.mean, halfWidth: s.halfWidth, lo: s.lo, hi: s.hi, std: s.std };
      for (const k of keys) row[k] = head[k] as string | number;
      out.push(row);
    }
  }
  return out;
}

/** Across-seed statistics of `metric` over the rows matching `where`. */
export function statsOf<R extends object>(rows: ReadonlyArray<R>, where: Partial<Record<string, unknown>>, metric: string): SeedStats {
  const sel = rows.filter((r) => Object.entries(where).every(([k, v]) => (r as Record<string, unknown>)[k] === v));
  return seedStats(sel.map((r) => Number((r as Record<string, unknown>)[metric] ?? NaN)));
}

/** Per-seed values of `metric` over the rows matching `where` (seed -> value), for paired claims. */
export function seedValues<R extends object>(rows: ReadonlyArray<R>, where: Partial<Record<string, unknown>>, metric: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const r of rows) {
    const o = r as Record<string, unknown>;
    if (!Object.entries(where).every(([k, v]) => o[k] === v)) continue;
    const seed = Number(o.seed);
    if (!Number.isInteger(seed)) continue;
    if (out.has(seed)) throw new Error(`seedValues: two rows for seed ${seed} matching ${JSON.stringify(where)}`);
    out.set(seed, Number(o[metric] ?? NaN));
  }
  return out;
}

function readJsonIf<T>(file: string): T | null {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** The results of a reproduce output folder (stages that have not run are null). */
export function loadResults(dir: string): ReproduceResults {
  const r = (name: string) => path.join(dir, 'results', `${name}.json`);
  return {
    dir: path.resolve(dir),
    data: readJsonIf<DataResults>(r('data')),
    simulator: readJsonIf<SimulatorResults>(r('simulator')),
    train: readJsonIf<TrainResults>(r('train')),
    evaluate: readJsonIf<EvaluateResults>(r('evaluate')),
    sweep: readJsonIf<SweepResults>(r('sweep')),
    figures: readJsonIf<FiguresResults>(r('figures')),
  };
}
