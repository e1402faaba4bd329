import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { ConfigError, UsageError } from '../lib/util/errors';
import { Feedback } from '../lib/data/schema';
import { RecEnv } from '../lib/sim/recEnv';
import { FrequencyBaseline } from '../lib/sim/frequencyBaseline';
import { ItemRateBackend } from '../lib/sim/itemRateBackend';
import type { Observation, UserBackend } from '../lib/sim/userBackend';
import { tinyDataset } from './simFixture';

const N = 5;
const ds = tinyDataset({ N, noTestUsers: [3] });
const backend = (): ItemRateBackend => new ItemRateBackend(new FrequencyBaseline(ds.train.log));

/** A random valid policy: a uniformly drawn remaining pool item per session. */
function randomPolicy(obs: Observation, B: number, P: number, rng: Rng): Int32Array {
  const a = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let j: number;
    do j = rng.int(P);
    while (!obs.remaining[b * P + j]);
    a[b] = obs.pool[b * P + j];
  }
  return a;
}

function run(seed: number, users: Int32Array, B: number, T: number, P: number) {
  const env = new RecEnv(ds, backend(), { batchSize: B, T, poolSize: P, seed });
  let obs = env.reset(users);
  const rng = new Rng(seed + 100);
  const fb: number[] = [];
  const acts: number[] = [];
  for (let t = 0; t < T; t++) {
    const a = randomPolicy(obs, B, P, rng);
    const r = env.step(a);
    fb.push(...r.feedback);
    acts.push(...a);
    obs = r.obs;
  }
  return { fb, acts };
}

test('reset: initial state = the dataset state at the user\'s first test session; shapes', () => {
  const env = new RecEnv(ds, backend(), { batchSize: 4, T: 10, poolSize: 30, seed: 1 });
  const users = Int32Array.from([0, 5, 7, 5]);
  const obs = env.reset(users);
  assert.equal(obs.t, 0);
  assert.equal(obs.browsed.length, 4 * N);
  assert.equal(obs.clicked.length, 4 * N);
  assert.equal(obs.ordered.length, 4 * N);
  assert.equal(obs.pool.length, 4 * 30);
  assert.equal(obs.remaining.length, 4 * 30);
  assert.ok(obs.remaining.every((x) => x === 1));
  const log = ds.test.log;
  for (let b = 0; b < 4; b++) {
    const s = env.startSessions[b];
    assert.equal(log.sessionUser[s], users[b]);
    assert.ok(s === 0 || log.sessionUser[s - 1] !== users[b], 'first session of the user');
    const r = log.sessionStart[s];
    assert.deepEqual([...obs.browsed.slice(b * N, b * N + N)], [...ds.test.browsed.slice(r * N, r * N + N)]);
    assert.deepEqual([...obs.clicked.slice(b * N, b * N + N)], [...ds.test.clicked.slice(r * N, r * N + N)]);
  }
  // the same user gets the same start state and pool (pool is built from the state; the popularity fill is deterministic)
  assert.deepEqual([...obs.pool.slice(30, 60)], [...obs.pool.slice(90, 120)]);
  // test-day starts include the train day's history
  assert.ok(obs.browsed.slice(0, N).some((x) => x > 0));
});

test('step: histories advance, rewards follow feedback, shown items leave the pool, done after T', () => {
  const B = 3, T = 6, P = 20;
  const env = new RecEnv(ds, backend(), { batchSize: B, T, poolSize: P, seed: 2, rewards: { skip: -0.5, click: 2, order: 7 } });
  let obs = env.reset(Int32Array.from([1, 2, 4]));
  const rng = new Rng(9);
  for (let t = 0; t < T; t++) {
    const a = randomPolicy(obs, B, P, rng);
    const r = env.step(a);
    assert.equal(r.feedback.length, B);
    assert.equal(r.reward.length, B);
    assert.equal(r.probs.length, B * 3);
    assert.equal(r.obs.t, t + 1);
    assert.equal(r.done, t === T - 1);
    for (let b = 0; b < B; b++) {
      const f = r.feedback[b];
      assert.equal(r.reward[b], [-0.5, 2, 7][f]);
      // browsed: shifted left, new item last
      assert.deepEqual([...r.obs.browsed.slice(b * N, b * N + N)], [...obs.browsed.slice(b * N + 1, b * N + N), a[b] + 1]);
      const cl = [...r.obs.clicked.slice(b * N, b * N + N)];
      if (f === Feedback.Skip) assert.deepEqual(cl, [...obs.clicked.slice(b * N, b * N + N)]);
      else assert.equal(cl[N - 1], a[b] + 1);
      const od = [...r.obs.ordered.slice(b * N, b * N + N)];
      if (f === Feedback.Order) assert.equal(od[N - 1], a[b] + 1);
      else assert.deepEqual(od, [...obs.ordered.slice(b * N, b * N + N)]);
      const j = [...r.obs.pool.slice(b * P, b * P + P)].indexOf(a[b]);
      assert.equal(r.obs.remaining[b * P + j], 0);
      assert.equal(obs.remaining[b * P + j], 1, 'the previous observation is not mutated');
    }
    let removed = 0;
    for (const x of r.obs.remaining) removed += 1 - x;
    assert.equal(removed, B * (t + 1));
    obs = r.obs;
  }
  assert.throws(() => env.step(randomPolicy(obs, B, P, rng)), (e: Error) => e instanceof UsageError && /done/.test(e.message));
});

test('determinism: same seed and actions give identical feedback; another seed differs', () => {
  const users = Int32Array.from([0, 1, 2, 4, 5, 6, 7, 8]);
  const a = run(5, users, 8, 12, 25);
  const b = run(5, users, 8, 12, 25);
  assert.deepEqual(a.acts, b.acts);
  assert.deepEqual(a.fb, b.fb);
  const c = run(6, users, 8, 12, 25);
  assert.notDeepEqual(a.fb.concat(a.acts), c.fb.concat(c.acts));
});

test('feedback is sampled from the backend probabilities', () => {
  // constant backend: P = (0.5, 0.3, 0.2)
  const fixed: UserBackend = {
    name: 'fixed',
    reset() {},
    probs: (_o, items) => {
      const p = new Float32Array(items.length * 3);
      for (let b = 0; b < items.length; b++) p.set([0.5, 0.3, 0.2], b * 3);
      return p;
    },
    observe() {},
  };
  const B = 20, T = 40, P = 60;
  const env = new RecEnv(ds, fixed, { batchSize: B, T, poolSize: P, seed: 3 });
  const users = env.sampleUsers(B);
  let obs = env.reset(users);
  const rng = new Rng(1);
  const cnt = [0, 0, 0];
  for (let t = 0; t < T; t++) {
    const r = env.step(randomPolicy(obs, B, P, rng));
    for (const f of r.feedback) cnt[f]++;
    obs = r.obs;
  }
  const n = B * T; // 800: binomial sd of a share <= 0.018
  assert.ok(Math.abs(cnt[0] / n - 0.5) < 0.06, `skip share ${cnt[0] / n}`);
  assert.ok(Math.abs(cnt[1] / n - 0.3) < 0.06, `click share ${cnt[1] / n}`);
  assert.ok(Math.abs(cnt[2] / n - 0.2) < 0.06, `order share ${cnt[2] / n}`);
});

test('bad input: unknown user, item outside the pool, repeated item, wrong batch size', () => {
  const B = 2, P = 20;
  const env = new RecEnv(ds, backend(), { batchSize: B, T: 5, poolSize: P, seed: 0 });
  assert.throws(() => env.step(Int32Array.from([0, 1])), UsageError); // before reset
  assert.throws(() => env.reset(Int32Array.from([3, 1])), (e: Error) => e instanceof UsageError && /user 3 .*no session in the test split/.test(e.message));
  assert.throws(() => env.reset(Int32Array.from([999, 1])), (e: Error) => e instanceof UsageError && /users\[0\] = 999/.test(e.message));
  assert.throws(() => env.reset(Int32Array.from([1])), (e: Error) => e instanceof UsageError && /batchSize is 2/.test(e.message));
  const obs = env.reset(Int32Array.from([0, 1]));
  const inPool = new Set(obs.pool.slice(P, 2 * P));
  let outside = 0;
  while (inPool.has(outside)) outside++;
  assert.throws(
    () => env.step(Int32Array.from([obs.pool[0], outside])),
    (e: Error) => e instanceof UsageError && new RegExp(`session 1 .*item ${outside} is not in the session's candidate pool`).test(e.message),
  );
  assert.equal(env.observation.t, 0, 'a rejected step changes nothing');
  assert.throws(() => env.step(Int32Array.from([obs.pool[0]])), (e: Error) => e instanceof UsageError && /got 1 items/.test(e.message));
  env.step(Int32Array.from([obs.pool[0], obs.pool[P]]));
  assert.throws(
    () => env.step(Int32Array.from([obs.pool[1], obs.pool[P]])),
    (e: Error) => e instanceof UsageError && new RegExp(`session 1 .*item ${obs.pool[P]} was already shown at step 0`).test(e.message),
  );
  // config validation
  assert.throws(() => new RecEnv(ds, backend(), { T: 50, poolSize: 20 }), ConfigError);
  assert.throws(() => new RecEnv(ds, backend(), { poolSize: ds.items.n + 1, T: 5 }), ConfigError);
  assert.throws(() => new RecEnv(ds, backend(), { rewards: { skip: 0, click: 1 } }), ConfigError);
  assert.throws(() => new RecEnv(ds, backend(), { batchSize: 0 }), ConfigError);
  assert.throws(() => new RecEnv(ds, backend(), { bogus: 1 }), ConfigError);
});

test('train split with random starts draws among the user\'s sessions with the env seed', () => {
  const B = 6;
  const mk = () => new RecEnv(ds, backend(), { batchSize: B, T: 3, poolSize: 10, split: 'train', seed: 4 });
  const users = Int32Array.from([0, 0, 0, 0, 0, 0]);
  const e1 = mk();
  e1.reset(users);
  const e2 = mk();
  e2.reset(users);
  assert.deepEqual(e1.startSessions, e2.startSessions);
  for (const s of e1.startSessions) assert.equal(ds.train.log.sessionUser[s], 0);
  const users2 = e1.sampleUsers(10);
  assert.equal(new Set(users2).size, 10);
});
