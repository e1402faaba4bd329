/**
 * The configuration of `hrlmg reproduce`: the pipeline's own options (seeds, budgets, sweeps, workers;
 * `reproduceSpec`, one option each on the command line), the `--quick` preset, and an optional JSON
 * file with per-area sections for everything else (world, preparation, simulator, agents, ...).
 * Precedence: defaults < --quick preset < --config file < command-line options.
 *
 * `resolvePlan` validates all of it before any work starts (ConfigError naming section.key) and
 * returns the fully resolved plan every stage hashes. Keys the pipeline sets itself (the agents'
 * E and N come from the dataset, budgets from reproduceSpec, ...) are rejected in the file with a
 * pointer to the option that sets them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bool, ConfigOf, int, numArray, resolveConfig } from '../util/config';
import { ConfigError, InputError, UsageError } from '../util/errors';
import { resolveWorldConfig, type WorldConfig } from '../data/world/worldConfig';
import { resolvePrepareConfig, type PrepareConfig } from '../data/prepare/config';
import { ADAPTERS } from '../data/adapters/index';
import { resolveAdapterOptions, type AdapterOptions } from '../data/adapters/options';
import { resolveSimulatorConfig, type SimulatorConfig } from '../sim/simulatorConfig';
import { recEnvSpec } from '../sim/recEnv';
import { omitNeutral } from '../agents/agentConfig';
import { mainMethods, methodIds, methods, resolveMethodConfig } from '../agents/methods';
import { evaluateSpec, resolveEvaluateConfig, type EvaluateConfig } from '../eval/evaluate';
import { canonicalJson } from '../util/hash';
import { evidenceSpec } from './evidence';

export const reproduceSpec = {
  seeds: numArray([0, 1, 2], 'training seeds: every method and sweep point is trained once per seed; results are mean ± 95% CI over seeds', { min: 0, max: 4294967295, minLength: 1 }),
  workers: int(2, 'worker threads for independent runs (seeds x methods, sweep points), each with its own TF.js backend; 1 = in-process', { min: 1, max: 64 }),
  trainSteps: int(3000, 'training budget per run: lock-step env steps (each = trainBatch transitions + updatesPerStep updates), rounded up to whole sessions', { min: 1 }),
  trainBatch: int(32, 'parallel training sessions B per lock-step', { min: 1 }),
  trainT: int(50, 'training session length (recommendations per session)', { min: 1 }),
  updatesPerStep: int(1, 'updates of each level after every lock-step env step (Algorithm 2 lines 22-27)', { min: 0 }),
  evalSessions: int(500, 'online test sessions per session length and per user model', { min: 1 }),
  evalBatch: int(64, 'parallel sessions per online test batch and per offline policy call', { min: 1 }),
  offlineSessions: int(0, 'offline test: at most this many test-day sessions, a seeded sample (0 = all)', { min: 0 }),
  shortT: int(50, 'short online sessions: recommendations per session (paper: 50)', { min: 1 }),
  longT: int(300, 'long online sessions: recommendations per session (paper: 300)', { min: 1 }),
  poolSize: int(500, 'candidate pool (item recall) per session in training and online tests; >= longT, shortT, trainT', { min: 1 }),
  evalSeed: int(2019, 'seed of the test sessions (users, pools, feedback draws), the same for every method and seed: paired comparisons', { min: 0, max: 4294967295 }),
  truth: bool(true, 'default world: also run the online tests against the ground-truth user model'),
  sweeps: bool(true, 'run the alpha and M sensitivity sweeps of HRL-MG (Figures 9-12)'),
  alphas: numArray([0, 0.25, 0.5, 0.75, 1], 'alpha values of the sweep (Figures 9, 11)', { min: 0, minLength: 1 }),
  Ms: numArray([1, 2, 3, 4], 'M values of the sweep (Figures 10, 12); M = 1 is the HRL run', { min: 1, minLength: 1 }),
  worldImpressions: int(200000, 'default world: training-day impressions (world.trainImpressions; the test day gets ~26% of it)', { min: 1000 }),
  simEpochs: int(4, 'simulator: passes over the training-day rows', { min: 1 }),
  gapSessions: int(256, 'simulator fidelity: truth-gap rollout sessions on the default world (0 = skip)', { min: 0 }),
  png: bool(true, 'render every figure to PNG with headless Chromium when it is installed'),
  ...evidenceSpec,
};
export type ReproduceConfig = ConfigOf<typeof reproduceSpec>;

/** Sections of the --config file (and of the quick preset). */
export interface ConfigFile {
  reproduce?: Partial<ReproduceConfig>;
  world?: Record<string, unknown>;
  prepare?: Record<string, unknown>;
  adapter?: Record<string, unknown>;
  simulator?: Record<string, unknown>;
  /** `all` applies to every method (keys a method does not have are skipped), then per method. */
  agents?: Partial<Record<string, Record<string, unknown>>>;
  trainer?: Record<string, unknown>;
  /** Environment settings shared by training and the online tests (rewards, recall shares, start). */
  env?: Record<string, unknown>;
  evaluate?: Record<string, unknown>;
  fidelity?: Record<string, unknown>;
}

const SECTIONS = ['reproduce', 'world', 'prepare', 'adapter', 'simulator', 'agents', 'trainer', 'env', 'evaluate', 'fidelity'] as const;

/** Keys a section may not set, and what sets them instead. */
export const MANAGED: Record<string, Record<string, string>> = {
  world: { trainImpressions: '--worldImpressions' },
  simulator: { epochs: '--simEpochs' },
  adapter: { progress: '(always on, silenced by HRLMG_QUIET=1)' },
  agents: { E: 'prepare.embeddingDim', N: 'prepare.N' },
  trainer: {
    seed: '--seeds', steps: '--trainSteps', sessions: '--trainSteps', updatesPerStep: '--updatesPerStep',
    progress: '(the pipeline shows one bar per stage)', checkpointEvery: '(runs are cached whole)',
  },
  env: { batchSize: '--trainBatch / --evalBatch', T: '--trainT / --shortT / --longT', poolSize: '--poolSize', split: '(train for training, test for tests)', seed: '(derived from the seeds)' },
  evaluate: {
    seed: '--evalSeed', onlineSessions: '--evalSessions', batchSize: '--evalBatch', shortT: '--shortT', longT: '--longT',
    poolSize: '--poolSize', online: '(both tests always run)', offline: '(both tests always run)', offlineMaxSessions: '--offlineSessions',
  },
};

/** The --quick preset: the whole pipeline on a tiny world and budget (a few minutes; used by the tests). */
export const QUICK_PRESET: ConfigFile = {
  reproduce: {
    seeds: [0, 1], trainSteps: 150, trainBatch: 8, trainT: 30, evalSessions: 16, evalBatch: 16, offlineSessions: 40,
    shortT: 20, longT: 60, poolSize: 100, simEpochs: 1, gapSessions: 32, worldImpressions: 15000,
  },
  world: { nItems: 500, nCategories: 10, calibrationImpressions: 8000 },
  prepare: { embeddingDim: 16 },
  simulator: { H: 16, hidden: 16 },
  agents: { all: { H: 16, hidden: 16, batchLow: 32, warmupLow: 100, bufferLow: 20000, exploreDecay: 2000, batchHigh: 16, warmupHigh: 20, bufferHigh: 5000 } },
};

export type DataSource =
  | { kind: 'world'; world: WorldConfig }
  | { kind: 'adapter'; adapter: string; files: string[]; options: Omit<AdapterOptions, 'progress'> }
  /** A dataset folder already prepared (by generate, prepare or an earlier reproduce): no raw file is read. */
  | { kind: 'prepared'; dir: string };

export interface ReproducePlan {
  quick: boolean;
  /** Absolute output folder. */
  out: string;
  rep: ReproduceConfig;
  source: DataSource;
  prepare: PrepareConfig;
  simulator: SimulatorConfig;
  fidelity: { maxRows: number; gapSessions: number };
  /** Resolved agent config per method (E and N from the dataset). */
  /** Resolved config of every registered method (lib/agents/methods.ts), by method id. */
  agents: Record<string, Record<string, unknown>>;
  trainer: { steps: number; updatesPerStep: number; logEvery: number };
  /** Training env settings (split and seed are set per session batch by the trainer). */
  trainEnv: Record<string, unknown>;
  /** Env settings of the online tests beyond evaluate's own (rewards, recall shares, start). */
  testEnv: Record<string, unknown>;
  onlineEval: EvaluateConfig;
  offlineEval: EvaluateConfig;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function checkManaged(section: string, o: Record<string, unknown> | undefined): void {
  const m = MANAGED[section];
  if (!o || !m) return;
  for (const k of Object.keys(o)) if (k in m) throw new ConfigError(section, k, `is set by the pipeline: use ${m[k]}`);
}

/** Read and shape-check a --config file (InputError naming the file for unreadable / wrong JSON). */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, 0, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new InputError(file, 0, `not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(j)) throw new InputError(file, 0, 'must be a JSON object with sections ' + SECTIONS.join(', '));
  return j as ConfigFile;
}

function checkFile(f: ConfigFile, where: string): void {
  for (const [k, v] of Object.entries(f)) {
    if (!(SECTIONS as readonly string[]).includes(k)) throw new ConfigError(where, k, `unknown section (known: ${SECTIONS.join(', ')})`);
    if (!isObject(v)) throw new ConfigError(where, k, 'must be an object');
  }
  for (const s of SECTIONS) if (s !== 'agents' && s !== 'reproduce') checkManaged(s, f[s] as Record<string, unknown> | undefined);
  const ag = f.agents ?? {};
  for (const [k, v] of Object.entries(ag)) {
    if (k !== 'all' && !methodIds().includes(k)) throw new ConfigError('agents', k, `unknown method (known: all, ${methodIds().join(', ')})`);
    if (!isObject(v)) throw new ConfigError('agents', k, 'must be an object');
    checkManaged('agents', v);
  }
  for (const k of Object.keys(ag.all ?? {})) {
    if (!methods().some((m) => k in m.spec)) throw new ConfigError('agents.all', k, 'is not an option of any method');
  }
}

/** Keys of `o` that `spec` has. */
function pick(o: Record<string, unknown> | undefined, spec: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (k in spec) out[k] = v;
  return out;
}

function merge(...os: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  return Object.assign({}, ...os.filter(Boolean));
}

export interface PlanInput {
  /** Reproduce options given on the command line (only those given). */
  options?: Partial<ReproduceConfig> | Record<string, unknown>;
  quick?: boolean;
  /** The --config file's contents (already read). */
  file?: ConfigFile;
  out?: string;
  adapter?: string;
  /** Input files of the adapter (in the adapter's order). */
  input?: string[];
  /** Per-area options given on the command line (lib/cli/reproduceOptions.ts): they win over the file. */
  cli?: ConfigFile;
  /** A prepared dataset folder to start from (instead of the default world or --adapter). */
  data?: string;
}

/** Resolve and validate everything (see the module comment). */
export function resolvePlan(p: PlanInput): ReproducePlan {
  const quick = p.quick === true;
  const file = p.file ?? {};
  checkFile(file, 'config');
  const cli = p.cli ?? {};
  checkFile(cli, 'command line');
  const given = (sec: 'world' | 'adapter' | 'prepare'): boolean => Object.keys(cli[sec] ?? {}).length > 0;
  if (p.data !== undefined) {
    if (p.adapter !== undefined || p.input !== undefined) throw new UsageError('--data starts from a prepared folder: it cannot be combined with --adapter / --input');
    for (const sec of ['world', 'adapter', 'prepare'] as const) {
      if (given(sec)) throw new UsageError(`--data ${p.data} is already prepared: ${sec} options (${Object.keys(cli[sec]!).map((k) => `--${k}`).join(', ')}) cannot change it (prepare it again, or drop --data)`);
    }
  }
  if (p.adapter === undefined && given('adapter')) throw new UsageError(`adapter options (${Object.keys(cli.adapter!).map((k) => `--${k}`).join(', ')}) need --adapter NAME --input FILES`);
  if (p.adapter !== undefined && given('world')) throw new UsageError(`world options (${Object.keys(cli.world!).map((k) => `--${k}`).join(', ')}) apply to the default world only, not to --adapter`);
  const q: ConfigFile = quick ? QUICK_PRESET : {};
  const rep = resolveConfig('reproduce', reproduceSpec, merge(q.reproduce, file.reproduce, p.options as Record<string, unknown>), (c) => {
    for (const s of c.seeds) if (!Number.isInteger(s)) return ['seeds', `entries must be integers, got ${s}`];
    if (new Set(c.seeds).size !== c.seeds.length) return ['seeds', `entries must be distinct, got [${c.seeds.join(', ')}]`];
    for (const m of c.Ms) if (!Number.isInteger(m)) return ['Ms', `entries must be integers, got ${m}`];
    if (new Set(c.Ms).size !== c.Ms.length) return ['Ms', 'entries must be distinct'];
    if (new Set(c.alphas).size !== c.alphas.length) return ['alphas', 'entries must be distinct'];
    const need = Math.max(c.longT, c.shortT, c.trainT);
    if (c.poolSize < need) return ['poolSize', `must be >= longT, shortT and trainT (${need}), got ${c.poolSize}`];
    return null;
  });

  let source: DataSource;
  if (p.adapter !== undefined) {
    const a = ADAPTERS[p.adapter];
    if (!a) throw new UsageError(`unknown adapter "${p.adapter}" (known: ${Object.keys(ADAPTERS).join(', ')})`);
    const files = (p.input ?? []).map((f) => path.resolve(f));
    if (files.length !== a.files.length) throw new UsageError(`adapter ${p.adapter} needs ${a.files.length} input file(s) (${a.files.join(', ')}), got ${files.length}`);
    for (const f of files) if (!fs.existsSync(f) || !fs.statSync(f).isFile()) throw new InputError(f, 0, 'no such file');
    const { progress: _progress, ...options } = resolveAdapterOptions(merge(q.adapter, file.adapter, cli.adapter) as Partial<AdapterOptions>);
    source = { kind: 'adapter', adapter: p.adapter, files, options };
  } else if (p.data !== undefined) {
    const dir = path.resolve(p.data);
    if (!fs.existsSync(path.join(dir, 'manifest.json'))) throw new InputError(dir, 0, 'not a prepared dataset folder (no manifest.json; make one with hrlmg prepare or hrlmg generate)');
    source = { kind: 'prepared', dir };
  } else {
    if (p.input !== undefined) throw new UsageError('--input needs --adapter (without --adapter the default world is generated)');
    source = { kind: 'world', world: resolveWorldConfig(merge(q.world, file.world, cli.world, { trainImpressions: rep.worldImpressions })) };
  }
  // with --data the recorded preparation is the folder's own (its manifest), not these defaults
  const prepare = p.data !== undefined ? preparedConfig(path.resolve(p.data)) : resolvePrepareConfig(merge(q.prepare, file.prepare, cli.prepare) as Partial<PrepareConfig>);
  const simulator = resolveSimulatorConfig(merge(q.simulator, file.simulator, cli.simulator, { epochs: rep.simEpochs }));
  const fid = merge(file.fidelity);
  for (const k of Object.keys(fid)) if (k !== 'maxRows') throw new ConfigError('fidelity', k, 'unknown key (known: maxRows)');
  const maxRows = fid.maxRows ?? 0;
  if (!(Number.isInteger(maxRows) && (maxRows as number) >= 0)) throw new ConfigError('fidelity', 'maxRows', `must be an integer >= 0, got ${JSON.stringify(maxRows)}`);

  const agents: Record<string, Record<string, unknown>> = {};
  for (const { id: m, spec } of methods()) {
    const o = merge(pick(q.agents?.all, spec), pick(file.agents?.all, spec), q.agents?.[m], file.agents?.[m], pick(cli.agents?.all, spec), { E: prepare.embeddingDim, N: prepare.N });
    agents[m] = planAgent(m, o);
  }
  const c = agents['hrl-mg'].c as number;
  if (rep.sweeps) {
    const bad = rep.Ms.find((m) => m > c);
    if (bad !== undefined) throw new ConfigError('reproduce', 'Ms', `M = ${bad} exceeds the goal period c = ${c} of HRL-MG (each goal needs a step)`);
  }

  const tr = merge(q.trainer, file.trainer);
  for (const k of Object.keys(tr)) if (k !== 'logEvery') throw new ConfigError('trainer', k, 'unknown key (known: logEvery; budgets are reproduce options)');
  const logEvery = (tr.logEvery ?? 0) as number;
  if (!(Number.isInteger(logEvery) && logEvery >= 0)) throw new ConfigError('trainer', 'logEvery', `must be an integer >= 0, got ${JSON.stringify(logEvery)}`);

  const env = merge(q.env, file.env);
  for (const k of Object.keys(env)) if (!(k in recEnvSpec)) throw new ConfigError('env', k, `unknown key (known: ${Object.keys(recEnvSpec).filter((x) => !(x in MANAGED.env)).join(', ')})`);
  const trainEnv = { ...env, batchSize: rep.trainBatch, T: rep.trainT, poolSize: rep.poolSize };
  // validated by RecEnv (needs the dataset) when the stages run; the keys are checked here

  const ev = merge(q.evaluate, file.evaluate);
  for (const k of Object.keys(ev)) if (!(k in evaluateSpec)) throw new ConfigError('evaluate', k, `unknown key (known: minPositives)`);
  const onlineEval = resolveEvaluateConfig({
    ...ev, seed: rep.evalSeed, onlineSessions: rep.evalSessions, batchSize: rep.evalBatch, shortT: rep.shortT, longT: rep.longT,
    poolSize: rep.poolSize, online: true, offline: false,
  });
  const offlineEval = resolveEvaluateConfig({ ...ev, seed: rep.evalSeed, batchSize: rep.evalBatch, online: false, offline: true, offlineMaxSessions: rep.offlineSessions });
  return {
    quick,
    out: path.resolve(p.out ?? path.join('runs', 'reproduce')),
    rep,
    source,
    prepare,
    simulator,
    fidelity: { maxRows: maxRows as number, gapSessions: rep.gapSessions },
    agents,
    trainer: { steps: rep.trainSteps, updatesPerStep: rep.updatesPerStep, logEvery },
    trainEnv,
    testEnv: env,
    onlineEval,
    offlineEval,
  };
}

/** The preparation config a prepared folder was made with (its manifest), completed with today's defaults. */
function preparedConfig(dir: string): PrepareConfig {
  let m: { config?: Partial<PrepareConfig> };
  try {
    m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch (e) {
    throw new InputError(path.join(dir, 'manifest.json'), 0, `cannot read the manifest: ${(e as Error).message}`);
  }
  return resolvePrepareConfig(m.config ?? {});
}

// ---- what gets trained ---------------------------------------------------------------------------

/** The resolved agent config as the plan records (and hashes) it (see omitNeutral). */
function planAgent(method: string, o: Record<string, unknown>): Record<string, unknown> {
  return omitNeutral(resolveMethodConfig(method, o));
}

/** One agent configuration to train once per seed. */
export interface Variant {
  /** Folder-safe id, e.g. 'hrl-mg', 'hrl-mg-alpha0.25', 'hrl-mg-M3'. */
  id: string;
  /** Method id (lib/agents/methods.ts). */
  method: string;
  /** Display name, e.g. 'HRL-MG', 'HRL-MG (α=0.25)'. */
  label: string;
  /** Resolved agent config. */
  agent: Record<string, unknown>;
}

export interface SweepPlan {
  param: 'alpha' | 'M';
  points: { x: number; variant: Variant }[];
}

/**
 * The paper's comparison (Section 4.2): DNN, DDPG, HRL, HRL-MG with their configs, and every other
 * registered method of the main comparison (methods.ts mainRank), in rank order.
 */
export function mainVariants(plan: ReproducePlan): Variant[] {
  return mainMethods().map((m) => {
    if (!plan.agents[m.id]) throw new UsageError(`method '${m.id}' was registered after this plan was resolved: resolve the plan again`);
    return { id: m.id, method: m.id, label: m.label, agent: plan.agents[m.id] };
  });
}

function sameAgent(a: Variant, method: string, cfg: Record<string, unknown>): boolean {
  return a.method === method && canonicalJson(a.agent) === canonicalJson(cfg);
}

/**
 * The sensitivity sweeps (Section 4.3): HRL-MG with alpha in `alphas` (other settings as the main
 * HRL-MG), and with M in `Ms`; M = 1 is HRL (the paper's definition of HRL). A point whose config
 * equals a main run's reuses that run (same id).
 */
export function sweepPlans(plan: ReproducePlan): SweepPlan[] {
  if (!plan.rep.sweeps) return [];
  const main = mainVariants(plan);
  const base = plan.agents['hrl-mg'];
  const variant = (method: string, cfg: Record<string, unknown>, id: string, label: string): Variant => {
    const resolved = planAgent(method, cfg);
    const hit = main.find((v) => sameAgent(v, method, resolved));
    return hit ?? { id, method, label, agent: resolved };
  };
  const alpha: SweepPlan = {
    param: 'alpha',
    points: plan.rep.alphas.map((a) => ({ x: a, variant: variant('hrl-mg', { ...base, alpha: a }, `hrl-mg-alpha${a}`, `HRL-MG (α=${a})`) })),
  };
  const M: SweepPlan = {
    param: 'M',
    points: plan.rep.Ms.map((m) => {
      if (m === 1) {
        const { M: _M, ...rest } = base;
        return { x: 1, variant: variant('hrl', rest, 'hrl-mg-M1', 'HRL-MG (M=1, i.e. HRL)') };
      }
      return { x: m, variant: variant('hrl-mg', { ...base, M: m }, `hrl-mg-M${m}`, `HRL-MG (M=${m})`) };
    }),
  };
  return [alpha, M];
}

/** Run id of a variant and seed: the folder name under runs/. */
export function runId(v: Variant, seed: number): string {
  return `${v.id}-s${seed}`;
}
