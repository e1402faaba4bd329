/**
 * Step-by-step traces of one session (training or test), to show how the goals steer the low level:
 * per step the item, its feedback, r_ex, r_in, r_low, the goal guiding the step (and all M goals of
 * the period), the proto-action, and at period ends the benefit assignment phi^0 (Eq. 14) and
 * phi' (Eq. 15).
 *
 *   const rec = new TraceRecorder({ episode: 3, session: 0 });
 *   await train(agent, makeEnv, cfg, { trace: rec });           // records training batch 3, session 0
 *   const test = traceRollout(agent, testEnv, users, { session: 0 });   // a test session (explore = false)
 */
import { UsageError } from '../util/errors';
import { ExactIndex } from './mapping/exactIndex';
import type { StepInfo, TrainableAgent } from './agent';
import type { RecEnv } from '../sim/recEnv';

export interface TracePeriod {
  steps: number;
  stored: boolean;
  /** Eq. (14) per goal. */
  phi0: number[];
  /** Eq. (15) per goal (the stored high-level rewards). */
  phi: number[];
  /** Total external reward of the period. */
  reward: number;
}

export interface TraceStep {
  /** Training batch (episode) index, or -1 for a rollout outside training. */
  episode: number;
  t: number;
  item: number;
  /** 0 skip, 1 click, 2 order. */
  feedback: number;
  rEx: number;
  rIn: number | null;
  rLow: number;
  /** 0-based goal guiding the step, -1 without goals. */
  goalIndex: number;
  /** The goal guiding this step [E] (null without goals). */
  goal: number[] | null;
  /** All M goals of the period [M][E] (null without goals). */
  goals: number[][] | null;
  /** Proto-action before exploration noise [E] (null for agents without an actor). */
  proto: number[] | null;
  randomPick: boolean;
  period: TracePeriod | null;
}

export interface TraceOptions {
  /** Which session of the batch (0-based). Default 0. */
  session?: number;
  /** Which training batch to record (0-based). Default 0. Ignored by traceRollout. */
  episode?: number;
}

export class TraceRecorder {
  readonly session: number;
  readonly episode: number;
  readonly steps: TraceStep[] = [];
  /** The user of the recorded session (set when the episode starts). */
  user = -1;

  constructor(o: TraceOptions = {}) {
    this.session = o.session ?? 0;
    this.episode = o.episode ?? 0;
    if (!Number.isInteger(this.session) || this.session < 0) throw new UsageError(`TraceRecorder: session must be an integer >= 0, got ${this.session}`);
    if (!Number.isInteger(this.episode) || this.episode < -1) throw new UsageError(`TraceRecorder: episode must be an integer >= -1, got ${this.episode}`);
  }

  wants(episode: number): boolean {
    return episode === this.episode;
  }

  /** Called when a batch starts; users [B]. */
  begin(episode: number, users: ArrayLike<number>): void {
    if (!this.wants(episode)) return;
    if (this.session >= users.length) throw new UsageError(`TraceRecorder: session ${this.session} outside the batch of ${users.length}`);
    this.user = users[this.session];
    this.steps.length = 0;
  }

  /** One lock-step step of the batch (only session `session` is kept). */
  record(episode: number, info: StepInfo, feedback: Uint8Array, E: number): void {
    if (!this.wants(episode)) return;
    const b = this.session;
    const B = info.items.length;
    if (b >= B) throw new UsageError(`TraceRecorder: session ${b} outside the batch of ${B}`);
    const row = (x: Float32Array, i: number): number[] => Array.from(x.subarray(i * E, (i + 1) * E));
    let goals: number[][] | null = null;
    let goal: number[] | null = null;
    if (info.goals) {
      const M = info.goals.length / (B * E);
      goals = [];
      for (let j = 0; j < M; j++) goals.push(row(info.goals, j * B + b)); // [M, B, E]
      goal = goals[info.goalIndex];
    }
    let period: TracePeriod | null = null;
    if (info.period) {
      const M = info.period.phi.length / B;
      period = {
        steps: info.period.steps,
        stored: info.period.stored,
        phi0: Array.from(info.period.phi0.subarray(b * M, (b + 1) * M)),
        phi: Array.from(info.period.phi.subarray(b * M, (b + 1) * M)),
        reward: info.period.reward[b],
      };
    }
    this.steps.push({
      episode,
      t: info.t,
      item: info.items[b],
      feedback: feedback[b],
      rEx: info.rEx[b],
      rIn: info.rIn ? info.rIn[b] : null,
      rLow: info.rLow[b],
      goalIndex: info.goalIndex,
      goal,
      goals,
      proto: info.proto ? row(info.proto, b) : null,
      randomPick: info.randomPick[b] === 1,
      period,
    });
  }

  toJSON(): { session: number; episode: number; user: number; steps: TraceStep[] } {
    return { session: this.session, episode: this.episode, user: this.user, steps: this.steps };
  }
}

/**
 * Run one batch of sessions of `env` (typically the test split) with `agent` (explore = false,
 * nothing stored) and return the trace of session `o.session`. `users` default: env.sampleUsers().
 */
export function traceRollout(agent: TrainableAgent, env: RecEnv, users?: Int32Array, o: TraceOptions = {}): TraceRecorder {
  const rec = new TraceRecorder({ session: o.session ?? 0, episode: -1 });
  const u = users ?? env.sampleUsers(env.batchSize);
  let obs = env.reset(u);
  const B = env.batchSize;
  const P = env.poolSize;
  const pools = Array.from({ length: B }, (_, b) => obs.pool.subarray(b * P, (b + 1) * P));
  const cands = new ExactIndex(agent.table, agent.E).sessions(pools);
  rec.begin(-1, u);
  for (let t = 0; t < env.T; t++) {
    const state = { t: obs.t, browsed: obs.browsed, clicked: obs.clicked, ordered: obs.ordered };
    const items = agent.select(state, cands, pools, false);
    const res = env.step(items);
    const next = { t: res.obs.t, browsed: res.obs.browsed, clicked: res.obs.clicked, ordered: res.obs.ordered };
    const info = agent.observe({ state, items, reward: res.reward, feedback: res.feedback, next, done: res.done }, false);
    rec.record(-1, info, res.feedback, agent.E);
    obs = res.obs;
  }
  return rec;
}
