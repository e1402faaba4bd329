/**
 * Calibration of the two logit offsets (clickBias, orderBias) so that the log generated under the
 * logging policy has the paper's funnel: click rate ~ targetClickRate, orders/clicks ~
 * targetOrderPerClick.
 *
 * A seeded pilot simulation (the same session-owner and length distributions as the log) is rolled
 * with common random numbers for every candidate offset, and the rates are estimated from the
 * model's probabilities (Rao-Blackwellised: sum of P(click), P(order) along the sampled path), so
 * the pilot rate is a smooth, deterministic function of the offsets. A per-coordinate secant
 * iteration on the logit scale solves both equations in a handful of pilot runs.
 */
import { Rng } from '../../util/rng';
import { TrueUserModel, ModelBias } from './trueUserModel';
import { LoggingPolicy } from './loggingPolicy';
import { SessionUserSampler, sampleSessionLength } from './sessionPlan';
import type { World } from './world';

export interface CalibrationReport {
  clickBias: number;
  orderBias: number;
  /** Expected rates on the pilot at the solution. */
  pilotClickRate: number;
  pilotOrderPerClick: number;
  pilotImpressions: number;
  iterations: number;
}

export interface PilotRates {
  clickRate: number;
  orderPerClick: number;
}

const logit = (p: number): number => Math.log(p / (1 - p));

/** Expected click rate and orders/click of the logging policy on a fixed pilot, for given offsets. */
export function pilotRates(world: World, bias: ModelBias, pilotUsers: Int32Array, pilotLens: Int32Array, seed: number): PilotRates {
  const model = new TrueUserModel(world, bias);
  const policy = new LoggingPolicy(world);
  const rngUser = new Rng(seed).fork('pilot-user');
  const rngPolicy = new Rng(seed).fork('pilot-policy');
  let pc = 0;
  let po = 0;
  let n = 0;
  const shown = new Int32Array(world.cfg.sessionLenMax * 2);
  for (let s = 0; s < pilotUsers.length; s++) {
    const u = pilotUsers[s];
    const st = model.newSessionState(u, rngUser);
    for (let t = 0; t < pilotLens[s]; t++) {
      const item = policy.choose(u, st, shown.subarray(0, Math.min(t, shown.length)), rngPolicy);
      if (t < shown.length) shown[t] = item;
      model.step(u, st, item, rngUser);
      pc += model.lastProbs[1] + model.lastProbs[2];
      po += model.lastProbs[2];
      n++;
    }
  }
  return { clickRate: pc / n, orderPerClick: po / pc };
}

/** Pilot sessions: owners and lengths drawn like the log's, totalling at least `impressions`. */
function drawPilot(world: World, impressions: number, rng: Rng): { users: Int32Array; lens: Int32Array; total: number } {
  const sampler = new SessionUserSampler(world);
  const us: number[] = [];
  const ls: number[] = [];
  let total = 0;
  while (total < impressions) {
    us.push(sampler.session(rng));
    const len = sampleSessionLength(world.cfg, rng);
    ls.push(len);
    total += len;
  }
  return { users: Int32Array.from(us), lens: Int32Array.from(ls), total };
}

/**
 * Two stages: a secant solve on a quarter-size pilot (cheap, at most 6 runs), then one
 * Newton step on the full-size pilot with the slopes found (removes most of the small pilot's
 * sampling error at the cost of two full runs).
 */
export function calibrateBiases(world: World): CalibrationReport {
  const cfg = world.cfg;
  const rng = new Rng(cfg.seed).fork('calibration');
  const target = [logit(cfg.targetClickRate), logit(cfg.targetOrderPerClick)];
  const resid = (r: PilotRates): number[] => [logit(r.clickRate) - target[0], logit(r.orderPerClick) - target[1]];
  const x = [cfg.clickBias, cfg.orderBias];
  const slope = [0.8, 0.8]; // d logit(rate) / d offset: < 1 because the rate averages sigmoids
  let it = 0;

  const small = drawPilot(world, Math.ceil(cfg.calibrationImpressions / 4), rng);
  const seedSmall = rng.nextU32();
  const runSmall = (): number[] => {
    it++;
    return resid(pilotRates(world, { clickBias: x[0], orderBias: x[1] }, small.users, small.lens, seedSmall));
  };
  let f = runSmall();
  let best = { x: x.slice(), err: Math.max(Math.abs(f[0]), Math.abs(f[1])) };
  // With common random numbers the pilot rate is piecewise smooth: when a sampled order flips, the
  // rest of that session changes, so orders/click can jump by ~1-2% on the small pilot. Ask for
  // 0.5% (logit) and stop after 5 steps with the best point; the step on the big pilot does the rest.
  const tol = 5e-3;
  for (let k = 0; k < 5 && best.err > tol; k++) {
    const xPrev = x.slice();
    const fPrev = f.slice();
    for (let j = 0; j < 2; j++) x[j] -= Math.max(-3, Math.min(3, f[j] / slope[j]));
    f = runSmall();
    for (let j = 0; j < 2; j++) {
      const dx = x[j] - xPrev[j];
      // Secant slopes only from real moves: tiny moves see the pilot's small jumps, not the slope.
      if (Math.abs(dx) > 0.02) slope[j] = Math.max(0.5, Math.min(1.5, (f[j] - fPrev[j]) / dx));
    }
    const err = Math.max(Math.abs(f[0]), Math.abs(f[1]));
    if (err < best.err) best = { x: x.slice(), err };
  }
  x[0] = best.x[0];
  x[1] = best.x[1];

  const big = drawPilot(world, cfg.calibrationImpressions, rng);
  const seedBig = rng.nextU32();
  it++;
  f = resid(pilotRates(world, { clickBias: x[0], orderBias: x[1] }, big.users, big.lens, seedBig));
  for (let j = 0; j < 2; j++) x[j] -= Math.max(-1, Math.min(1, f[j] / slope[j]));
  it++;
  const r = pilotRates(world, { clickBias: x[0], orderBias: x[1] }, big.users, big.lens, seedBig);
  return {
    clickBias: x[0],
    orderBias: x[1],
    pilotClickRate: r.clickRate,
    pilotOrderPerClick: r.orderPerClick,
    pilotImpressions: big.total,
    iterations: it,
  };
}
