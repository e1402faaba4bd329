/**
 * The training log (the data behind the paper's Figure 6: training curves of the high- and the
 * low-level agent). Every `logEvery` lock-step steps one entry summarises the window since the
 * previous one:
 *   - training sessions that ended in the window: mean reward / clicks / orders per session
 *     (clicks count every click incl. those that became orders, as logStats does);
 *   - low level: mean r_ex, r_in, r_low per step (Figure 6(b)) and its update statistics;
 *   - high level: mean external reward per goal period and mean phi'_i, phi^0_i per goal
 *     (Figure 6(a)) and its update statistics;
 *   - the exploration rates at the entry.
 * Entries contain no wall-clock time, so the same seed gives a byte-identical log; timing is kept
 * apart (TrainResult.timing).
 */
import { Feedback } from '../data/schema';
import type { ExplorationRates, StepInfo, UpdateInfo } from './agent';
import type { UpdateStats } from './ddpgCore';

export interface LevelUpdateLog {
  /** Updates of this level in the window. */
  updates: number;
  criticLoss: number | null;
  actorLoss: number | null;
  qMean: number | null;
  /** Mean fraction of Q heads dead on the whole minibatch. */
  deadFrac: number | null;
}

export interface TrainLogEntry {
  /** Lock-step env steps so far (each = B transitions). */
  step: number;
  transitions: number;
  /** Session batches completed. */
  episodes: number;
  /** Training sessions completed. */
  sessions: number;
  /** Sessions that ended in this window and the means over them (null when none ended). */
  sessionsEnded: number;
  sessionReward: number | null;
  sessionClicks: number | null;
  sessionOrders: number | null;
  low: LevelUpdateLog & {
    /** Mean external / internal / low-level reward per step in the window. */
    rEx: number | null;
    rIn: number | null;
    rLow: number | null;
  };
  high:
    | (LevelUpdateLog & {
        /** Session-periods that ended in the window. */
        periods: number;
        /** Mean total external reward per goal period. */
        periodReward: number | null;
        /** Mean phi'_i per goal [M] (Eq. 15, the stored high-level rewards). */
        phi: number[] | null;
        /** Mean phi^0_i per goal [M] (Eq. 14). */
        phi0: number[] | null;
      })
    | null;
  explore: ExplorationRates;
}

interface LevelSums {
  n: number;
  critic: number;
  actor: number;
  nActor: number;
  q: number;
  nQ: number;
  dead: number;
}

/** Serializable running sums of one log window (float64, fixed summation order). */
export interface LogWindowState {
  steps: number;
  samples: number;
  rEx: number;
  rIn: number;
  nIn: number;
  rLow: number;
  periods: number;
  periodReward: number;
  phi: number[];
  phi0: number[];
  sessions: number;
  sessReward: number;
  sessClicks: number;
  sessOrders: number;
  low: LevelSums;
  high: LevelSums;
}

const zeroLevel = (): LevelSums => ({ n: 0, critic: 0, actor: 0, nActor: 0, q: 0, nQ: 0, dead: 0 });

export class LogWindow {
  s: LogWindowState;

  constructor(readonly M: number) {
    this.s = LogWindow.empty(M);
  }

  static empty(M: number): LogWindowState {
    return {
      steps: 0, samples: 0, rEx: 0, rIn: 0, nIn: 0, rLow: 0, periods: 0, periodReward: 0,
      phi: new Array(M).fill(0), phi0: new Array(M).fill(0),
      sessions: 0, sessReward: 0, sessClicks: 0, sessOrders: 0, low: zeroLevel(), high: zeroLevel(),
    };
  }

  reset(): void {
    this.s = LogWindow.empty(this.M);
  }

  addStep(info: StepInfo): void {
    const s = this.s;
    const B = info.items.length;
    s.steps++;
    s.samples += B;
    for (let b = 0; b < B; b++) {
      s.rEx += info.rEx[b];
      s.rLow += info.rLow[b];
      if (info.rIn) s.rIn += info.rIn[b];
    }
    if (info.rIn) s.nIn += B;
    const p = info.period;
    if (p && this.M > 0) {
      for (let b = 0; b < B; b++) {
        s.periods++;
        s.periodReward += p.reward[b];
        for (let i = 0; i < this.M; i++) {
          s.phi[i] += p.phi[b * this.M + i];
          s.phi0[i] += p.phi0[b * this.M + i];
        }
      }
    }
  }

  addUpdate(u: UpdateInfo): void {
    if (u.low) addLevel(this.s.low, u.low);
    if (u.high) addLevel(this.s.high, u.high);
  }

  /** Per-session totals of a finished batch: rewards [B], feedback counts. */
  addSessions(reward: Float64Array, clicks: Int32Array, orders: Int32Array): void {
    const s = this.s;
    for (let b = 0; b < reward.length; b++) {
      s.sessions++;
      s.sessReward += reward[b];
      s.sessClicks += clicks[b];
      s.sessOrders += orders[b];
    }
  }

  entry(counters: { step: number; transitions: number; episodes: number; sessions: number }, explore: ExplorationRates, hierarchical: boolean): TrainLogEntry {
    const s = this.s;
    const m = (x: number, n: number): number | null => (n > 0 ? x / n : null);
    return {
      ...counters,
      sessionsEnded: s.sessions,
      sessionReward: m(s.sessReward, s.sessions),
      sessionClicks: m(s.sessClicks, s.sessions),
      sessionOrders: m(s.sessOrders, s.sessions),
      low: { ...levelLog(s.low), rEx: m(s.rEx, s.samples), rIn: m(s.rIn, s.nIn), rLow: m(s.rLow, s.samples) },
      high: hierarchical
        ? {
            ...levelLog(s.high),
            periods: s.periods,
            periodReward: m(s.periodReward, s.periods),
            phi: s.periods > 0 ? s.phi.map((x) => x / s.periods) : null,
            phi0: s.periods > 0 ? s.phi0.map((x) => x / s.periods) : null,
          }
        : null,
      explore,
    };
  }
}

function addLevel(l: LevelSums, u: UpdateStats): void {
  l.n++;
  l.critic += u.criticLoss;
  if (Number.isFinite(u.actorLoss)) {
    l.actor += u.actorLoss;
    l.nActor++;
  }
  if (Number.isFinite(u.qMean)) {
    l.q += u.qMean;
    l.nQ++;
  }
  l.dead += u.deadFrac;
}

function levelLog(l: LevelSums): LevelUpdateLog {
  return {
    updates: l.n,
    criticLoss: l.n ? l.critic / l.n : null,
    actorLoss: l.nActor ? l.actor / l.nActor : null,
    qMean: l.nQ ? l.q / l.nQ : null,
    deadFrac: l.n ? l.dead / l.n : null,
  };
}

/** Session outcome counters of one feedback vector [B]. */
export function countFeedback(feedback: Uint8Array, reward: Float32Array, sumReward: Float64Array, clicks: Int32Array, orders: Int32Array): void {
  for (let b = 0; b < feedback.length; b++) {
    sumReward[b] += reward[b];
    if (feedback[b] !== Feedback.Skip) clicks[b]++;
    if (feedback[b] === Feedback.Order) orders[b]++;
  }
}
