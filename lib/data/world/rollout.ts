/**
 * A policy's true value in the default world: roll the ground-truth user model under the policy
 * for one session per entry of `users` and average. Reports both the sampled outcome and the
 * expected one (sum of the model's probabilities along the sampled path: same mean, less noise).
 */
import { Feedback } from '../schema';
import { Rng } from '../../util/rng';
import { UsageError } from '../../util/errors';
import { TrueUserModel } from './trueUserModel';
import { SessionPolicy } from './loggingPolicy';
import { sampleSessionLength } from './sessionPlan';
import type { World } from './world';

export interface Rewards {
  skip: number;
  click: number;
  order: number;
}

/** The paper's external reward (Sec. 4.1): skip 0, click 1, order 5. */
export const PAPER_REWARDS: Rewards = { skip: 0, click: 1, order: 5 };

export interface RolloutResult {
  sessions: number;
  impressions: number;
  /** Per session, sampled: reward, clicks (orders included), orders. */
  meanReward: number;
  meanClicks: number;
  meanOrders: number;
  /** Per session, expected (Rao-Blackwellised along the sampled paths). */
  expMeanReward: number;
  expMeanClicks: number;
  expMeanOrders: number;
  /** Sampled clicks (incl. orders) / impressions, and orders / clicks. */
  clickRate: number;
  orderPerClick: number;
}

/**
 * Roll `policy` for one session per user in `users`. `sessionLength` is a fixed length or 'world'
 * (draw each length like the generator does). The rng is advanced (draws three stream seeds), so
 * successive calls with one rng give independent rollouts.
 */
export function rolloutPolicy(
  world: World,
  policy: SessionPolicy,
  users: ArrayLike<number>,
  sessionLength: number | 'world',
  rng: Rng,
  rewards: Rewards = PAPER_REWARDS,
): RolloutResult {
  if (sessionLength !== 'world' && !(Number.isInteger(sessionLength) && sessionLength >= 1)) {
    throw new UsageError(`rolloutPolicy: sessionLength must be a positive integer or 'world', got ${sessionLength}`);
  }
  if (users.length === 0) throw new UsageError('rolloutPolicy: no users');
  const rngUser = new Rng(rng.nextU32());
  const rngPolicy = new Rng(rng.nextU32());
  const rngLen = new Rng(rng.nextU32());
  const model = new TrueUserModel(world);
  const rw = [rewards.skip, rewards.click, rewards.order];
  let reward = 0;
  let clicks = 0;
  let orders = 0;
  let eReward = 0;
  let eClicks = 0;
  let eOrders = 0;
  let n = 0;
  let shown = new Int32Array(64);
  for (let s = 0; s < users.length; s++) {
    const u = users[s];
    const L = sessionLength === 'world' ? sampleSessionLength(world.cfg, rngLen) : sessionLength;
    if (shown.length < L) shown = new Int32Array(L);
    const st = model.newSessionState(u, rngUser);
    for (let t = 0; t < L; t++) {
      const item = policy.choose(u, st, shown.subarray(0, t), rngPolicy);
      const fb = model.step(u, st, item, rngUser);
      shown[t] = item;
      const p = model.lastProbs;
      reward += rw[fb];
      if (fb !== Feedback.Skip) clicks++;
      if (fb === Feedback.Order) orders++;
      eReward += p[0] * rw[0] + p[1] * rw[1] + p[2] * rw[2];
      eClicks += p[1] + p[2];
      eOrders += p[2];
      n++;
    }
  }
  const S = users.length;
  return {
    sessions: S,
    impressions: n,
    meanReward: reward / S,
    meanClicks: clicks / S,
    meanOrders: orders / S,
    expMeanReward: eReward / S,
    expMeanClicks: eClicks / S,
    expMeanOrders: eOrders / S,
    clickRate: clicks / n,
    orderPerClick: clicks ? orders / clicks : 0,
  };
}
