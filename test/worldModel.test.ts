import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Feedback, validateLog } from '../lib/data/schema';
import { buildWorld, generateWorld, cloneSessionState, rolloutPolicy, SessionPolicy, TrueUserModel, UserSessionState, World } from '../lib/data/world';
import { Rng } from '../lib/util/rng';
import { UsageError } from '../lib/util/errors';

const world: World = buildWorld({ seed: 4, trainImpressions: 20_000, calibrationImpressions: 40_000 });
const model = new TrueUserModel(world);
const cat = world.items.category;
const quality = world.items.extra.quality;
const bait = world.items.extra.clickbait;
const variantOf = world.items.extra.variantOf;

/** A state with a given mission and intent and nothing shown yet. */
function fresh(user: number, mission: number, intent = 0): UserSessionState {
  const s = model.newSessionState(user, new Rng(user));
  s.mission = mission;
  s.intent = intent;
  return s;
}
const itemsOf = (k: number): number[] => Array.from(world.categoryItems.subarray(world.categoryStart[k], world.categoryStart[k + 1]));
const pOrderGivenClick = (p: Float64Array): number => p[2] / (p[1] + p[2]);

test('probabilities are a distribution; batch and candidate forms agree with probs', () => {
  const rng = new Rng(1);
  const users = Int32Array.from({ length: 64 }, () => rng.int(world.nUsers));
  const items = Int32Array.from({ length: 64 }, () => rng.int(world.nItems));
  const states = Array.from(users, (u) => model.newSessionState(u, rng));
  const out = new Float32Array(64 * 3);
  model.probsBatch(users, states, items, out);
  for (let b = 0; b < 64; b++) {
    const p = model.probs(users[b], states[b], items[b], new Float64Array(3));
    assert.ok(p.every((x) => x >= 0 && x <= 1));
    assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-12);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(out[3 * b + k] - p[k]) < 1e-6);
  }
  const many = new Float32Array(10 * 3);
  model.probsItems(users[0], states[0], items.subarray(0, 10), many);
  for (let j = 0; j < 10; j++) assert.ok(Math.abs(many[3 * j] - model.probs(users[0], states[0], items[j])[0]) < 1e-6);
});

test('fatigue: a repeat, a near-duplicate and a run of one category lower the click probability', () => {
  const u = 3;
  const k = world.prefCats[u * world.cfg.prefCategories];
  const its = itemsOf(k);
  const variant = its.find((i) => variantOf[i] >= 0)!;
  const parent = variantOf[variant];
  const s = fresh(u, (k + 1) % world.nCategories);
  const before = model.probs(u, s, variant)[1] + model.lastProbs[2];
  model.advance(u, s, parent, Feedback.Skip, new Rng(0));
  const afterParent = model.probs(u, s, variant)[1] + model.lastProbs[2];
  assert.ok(afterParent < 0.5 * before, `near-duplicate: ${afterParent} vs ${before}`);
  const s2 = fresh(u, (k + 1) % world.nCategories);
  model.advance(u, s2, variant, Feedback.Skip, new Rng(0));
  assert.ok(model.probs(u, s2, variant)[1] + model.lastProbs[2] < 0.3 * before, 'exact repeat');
  // Six other items of the same category (not related to `probe`): category fatigue alone.
  const probe = its.find((i) => variantOf[i] < 0 && i !== parent && i !== variant)!;
  const others = its.filter((i) => i !== probe && variantOf[i] !== probe && variantOf[probe] !== i).slice(0, 6);
  const s3 = fresh(u, (k + 1) % world.nCategories);
  const p0 = 1 - model.probs(u, s3, probe)[0];
  for (const i of others) model.advance(u, s3, i, Feedback.Skip, new Rng(0));
  const p6 = 1 - model.probs(u, s3, probe)[0];
  assert.ok(p6 < 0.85 * p0, `category fatigue: ${p6} vs ${p0}`);
});

test('intent builds over coherent, relevant recommendations and drives orders', () => {
  const u = 5;
  const k = world.prefCats[u * world.cfg.prefCategories];
  const good = itemsOf(k).filter((i) => !bait[i] && quality[i] > 0.6);
  assert.ok(good.length >= 12);
  const s = fresh(u, k);
  s.intent = 0;
  const probe = good[0];
  const poc0 = pOrderGivenClick(model.probs(u, s, probe));
  const rng = new Rng(3);
  // Ten coherent impressions; keep the mission fixed (no drift) by re-setting it.
  for (const i of good.slice(1, 11)) {
    model.advance(u, s, i, Feedback.Skip, rng);
    s.mission = k;
  }
  assert.ok(s.intent > 0.8, `intent after 10 coherent items: ${s.intent}`);
  const poc10 = pOrderGivenClick(model.probs(u, s, probe));
  assert.ok(poc10 > 3 * poc0, `P(order|click): ${poc10} after vs ${poc0} before`);
  // Off-mission impressions let it decay.
  const other = itemsOf((k + 7) % world.nCategories).filter((i) => cat[i] !== k).slice(0, 10);
  const high = s.intent;
  for (const i of other) {
    model.advance(u, s, i, Feedback.Skip, rng);
    s.mission = k;
  }
  assert.ok(s.intent < 0.2 * high);
  // An order meets the need: intent drops.
  s.intent = 2;
  model.advance(u, s, good[12 % good.length], Feedback.Order, rng);
  assert.ok(s.intent < 1);
  assert.equal(s.orders, 1);
  assert.equal(s.clicks, 1);
});

test('click-bait: more clicks, far fewer orders per click (same user, fresh state)', () => {
  let cb = 0, cn = 0, ob = 0, on = 0, nb = 0, nn = 0;
  for (let u = 0; u < 40; u++) {
    const s = fresh(u, world.prefCats[u * world.cfg.prefCategories], 0.5);
    for (let i = 0; i < world.nItems; i += 7) {
      const p = model.probs(u, s, i);
      if (bait[i]) { cb += p[1] + p[2]; ob += pOrderGivenClick(p); nb++; }
      else { cn += p[1] + p[2]; on += pOrderGivenClick(p); nn++; }
    }
  }
  assert.ok(cb / nb > 1.5 * (cn / nn), `click: bait ${cb / nb} vs ${cn / nn}`);
  assert.ok(ob / nb < 0.3 * (on / nn), `order|click: bait ${ob / nb} vs ${on / nn}`);
});

test('state is plain JSON: a round-tripped state continues identically; bad input is a UsageError', () => {
  const u = 9;
  const rng = new Rng(21);
  const s = model.newSessionState(u, rng);
  for (let t = 0; t < 15; t++) model.step(u, s, rng.int(world.nItems), rng);
  const copy = JSON.parse(JSON.stringify(s)) as UserSessionState;
  assert.deepEqual(copy, s);
  const c2 = cloneSessionState(s);
  const r1 = Rng.fromState(rng.getState());
  const r2 = Rng.fromState(rng.getState());
  const r3 = Rng.fromState(rng.getState());
  const fb1: number[] = [], fb2: number[] = [], fb3: number[] = [];
  for (let t = 0; t < 30; t++) {
    fb1.push(model.step(u, s, (t * 37) % world.nItems, r1));
    fb2.push(model.step(u, copy, (t * 37) % world.nItems, r2));
    fb3.push(model.step(u, c2, (t * 37) % world.nItems, r3));
  }
  assert.deepEqual(fb1, fb2);
  assert.deepEqual(fb1, fb3);
  assert.deepEqual(s, copy);
  assert.throws(() => model.probs(u, s, world.nItems), UsageError);
  assert.throws(() => model.probs(u, s, -1), UsageError);
  assert.throws(() => model.probs(u + 1, s, 0), /belongs to user/);
  assert.throws(() => model.newSessionState(world.nUsers, rng), UsageError);
  assert.throws(() => rolloutPolicy(world, { choose: () => 0 }, [0], 0, rng), UsageError);
});

test('chasing clicks gets fewer orders and less total reward than building intent', () => {
  const p = new Float64Array(3);
  const d = world.dim;
  const cos = (u: number, i: number): number => {
    let c = 0;
    for (let j = 0; j < d; j++) c += world.userVec[u * d + j] * world.itemVec[i * d + j];
    return c;
  };
  // Oracle policies over 200 random candidates plus the mission's category (they see the hidden state).
  const oracle = (score: (u: number, s: UserSessionState, i: number) => number): SessionPolicy => ({
    choose(u, s, _shown, rng) {
      let best = 0;
      let bs = -Infinity;
      const consider = (i: number): void => {
        const v = score(u, s, i);
        if (v > bs) { bs = v; best = i; }
      };
      for (let j = 0; j < 200; j++) consider(rng.int(world.nItems));
      for (const i of itemsOf(s.mission)) consider(i);
      return best;
    },
  });
  const clickChaser = oracle((u, s, i) => { model.probs(u, s, i, p); return p[1] + p[2]; });
  const intentBuilder = oracle((u, s, i) => {
    model.probs(u, s, i, p);
    const match = cat[i] === s.mission ? quality[i] * Math.min(1, Math.max(0, 0.5 + cos(u, i))) : 0;
    return p[1] + 5 * p[2] + 0.3 * match;
  });
  const users = Int32Array.from({ length: 40 }, (_, j) => (j * 13) % world.nUsers);
  const a = rolloutPolicy(world, clickChaser, users, 50, new Rng(1));
  const b = rolloutPolicy(world, intentBuilder, users, 50, new Rng(1));
  assert.ok(a.expMeanClicks > b.expMeanClicks, `clicks: chaser ${a.expMeanClicks}, builder ${b.expMeanClicks}`);
  assert.ok(b.expMeanOrders > 3 * a.expMeanOrders, `orders: builder ${b.expMeanOrders}, chaser ${a.expMeanOrders}`);
  assert.ok(b.expMeanReward > 1.2 * a.expMeanReward, `reward: builder ${b.expMeanReward}, chaser ${a.expMeanReward}`);
});

test('a tiny catalog with empty categories still generates (the logging policy falls back to the whole catalog)', () => {
  // 50 items over 50 Zipf-weighted categories leaves some categories empty.
  const { world, log } = generateWorld({ nItems: 50, nCategories: 50, trainImpressions: 3000, seed: 1 });
  validateLog(log);
  const empty = Array.from({ length: 50 }, (_, k) => world.categoryStart[k + 1] - world.categoryStart[k]).filter((n) => n === 0).length;
  assert.ok(empty > 0, 'the case under test needs at least one empty category');
  for (let r = 0; r < log.item.length; r++) assert.ok(log.item[r] >= 0 && log.item[r] < 50);
});
