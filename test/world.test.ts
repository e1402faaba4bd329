import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLog, Feedback, logStats, selectSessions, validateLog } from '../lib/data/schema';
import {
  generateWorld,
  LoggingPolicy,
  PAPER_CLICK_RATE,
  PAPER_ORDER_PER_CLICK,
  PAPER_TEST_FRACTION,
  resolveWorldConfig,
  rolloutPolicy,
  World,
  WORLD_DAY0_TS,
} from '../lib/data/world';
import { Rng } from '../lib/util/rng';
import { ConfigError } from '../lib/util/errors';

const TRAIN = 50_000;
const SEEDS = [1, 2, 3];
const cache = new Map<number, { world: World; log: EventLog }>();
function gen(seed: number): { world: World; log: EventLog } {
  let g = cache.get(seed);
  if (!g) cache.set(seed, (g = generateWorld({ seed, trainImpressions: TRAIN })));
  return g;
}

function day(log: EventLog, d: number): EventLog {
  const keep: number[] = [];
  for (let s = 0; s < log.nSessions; s++) if (log.sessionDay[s] === d) keep.push(s);
  return selectSessions(log, keep);
}

/**
 * The stated tolerance: within 10% relative of the target, widened to 3.5 standard errors when the
 * sample is too small for 10% to be resolvable (small logs have few orders).
 */
function near(actual: number, target: number, events: number, what: string): void {
  const tol = Math.max(0.1, 3.5 / Math.sqrt(events));
  assert.ok(Math.abs(actual / target - 1) <= tol, `${what}: ${actual.toFixed(4)} vs target ${target.toFixed(4)} (tolerance ${(tol * 100).toFixed(0)}%)`);
}

test('two days, exact sizes, valid and sorted, JD-like dates and sessions', () => {
  const { world, log } = gen(1);
  validateLog(log);
  assert.equal(log.source, 'world');
  const d0 = day(log, 0);
  const d1 = day(log, 1);
  assert.equal(d0.user.length, TRAIN);
  assert.equal(d1.user.length, Math.round(PAPER_TEST_FRACTION * TRAIN));
  assert.equal(d0.nSessions + d1.nSessions, log.nSessions);
  // Day 0 is 2018-08-11 UTC, day 1 the 12th; timestamps agree with sessionDay.
  for (let s = 0; s < log.nSessions; s++) {
    const t0 = log.ts[log.sessionStart[s]];
    const t1 = log.ts[log.sessionStart[s + 1] - 1];
    assert.equal(Math.floor((t0 - WORLD_DAY0_TS) / 86400), log.sessionDay[s]);
    assert.equal(Math.floor((t1 - WORLD_DAY0_TS) / 86400), log.sessionDay[s]);
  }
  // Every user has a training session; several sessions per user; lengths in range.
  const trainSessions = new Int32Array(world.nUsers);
  for (let s = 0; s < log.nSessions; s++) if (log.sessionDay[s] === 0) trainSessions[log.sessionUser[s]]++;
  assert.ok(trainSessions.every((c) => c >= 1));
  const perUser = d0.nSessions / world.nUsers;
  assert.ok(perUser > 2.5 && perUser < 3.5, `sessions per user ${perUser}`);
  const cfg = world.cfg;
  let multi = 0;
  for (let s = 0; s < log.nSessions; s++) {
    const len = log.sessionStart[s + 1] - log.sessionStart[s];
    assert.ok(len >= cfg.sessionLenMin && len < cfg.sessionLenMax + cfg.sessionLenMin, `session ${s} length ${len}`);
    if (s > 0 && log.sessionUser[s] === log.sessionUser[s - 1]) {
      multi++;
      // A user's sessions never overlap.
      assert.ok(log.ts[log.sessionStart[s]] >= log.ts[log.sessionStart[s] - 1]);
    }
  }
  assert.ok(multi > log.nSessions / 2);
  // Item table carries the world's attributes.
  for (const k of ['quality', 'clickbait', 'popularity', 'priceZ']) assert.equal(log.items.extra[k].length, cfg.nItems);
  assert.equal(log.items.nCategories, 50);
  assert.equal(log.items.n, 5000);
});

test('funnel matches the paper (click rate 9.8%, orders/click 5.5%) on both days for 3 seeds', () => {
  let pooled = { rows: 0, clicks: 0, orders: 0 };
  for (const seed of SEEDS) {
    const { world, log } = gen(seed);
    validateLog(log);
    // The calibration pilot lands on the targets (Rao-Blackwellised, 200k impressions; the last Newton step leaves <3%).
    const cal = world.calibration!;
    assert.ok(Math.abs(cal.pilotClickRate / PAPER_CLICK_RATE - 1) < 0.03, `pilot click rate ${cal.pilotClickRate}`);
    assert.ok(Math.abs(cal.pilotOrderPerClick / PAPER_ORDER_PER_CLICK - 1) < 0.03, `pilot orders/click ${cal.pilotOrderPerClick}`);
    for (const d of [0, 1]) {
      const st = logStats(day(log, d));
      near(st.clickRate, PAPER_CLICK_RATE, st.clicks, `seed ${seed} day ${d} click rate`);
      near(st.orderPerClick, PAPER_ORDER_PER_CLICK, st.orders, `seed ${seed} day ${d} orders/click`);
      pooled = { rows: pooled.rows + st.rows, clicks: pooled.clicks + st.clicks, orders: pooled.orders + st.orders };
    }
  }
  // Pooled over seeds and days (~190k impressions, ~1000 orders): within 10%.
  assert.ok(Math.abs(pooled.clicks / pooled.rows / PAPER_CLICK_RATE - 1) < 0.05);
  assert.ok(Math.abs(pooled.orders / pooled.clicks / PAPER_ORDER_PER_CLICK - 1) < 0.1, `pooled orders/click ${pooled.orders / pooled.clicks}`);
});

test('click-bait draws clicks but rarely converts', () => {
  const { log } = gen(1);
  const bait = log.items.extra.clickbait;
  const n = [0, 0, 0, 0]; // impressions, clicks, orders (non-bait) ...
  const b = [0, 0, 0];
  for (let r = 0; r < log.item.length; r++) {
    const a = bait[log.item[r]] ? b : n;
    a[0]++;
    if (log.feedback[r] !== Feedback.Skip) a[1]++;
    if (log.feedback[r] === Feedback.Order) a[2]++;
  }
  const ctrB = b[1] / b[0];
  const ctrN = n[1] / n[0];
  assert.ok(b[0] > 0.05 * log.item.length, 'click-bait is shown');
  assert.ok(ctrB > 1.6 * ctrN, `click-bait CTR ${ctrB} vs ${ctrN}`);
  assert.ok(b[2] / b[1] < 0.4 * (n[2] / n[1]), `click-bait conversion ${b[2] / b[1]} vs ${n[2] / n[1]}`);
});

test('orders build up in coherent runs; clicks and orders concentrate in preferred categories', () => {
  const { world, log } = gen(1);
  const cat = log.items.category;
  const runOne = [0, 0];
  const runLong = [0, 0];
  for (let s = 0; s < log.nSessions; s++) {
    let run = 0;
    for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++) {
      run = r > log.sessionStart[s] && cat[log.item[r]] === cat[log.item[r - 1]] ? run + 1 : 1;
      const a = run === 1 ? runOne : run >= 4 ? runLong : null;
      if (!a) continue;
      a[0]++;
      if (log.feedback[r] === Feedback.Order) a[1]++;
    }
  }
  assert.ok(runLong[0] > 3000, `long runs exist (${runLong[0]} rows)`);
  const early = runOne[1] / runOne[0];
  const late = runLong[1] / runLong[0];
  assert.ok(late > 1.5 * early, `orders/impression in runs >= 4: ${late}, in runs of 1: ${early}`);

  const K = world.cfg.prefCategories;
  let imp = 0, impP = 0, clk = 0, clkP = 0, ord = 0, ordP = 0;
  for (let r = 0; r < log.item.length; r++) {
    const u = log.user[r];
    const c = cat[log.item[r]];
    let pref = false;
    for (let j = 0; j < K; j++) if (world.prefCats[u * K + j] === c) pref = true;
    imp++;
    if (pref) impP++;
    if (log.feedback[r] !== Feedback.Skip) {
      clk++;
      if (pref) clkP++;
    }
    if (log.feedback[r] === Feedback.Order) {
      ord++;
      if (pref) ordP++;
    }
  }
  assert.ok(clkP / clk > impP / imp + 0.08, `preferred share: clicks ${clkP / clk}, impressions ${impP / imp}`);
  assert.ok(ordP / ord > clkP / clk + 0.1, `preferred share: orders ${ordP / ord}, clicks ${clkP / clk}`);
});

test('same seed gives identical bytes; another seed differs', () => {
  const a = gen(1);
  const b = generateWorld({ seed: 1, trainImpressions: TRAIN });
  const c = gen(2);
  const bytes = (x: ArrayBufferView): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  for (const k of ['user', 'session', 'item', 'feedback', 'ts', 'sessionStart', 'sessionUser', 'sessionDay'] as const) {
    assert.ok(bytes(a.log[k]).equals(bytes(b.log[k])), `column ${k} differs between runs`);
  }
  for (const k of ['itemVec', 'userVec', 'categoryVec', 'prefCats', 'prefWeights', 'priceSens'] as const) {
    assert.ok(bytes(a.world[k]).equals(bytes(b.world[k])), `world.${k} differs between runs`);
  }
  assert.ok(bytes(a.log.items.price).equals(bytes(b.log.items.price)));
  assert.deepEqual(a.world.bias, b.world.bias);
  assert.ok(!bytes(a.log.item).equals(bytes(c.log.item.subarray(0, a.log.item.length))));
  assert.ok(!bytes(a.world.itemVec).equals(bytes(c.world.itemVec)));
});

test('rolling the true model under the logging policy reproduces the log', () => {
  const { world, log } = gen(1);
  const d0 = day(log, 0);
  const st = logStats(d0);
  const r = rolloutPolicy(world, new LoggingPolicy(world), d0.sessionUser, 'world', new Rng(11));
  assert.equal(r.sessions, d0.nSessions);
  const ctr = (r.expMeanClicks * r.sessions) / r.impressions;
  const opc = r.expMeanOrders / r.expMeanClicks;
  assert.ok(Math.abs(ctr / st.clickRate - 1) < 0.05, `rollout click rate ${ctr} vs log ${st.clickRate}`);
  near(opc, st.orderPerClick, st.orders, 'rollout orders/click vs log');
  // Sampled and expected agree; the reward is clicks + 4 x orders with the paper's 0/1/5.
  assert.ok(Math.abs(r.meanClicks / r.expMeanClicks - 1) < 0.05);
  assert.ok(Math.abs(r.expMeanReward - (r.expMeanClicks + 4 * r.expMeanOrders)) < 1e-9);
  // Per-session values in the log's units.
  assert.ok(Math.abs(r.impressions / r.sessions - d0.user.length / d0.nSessions) < 2);
});

test('bad configs are ConfigErrors naming the key', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ trainImpressions: -5 }, /world\.trainImpressions: must be >= 1000/],
    [{ nItems: -1 }, /world\.nItems/],
    [{ nUsers: -3 }, /world\.nUsers/],
    [{ bogus: 1 }, /world\.bogus: unknown key/],
    [{ seed: 1.5 }, /world\.seed: must be an integer/],
    [{ sessionLenMin: 50, sessionLenMax: 20 }, /world\.sessionLenMax: must be >= sessionLenMin/],
    [{ nUsers: 100_000, trainImpressions: 10_000 }, /world\.nUsers: .*exceed trainImpressions/],
    [{ nCategories: 600, nItems: 500 }, /world\.nCategories/],
    [{ fatigueDecay: 1 }, /world\.fatigueDecay/],
  ];
  for (const [o, re] of bad) {
    assert.throws(() => resolveWorldConfig(o), (e: unknown) => e instanceof ConfigError && re.test(e.message), JSON.stringify(o));
    assert.throws(() => generateWorld(o as never), ConfigError);
  }
  assert.equal(resolveWorldConfig({}).trainImpressions, 200_000);
});
