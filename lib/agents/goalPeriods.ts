/**
 * The goal bookkeeping of Algorithm 2 for B lock-step sessions, with no networks: which goals are
 * current, the internal reward of each step, and the high-level transition at each period end.
 *
 *   per step t:  if needGoals(t): setGoals(goals [M,B,E], s^h_t)               (lines 9-13)
 *                rIn = internal(t, executed actions [B,E])                      (Eq. 12)
 *                end = record(t, rEx [B], done, s^h_{t+1})                      (lines 19-21)
 *                end?.transition -> D^h: (s^h_{t-c}, g^{1:M}, phi(r_{t-c:t-1}), s^h_t)
 *
 * The high-level reward of goal i is the benefit assignment phi'_i (Eq. 15; beta = 0 gives Eq. 14)
 * of the period's c external rewards. A period cut short by the session end is zero-padded to c
 * (steps that never happened earn nothing) and either stored with done = 1 or dropped.
 */
import { UsageError } from '../util/errors';
import { benefitAssignBatch } from './benefit';
import { goalIndex, goalScheduleProblem, isGoalStep } from './goalSchedule';
import { internalRewardBatch } from './internalReward';

export interface HighTransitionBatch {
  /** s^h at the period start: clicked, ordered [B*N]. */
  s1: Int32Array;
  s2: Int32Array;
  /** The period's goals [M, B, E]. */
  g: Float32Array;
  /** phi' [B, M] (Eq. 15). */
  r: Float32Array;
  /** s^h after the period [B*N]. */
  s1n: Int32Array;
  s2n: Int32Array;
  /** 1 when the session ended with the period. */
  done: boolean;
}

export interface PeriodResult {
  steps: number;
  phi0: Float32Array; // [B, M]
  phi: Float32Array; // [B, M]
  reward: Float32Array; // [B]
  /** null when a partial period is dropped. */
  transition: HighTransitionBatch | null;
}

export class GoalPeriods {
  B = 0;
  /** [M, B, E] goals of the current period (noise included). */
  goals: Float32Array | null = null;
  /** First step of the current period (a multiple of c). */
  periodStart = -1;
  /** Step at which the current goals were set (= periodStart unless a batch joined mid-period). */
  goalsSetAt = -1;
  private s1: Int32Array = new Int32Array(0);
  private s2: Int32Array = new Int32Array(0);
  /** External rewards of the current period, [B, c] (zero where not yet happened). */
  private rewards = new Float32Array(0);
  private lastT = -1;

  constructor(
    readonly c: number,
    readonly M: number,
    readonly E: number,
    readonly beta: number,
    readonly partial: 'store' | 'drop' = 'store',
  ) {
    const p = goalScheduleProblem(c, M);
    if (p) throw new UsageError(`GoalPeriods: ${p[0]} ${p[1]}`);
    if (!(beta >= 0 && beta <= 1)) throw new UsageError(`GoalPeriods: beta must be in [0, 1], got ${beta}`);
  }

  /** New batch of B sessions (t = 0): forget goals and rewards. */
  begin(B: number): void {
    if (!Number.isInteger(B) || B < 1) throw new UsageError(`GoalPeriods.begin: B must be an integer >= 1, got ${B}`);
    this.B = B;
    this.goals = null;
    this.periodStart = -1;
    this.goalsSetAt = -1;
    this.rewards = new Float32Array(B * this.c);
    this.lastT = -1;
  }

  /** Goals are due at t ≡ 0 (mod c), or when none are set (a batch joined mid-period). */
  needGoals(t: number): boolean {
    return this.goals === null || isGoalStep(t, this.c);
  }

  /** The high level emitted goals [M, B, E] in state s^h = (clicked, ordered) at step t. */
  setGoals(t: number, goals: Float32Array, clicked: Int32Array, ordered: Int32Array): void {
    const { B, M, E } = this;
    if (goals.length !== M * B * E) throw new UsageError(`GoalPeriods.setGoals: goals length ${goals.length} != M*B*E = ${M}*${B}*${E}`);
    this.goals = goals.slice();
    this.s1 = clicked.slice();
    this.s2 = ordered.slice();
    this.periodStart = t - (t % this.c);
    this.goalsSetAt = t;
    this.rewards.fill(0);
  }

  /** 0-based goal index guiding step t (block of floor(c/M) steps; leftovers to the last goal). */
  goalIndex(t: number): number {
    return goalIndex(t, this.c, this.M);
  }

  /** The current goal of step t for every session, [B, E]. */
  currentGoal(t: number): Float32Array {
    const g = this.requireGoals('currentGoal');
    const { B, E } = this;
    const j = this.goalIndex(t);
    return g.slice(j * B * E, (j + 1) * B * E);
  }

  /** Eq. (12): r_in = cos(a_t, g^j_t) for executed actions [B, E] -> [B]. */
  internal(t: number, actions: Float32Array): Float32Array {
    return internalRewardBatch(actions, this.currentGoal(t), this.E); // Eq. (12)
  }

  /**
   * Record step t's external rewards [B]; at a period end (t+1 ≡ 0 mod c, or `done`) return the
   * benefit assignment and the high-level transition to s^h_{t+1} = (clicked, ordered).
   */
  record(t: number, rEx: Float32Array, done: boolean, clicked: Int32Array, ordered: Int32Array): PeriodResult | null {
    const { B, c, M } = this;
    this.requireGoals('record');
    if (rEx.length !== B) throw new UsageError(`GoalPeriods.record: rEx length ${rEx.length} != B=${B}`);
    if (t < this.goalsSetAt || t - this.periodStart >= c) {
      throw new UsageError(`GoalPeriods.record: step ${t} is outside the current period [${this.periodStart}, ${this.periodStart + c})`);
    }
    if (t <= this.lastT) throw new UsageError(`GoalPeriods.record: step ${t} recorded twice`);
    this.lastT = t;
    const p = t - this.periodStart; // position in the period = t mod c (goalSchedule's convention)
    for (let b = 0; b < B; b++) this.rewards[b * c + p] = rEx[b];
    const full = p === c - 1 && this.goalsSetAt === this.periodStart;
    if (p !== c - 1 && !done) return null;
    const phi0 = benefitAssignBatch(this.rewards, c, M, 0); // Eq. (14)
    const phi = this.beta === 0 ? phi0.slice() : benefitAssignBatch(this.rewards, c, M, this.beta); // Eq. (15)
    const reward = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += this.rewards[b * c + j];
      reward[b] = s;
    }
    const keep = full || this.partial === 'store';
    const transition: HighTransitionBatch | null = keep
      ? { s1: this.s1, s2: this.s2, g: this.goals!, r: phi, s1n: clicked.slice(), s2n: ordered.slice(), done }
      : null;
    // The next period needs fresh goals.
    this.goals = null;
    return { steps: t - this.goalsSetAt + 1, phi0, phi, reward, transition };
  }

  private requireGoals(where: string): Float32Array {
    if (!this.goals) throw new UsageError(`GoalPeriods.${where}: no goals set for the current period`);
    return this.goals;
  }
}
