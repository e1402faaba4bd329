/**
 * Online training (Algorithm 2), batched: B sessions of the training split run in lock-step; every
 * lock-step step the agent (re)generates goals when due and picks one item per session via the
 * mapping (select), the environment answers (step), the agent stores its transitions (observe), then
 * `updatesPerStep` updates of every warm level run (update). One RecEnv per session batch, seeded
 * from (trainer seed, batch index), so runs are reproducible and resumable at batch boundaries.
 *
 *   const makeEnv = trainEnvFactory(ds, backend, { batchSize: 64, T: 50 });
 *   const agent = createAgent('hrl-mg', ds.embeddings, {}, new Rng(1));
 *   const res = await train(agent, makeEnv, { sessions: 6400 }, { checkpointDir: 'runs/a/ckpt' });
 *   res.log.entries   // Figure 6 data;  saveTrainLog('runs/a/train-log.json', res)
 *   await train(agent2, makeEnv, { sessions: 12800 }, { resumeFrom: 'runs/a/ckpt' });  // continues
 *
 * Budgets are whole session batches: ceil(sessions / B), or ceil(steps / T) with `steps`.
 */
import { hashString } from '../util/rng';
import { Progress } from '../util/progress';
import { UsageError } from '../util/errors';
import { writeJsonAtomic } from '../util/atomic';
import { runMeta } from '../util/versions';
import { RecEnv, type RecEnvConfig } from '../sim/recEnv';
import type { SimDataset } from '../sim/types';
import type { UserBackend } from '../sim/userBackend';
import { ExactIndex } from './mapping/exactIndex';
import type { ItemIndex } from './mapping/itemIndex';
import type { TrainableAgent, UpdateInfo } from './agent';
import { resolveTrainerConfig, type TrainerConfig } from './agentConfig';
import { countFeedback, LogWindow, type TrainLogEntry } from './trainLog';
import { readTrainerCheckpoint, TRAINER_FORMAT, writeTrainerCheckpoint } from './checkpoint';
import type { TraceRecorder } from './trace';

/** Builds the training environment of one session batch from its seed. */
export type EnvFactory = (seed: number) => RecEnv;

/** The usual factory: RecEnv over `ds` with `backend`, split 'train', the given env config. */
export function trainEnvFactory(ds: SimDataset, backend: UserBackend, overrides: Partial<RecEnvConfig> = {}): EnvFactory {
  return (seed: number) => new RecEnv(ds, backend, { ...overrides, split: 'train', seed });
}

/** Seed of session batch k of a run. */
export function episodeSeed(seed: number, k: number): number {
  return hashString(`episode/${k}`, hashString(String(seed >>> 0)));
}

export interface TrainLog {
  method: string;
  agentConfig: Readonly<Record<string, unknown>>;
  trainerConfig: TrainerConfig;
  env: { B: number; T: number; poolSize: number; rewards: RecEnvConfig['rewards'] };
  entries: TrainLogEntry[];
}

export interface TrainResult {
  log: TrainLog;
  /** Wall-clock seconds at each log entry (not part of the deterministic log). */
  timing: { step: number; seconds: number }[];
  seconds: number;
  /** Lock-step env steps per second of this process's training (updates included). */
  stepsPerSecond: number;
}

/** Where in the run an update happened (for divergence checks and their messages). */
export interface UpdateAt {
  /** Lock-step env step being processed, 1-based (= steps completed once it ends). */
  step: number;
  /** Session batch being run, 0-based. */
  episode: number;
  /** Step of the session (0-based). */
  t: number;
}

export interface TrainerOptions {
  /** Record one session of one batch. */
  trace?: TraceRecorder;
  /** Called with every new log entry. */
  onLog?: (e: TrainLogEntry) => void;
  /** The mapping index (default: ExactIndex over the agent's table). */
  index?: ItemIndex;
  /**
   * Called after every agent.update() with its statistics (e.g. a divergence guard,
   * lib/reliability/divergence.ts). Throwing stops the run; the trainer then refuses to checkpoint
   * until restored, since its state is no longer at a batch boundary.
   */
  onUpdate?: (u: UpdateInfo, at: UpdateAt) => void;
  /** Called before any checkpoint is written; throwing prevents the write (e.g. non-finite weights). */
  beforeCheckpoint?: () => void;
}

export class Trainer {
  readonly cfg: TrainerConfig;
  readonly B: number;
  readonly T: number;
  /** Session batches completed. */
  episodes = 0;
  /** Lock-step env steps taken. */
  steps = 0;
  readonly entries: TrainLogEntry[] = [];
  readonly timing: { step: number; seconds: number }[] = [];
  private readonly window: LogWindow;
  private readonly index: ItemIndex;
  private readonly envInfo: TrainLog['env'];
  private secondsBefore = 0;
  private secondsThisProcess = 0;
  private stepsThisProcess = 0;
  /** Start (ms) of the batch being run, 0 when idle. */
  private episodeT0 = 0;
  /** Why a batch stopped midway (the state is then not at a batch boundary), null when fine. */
  private failure: string | null = null;

  /** Validates the trainer config (ConfigError) and the env/agent geometry before any training. */
  constructor(
    readonly agent: TrainableAgent,
    readonly makeEnv: EnvFactory,
    overrides: Partial<TrainerConfig> | Record<string, unknown> = {},
    readonly opts: TrainerOptions = {},
  ) {
    this.cfg = resolveTrainerConfig(overrides);
    const probe = makeEnv(episodeSeed(this.cfg.seed, 0));
    if (!(probe instanceof RecEnv)) throw new UsageError('Trainer: makeEnv must return a RecEnv');
    if (probe.config.split !== 'train') throw new UsageError(`Trainer: the training env must use split 'train', got '${probe.config.split}'`);
    if (probe.N !== agent.N) throw new UsageError(`Trainer: the dataset's history length is N=${probe.N}, the agent's N=${agent.N}`);
    if (probe.nItems !== agent.nItems) throw new UsageError(`Trainer: the env has ${probe.nItems} items, the agent's table ${agent.nItems}`);
    this.B = probe.batchSize;
    this.T = probe.T;
    this.envInfo = { B: this.B, T: this.T, poolSize: probe.poolSize, rewards: probe.config.rewards };
    this.window = new LogWindow(agent.M);
    this.index = opts.index ?? new ExactIndex(agent.table, agent.E);
  }

  /** Total session batches of the configured budget. */
  get budgetEpisodes(): number {
    return this.cfg.steps > 0 ? Math.ceil(this.cfg.steps / this.T) : Math.ceil(this.cfg.sessions / this.B);
  }

  private get logEvery(): number {
    return this.cfg.logEvery > 0 ? this.cfg.logEvery : this.T;
  }

  /** Run one batch of B training sessions of T steps (Algorithm 2, lines 4-28 for B sessions). */
  runEpisode(bar?: Progress): void {
    this.checkUsable('runEpisode');
    this.episodeT0 = Date.now();
    const s0 = this.steps;
    try {
      this.episodeBody(bar);
    } catch (e) {
      this.failure = `session batch ${this.episodes} stopped at env step ${this.steps + 1}: ${(e as Error)?.message ?? String(e)}`;
      throw e;
    } finally {
      this.secondsThisProcess += (Date.now() - this.episodeT0) / 1000;
      this.stepsThisProcess += this.steps - s0;
      this.episodeT0 = 0;
    }
  }

  /** A trainer whose batch failed midway holds a half-run batch: only restore() may follow. */
  private checkUsable(what: string): void {
    if (this.failure) throw new UsageError(`Trainer.${what}: ${this.failure}; restore a checkpoint first (the state is not at a batch boundary)`);
  }

  private elapsed(): number {
    return this.secondsBefore + this.secondsThisProcess + (this.episodeT0 ? (Date.now() - this.episodeT0) / 1000 : 0);
  }

  private episodeBody(bar?: Progress): void {
    const { agent, B } = this;
    const k = this.episodes;
    const env = this.makeEnv(episodeSeed(this.cfg.seed, k));
    if (env.batchSize !== B || env.T !== this.T) throw new UsageError(`Trainer: makeEnv changed the batch geometry (B=${env.batchSize}, T=${env.T})`);
    const users = env.sampleUsers(B);
    let obs = env.reset(users);
    const P = env.poolSize;
    const pools = Array.from({ length: B }, (_, b) => obs.pool.subarray(b * P, (b + 1) * P));
    const cands = this.index.sessions(pools);
    const trace = this.opts.trace;
    trace?.begin(k, users);
    const sumReward = new Float64Array(B);
    const clicks = new Int32Array(B);
    const orders = new Int32Array(B);
    for (let t = 0; t < this.T; t++) {
      const state = { t: obs.t, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered };
      const items = agent.select(state, cands, pools, true); // lines 9-14
      const res = env.step(items); // lines 15-16
      const next = { t: res.obs.t, browsed: res.obs.browsed, clicked: res.obs.clicked, ordered: res.obs.ordered };
      const info = agent.observe({ state, items, reward: res.reward, feedback: res.feedback, next, done: res.done }, true); // lines 17-21
      this.window.addStep(info);
      countFeedback(res.feedback, res.reward, sumReward, clicks, orders);
      trace?.record(k, info, res.feedback, agent.E);
      for (let u = 0; u < this.cfg.updatesPerStep; u++) {
        const upd = agent.update(); // lines 22-27
        this.window.addUpdate(upd);
        this.opts.onUpdate?.(upd, { step: this.steps + 1, episode: k, t });
      }
      this.steps++;
      bar?.tick(1);
      obs = res.obs;
      if (res.done) {
        this.window.addSessions(sumReward, clicks, orders);
        this.episodes++;
      }
      if (this.steps % this.logEvery === 0) this.flush();
    }
  }

  private flush(): void {
    const e = this.window.entry(
      { step: this.steps, transitions: this.steps * this.B, episodes: this.episodes, sessions: this.episodes * this.B },
      this.agent.exploration(),
      this.agent.M > 0,
    );
    this.window.reset();
    this.entries.push(e);
    this.timing.push({ step: this.steps, seconds: this.elapsed() });
    this.opts.onLog?.(e);
  }

  /**
   * Train `episodes` more session batches (default: up to the configured budget), checkpointing
   * into `checkpointDir` every `checkpointEvery` batches and at the end.
   */
  async run(o: { episodes?: number; checkpointDir?: string } = {}): Promise<void> {
    const target = o.episodes !== undefined ? this.episodes + o.episodes : this.budgetEpisodes;
    if (o.episodes !== undefined && (!Number.isInteger(o.episodes) || o.episodes < 0)) throw new UsageError(`Trainer.run: episodes must be an integer >= 0, got ${o.episodes}`);
    const first = this.episodes;
    const bar = this.cfg.progress ? new Progress(`train ${this.agent.method}`, Math.max(0, target - first) * this.T, { unit: 'steps' }) : null;
    let lastSaved = -1;
    while (this.episodes < target) {
      this.runEpisode(bar ?? undefined);
      if (o.checkpointDir && this.cfg.checkpointEvery > 0 && this.episodes % this.cfg.checkpointEvery === 0) {
        await this.saveCheckpoint(o.checkpointDir);
        lastSaved = this.episodes;
      }
    }
    bar?.finish();
    if (o.checkpointDir && lastSaved !== this.episodes) await this.saveCheckpoint(o.checkpointDir);
  }

  /** Write a checkpoint folder (atomically). Only between session batches. */
  async saveCheckpoint(dir: string): Promise<void> {
    this.checkUsable('saveCheckpoint');
    this.opts.beforeCheckpoint?.();
    await writeTrainerCheckpoint(dir, this.agent, {
      format: TRAINER_FORMAT,
      method: this.agent.method,
      config: this.cfg,
      B: this.B,
      T: this.T,
      episodes: this.episodes,
      steps: this.steps,
      entries: this.entries,
      window: this.window.s,
      seconds: this.secondsBefore + this.secondsThisProcess,
    });
  }

  /** Continue from a checkpoint written by a run with the same agent config, seed and geometry. */
  async restore(dir: string): Promise<void> {
    const ck = await readTrainerCheckpoint(dir, this.agent, this.cfg);
    if (ck.B !== this.B || ck.T !== this.T) throw new UsageError(`${dir}: checkpointed run had B=${ck.B}, T=${ck.T}; this env has B=${this.B}, T=${this.T}`);
    this.episodes = ck.episodes;
    this.steps = ck.steps;
    this.entries.length = 0;
    this.entries.push(...ck.entries);
    this.window.s = ck.window;
    this.secondsBefore = ck.seconds;
    this.timing.length = 0;
    this.failure = null;
  }

  result(): TrainResult {
    return {
      log: { method: this.agent.method, agentConfig: this.agent.config, trainerConfig: this.cfg, env: this.envInfo, entries: this.entries },
      timing: this.timing,
      seconds: this.secondsBefore + this.secondsThisProcess,
      stepsPerSecond: this.secondsThisProcess > 0 ? this.stepsThisProcess / this.secondsThisProcess : 0,
    };
  }
}

/**
 * Train `agent` to the configured budget (Algorithm 2). With `resumeFrom`, continue that checkpoint
 * (same agent config, seed, updatesPerStep, logEvery, env geometry); with `checkpointDir`, write
 * checkpoints there (every `checkpointEvery` batches and at the end).
 */
export async function train(
  agent: TrainableAgent,
  makeEnv: EnvFactory,
  config: Partial<TrainerConfig> | Record<string, unknown> = {},
  o: TrainerOptions & { resumeFrom?: string; checkpointDir?: string } = {},
): Promise<TrainResult> {
  const trainer = new Trainer(agent, makeEnv, config, o);
  if (o.resumeFrom) await trainer.restore(o.resumeFrom);
  await trainer.run({ checkpointDir: o.checkpointDir });
  return trainer.result();
}

/** Save a training result as JSON (log + timing + run metadata), atomically. Needs initBackend(). */
export function saveTrainLog(file: string, res: TrainResult): void {
  writeJsonAtomic(file, { meta: runMeta(), ...res });
}
