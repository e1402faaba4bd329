import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { UsageError } from '../lib/util/errors';
import { RecEnv } from '../lib/sim/recEnv';
import type { UserBackend } from '../lib/sim/userBackend';
import type { AgentState, Policy } from '../lib/agents/policy';
import type { SessionBatch } from '../lib/agents/mapping/itemIndex';
import { onlineTest, type OnlineResult } from '../lib/eval/onlineTest';
import * as tf from '@tensorflow/tfjs';
import { evaluate } from '../lib/eval/evaluate';
import { RandomPolicy } from '../lib/agents/randomPolicy';
import { createAgent } from '../lib/agents/factory';
import { ItemRateBackend } from '../lib/sim/itemRateBackend';
import { FrequencyBaseline } from '../lib/sim/frequencyBaseline';
import { tinyDataset } from './simFixture';

const ds = tinyDataset({ N: 5, nItems: 80 });
const nItems = ds.items.n;

/** A state-free backend: item k clicks with pc[k], orders with po[k], skips otherwise. */
function rateBackend(pc: number[], po: number[]): UserBackend {
  return {
    name: 'hand-rates',
    reset() {},
    probs: (_o, items) => {
      const p = new Float32Array(items.length * 3);
      for (let b = 0; b < items.length; b++) {
        const k = items[b];
        p.set([1 - pc[k] - po[k], pc[k], po[k]], b * 3);
      }
      return p;
    },
    observe() {},
  };
}

/** Pick, per session, the remaining pool item with the best key (ties: lower id), and remove it. */
function keyPolicy(name: string, key: (item: number) => number): Policy {
  return {
    name,
    select(_s: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>): Int32Array {
      const out = new Int32Array(cands.size);
      for (let b = 0; b < cands.size; b++) {
        let best = -1, bk = -Infinity;
        for (let j = 0; j < pools[b].length; j++) {
          const it = pools[b][j];
          if (!cands.has(b, it)) continue;
          const k = key(it);
          if (k > bk || (k === bk && it < best)) {
            bk = k;
            best = it;
          }
        }
        cands.remove(b, best);
        out[b] = best;
      }
      return out;
    },
  };
}

function randomPolicy(seed: number): Policy {
  const rng = new Rng(seed);
  return {
    name: 'random',
    select(_s, cands, pools) {
      const out = new Int32Array(cands.size);
      for (let b = 0; b < cands.size; b++) {
        let it: number;
        do it = pools[b][rng.int(pools[b].length)];
        while (!cands.has(b, it));
        cands.remove(b, it);
        out[b] = it;
      }
      return out;
    },
  };
}

const strip = (r: OnlineResult): unknown => ({ ...r, seconds: 0 });

test('online: mean reward, clicks and orders match the analytic expectation of a deterministic policy', () => {
  // Whole-catalogue pools (poolSize = nItems): the lowest-id policy shows items 0..T-1 in order.
  const pc = Array.from({ length: nItems }, (_, k) => 0.1 + 0.05 * (k % 5));
  const po = Array.from({ length: nItems }, (_, k) => 0.02 * (k % 3));
  const T = 10, S = 2000;
  const env = new RecEnv(ds, rateBackend(pc, po), { batchSize: 50, T, poolSize: nItems, seed: 11 });
  const res = onlineTest(keyPolicy('lowest-id', (it) => -it), env, { sessions: S, verifySync: true });
  let eR = 0, vR = 0, eC = 0, eO = 0, eCO = 0;
  for (let k = 0; k < T; k++) {
    const m = pc[k] + 5 * po[k];
    eR += m;
    vR += pc[k] + 25 * po[k] - m * m; // independent steps: variances add
    eC += pc[k] + po[k];
    eCO += pc[k];
    eO += po[k];
  }
  const se = Math.sqrt(vR / S);
  assert.ok(Math.abs(res.reward.mean - eR) < 4 * se, `reward ${res.reward.mean} vs ${eR} (se ${se})`);
  assert.ok(Math.abs(res.reward.std - Math.sqrt(vR)) < 0.1 * Math.sqrt(vR), `std ${res.reward.std} vs ${Math.sqrt(vR)}`);
  assert.ok(res.reward.ci95.lo < res.reward.mean && res.reward.mean < res.reward.ci95.hi);
  assert.ok(Math.abs(res.reward.ci95.halfWidth - 1.96 * res.reward.std / Math.sqrt(S)) < 1e-9);
  // counts are sums of independent Bernoullis: var = sum q(1-q)
  const seOf = (q: (k: number) => number): number => Math.sqrt(Array.from({ length: T }, (_, k) => q(k) * (1 - q(k))).reduce((a, b) => a + b) / S);
  const seC = seOf((k) => pc[k] + po[k]), seCO = seOf((k) => pc[k]), seO = seOf((k) => po[k]);
  assert.ok(Math.abs(res.clicks.mean - eC) < 4 * seC, `clicks ${res.clicks.mean} vs ${eC} (se ${seC})`);
  assert.ok(Math.abs(res.clicksOnly.mean - eCO) < 4 * seCO, `clicksOnly ${res.clicksOnly.mean} vs ${eCO} (se ${seCO})`);
  assert.ok(Math.abs(res.orders.mean - eO) < 4 * seO, `orders ${res.orders.mean} vs ${eO} (se ${seO})`);
  // clicks count orders too: per session, clicks = clicksOnly + orders and reward = clicksOnly + 5 orders
  for (let s = 0; s < S; s++) {
    assert.equal(res.perSession.clicks[s], res.perSession.clicksOnly[s] + res.perSession.orders[s]);
    assert.equal(res.perSession.reward[s], res.perSession.clicksOnly[s] + 5 * res.perSession.orders[s]);
  }
  assert.equal(res.byStep.reward.length, T);
  for (let t = 0; t < T; t++) {
    const m = pc[t] + 5 * po[t];
    const sd = Math.sqrt((pc[t] + 25 * po[t] - m * m) / S);
    assert.ok(Math.abs(res.byStep.reward[t] - m) < 4.5 * sd, `step ${t}: ${res.byStep.reward[t]} vs ${m}`);
  }
  assert.equal(res.perSession.reward.length, S);
  assert.equal(res.sessions, S);
  assert.equal(res.T, T);
  assert.equal(res.backend, 'hand-rates');
  JSON.parse(JSON.stringify(res)); // JSON-able
});

test('online: an oracle beats random on the same users, starts and pools; results are deterministic', () => {
  const pc = Array.from({ length: nItems }, (_, k) => 0.6 * (k / (nItems - 1)));
  const po = Array.from({ length: nItems }, (_, k) => (k % 4 === 0 ? 0.05 : 0));
  const value = (it: number): number => pc[it] + 5 * po[it];
  const env = new RecEnv(ds, rateBackend(pc, po), { batchSize: 16, T: 10, poolSize: 40, seed: 3 });
  const S = 200;
  const oracle = onlineTest(keyPolicy('oracle', value), env, { sessions: S, verifySync: true });
  const rnd = onlineTest(randomPolicy(1), env, { sessions: S, verifySync: true });
  assert.deepEqual(oracle.perSession.user, rnd.perSession.user, 'paired: same users');
  assert.deepEqual(oracle.perSession.startSession, rnd.perSession.startSession, 'paired: same session starts');
  assert.ok(oracle.reward.ci95.lo > rnd.reward.ci95.hi, `oracle ${oracle.reward.mean} vs random ${rnd.reward.mean}`);
  assert.ok(oracle.clicks.mean > rnd.clicks.mean);
  // the same template twice: identical (every call starts a fresh env from the seed)
  assert.deepEqual(strip(onlineTest(keyPolicy('oracle', value), env, { sessions: S })), strip(oracle));
  // another env seed: other feedback draws
  const env2 = new RecEnv(ds, rateBackend(pc, po), { batchSize: 16, T: 10, poolSize: 40, seed: 4 });
  assert.notDeepEqual(onlineTest(keyPolicy('oracle', value), env2, { sessions: S }).perSession.reward, oracle.perSession.reward);
  // explicit users are used as given
  const users = Int32Array.from(oracle.perSession.user.slice(0, 20).reverse());
  const r2 = onlineTest(keyPolicy('oracle', value), env, { sessions: 20, users });
  assert.deepEqual(r2.perSession.user, Array.from(users));
});

test('online: common random numbers: with item-independent probabilities, any two policies get identical feedback', () => {
  const env = new RecEnv(ds, rateBackend(new Array(nItems).fill(0.3), new Array(nItems).fill(0.1)), { batchSize: 8, T: 12, poolSize: 30, seed: 5 });
  const a = onlineTest(keyPolicy('lowest', (it) => -it), env, { sessions: 20 });
  const b = onlineTest(randomPolicy(4), env, { sessions: 20 });
  assert.deepEqual(b.perSession, a.perSession);
  assert.ok(a.reward.std > 0);
});

test('online: with deterministic feedback, per-session results do not depend on batch size or padding', () => {
  // P(click) in {0, 1}: the feedback is a function of the item, so batching cannot change it.
  const pc = Array.from({ length: nItems }, (_, k) => (k % 3 === 0 ? 1 : 0));
  const po = Array.from({ length: nItems }, () => 0);
  const value = (it: number): number => ((it * 7919) % 13) + pc[it];
  const run = (B: number): OnlineResult =>
    onlineTest(keyPolicy('fixed', value), new RecEnv(ds, rateBackend(pc, po), { batchSize: B, T: 8, poolSize: 30, seed: 9 }), {
      sessions: 10,
      verifySync: true,
    });
  const a = run(4); // 3 batches, the last padded with 2 repeated users
  const b = run(10);
  const c = run(16); // one batch, 6 padding slots
  for (const r of [b, c]) {
    assert.deepEqual(r.perSession, a.perSession);
    assert.deepEqual(r.byStep, a.byStep);
  }
  assert.ok(a.clicks.mean > 0 && a.clicks.mean < 8);
});

test('online: a misbehaving policy is a UsageError naming the policy, session and item', () => {
  const env = new RecEnv(ds, rateBackend(new Array(nItems).fill(0.1), new Array(nItems).fill(0)), { batchSize: 4, T: 5, poolSize: 20, seed: 0 });
  // repeats its first item at step 1 (the SessionBatch no longer has it, so it cannot remove it)
  let first = new Int32Array(0);
  const repeater: Policy = {
    name: 'repeater',
    select(s, cands, pools) {
      if (s.t === 0) {
        first = keyPolicy('x', (it) => -it).select(s, cands, pools, false);
        return first;
      }
      return first.slice();
    },
  };
  assert.throws(() => onlineTest(repeater, env, { sessions: 4 }), (e: Error) =>
    e instanceof UsageError && /policy 'repeater', step 1, session 0 \(user \d+.*item \d+ was already recommended at step 0/.test(e.message));
  // picks an item outside the pool
  const outside: Policy = {
    name: 'outsider',
    select(_s, cands, pools) {
      const inPool = new Set(Array.from(pools[2]));
      let it = 0;
      while (inPool.has(it)) it++;
      const out = keyPolicy('x', (i) => -i).select(_s, cands, pools, false);
      out[2] = it;
      return out;
    },
  };
  assert.throws(() => onlineTest(outside, env, { sessions: 4 }), (e: Error) =>
    e instanceof UsageError && /policy 'outsider', step 0, session 2 .*item \d+ is not in the session's candidate set/.test(e.message));
  // wrong length
  const short: Policy = { name: 'short', select: () => new Int32Array(1) };
  assert.throws(() => onlineTest(short, env, { sessions: 4 }), (e: Error) => e instanceof UsageError && /'short'.*returned 1 items for 4 sessions/.test(e.message));
  // picks a valid item but does not remove it from the SessionBatch
  const keeper: Policy = { name: 'keeper', select: (_s, _c, pools) => Int32Array.from(pools, (p) => p[0]) };
  assert.throws(() => onlineTest(keeper, env, { sessions: 4 }), (e: Error) => e instanceof UsageError && /'keeper'.*not removed from the SessionBatch/.test(e.message));
  // removes two items for one pick
  const greedy: Policy = {
    name: 'greedy',
    select(s, cands, pools) {
      const out = keyPolicy('x', (it) => -it).select(s, cands, pools, false);
      for (let b = 0; b < cands.size; b++) for (const it of Array.from(pools[b])) if (cands.remove(b, it)) break;
      return out;
    },
  };
  assert.throws(() => onlineTest(greedy, env, { sessions: 4 }), (e: Error) => e instanceof UsageError && /'greedy'.*removed 2 candidates/.test(e.message));
  assert.throws(() => onlineTest(keyPolicy('x', (it) => -it), env, { sessions: 0 }), UsageError);
  assert.throws(() => onlineTest(keyPolicy('x', (it) => -it), env, { sessions: 3, users: Int32Array.from([0, 1]) }), /2 users for 3 sessions/);
});

test('evaluate: online short/long + offline for real agents (untrained), JSON-able, paired, no tensor leak', async () => {
  const backend = new ItemRateBackend(new FrequencyBaseline(ds.train.log));
  const cfg = { seed: 2, onlineSessions: 12, batchSize: 8, shortT: 5, longT: 12, poolSize: 30, offlineMaxSessions: 20 };
  const small = { E: 8, N: 5, H: 8 };
  const policies: Policy[] = [
    new RandomPolicy(new Rng(1)),
    createAgent('hrl-mg', ds.embeddings, { ...small, c: 4 }, new Rng(2)),
    createAgent('dnn', ds.embeddings, small, new Rng(3)),
  ];
  const recs = [];
  for (const p of policies) {
    const before = tf.memory().numTensors;
    recs.push(await evaluate(p, ds, backend, cfg, { verifySync: true }));
    assert.equal(tf.memory().numTensors, before, `${p.name}: tensors leaked`);
  }
  for (const r of recs) {
    const j = JSON.parse(JSON.stringify(r));
    assert.equal(j.online.short.T, 5);
    assert.equal(j.online.long.T, 12);
    assert.equal(j.online.short.perSession.reward.length, 12);
    assert.equal(j.offline.counts.evaluated, 20);
    assert.equal(j.seed, 2);
    assert.ok(typeof j.meta.backend.backend === 'string' && j.meta.versions['@tensorflow/tfjs']);
    assert.deepEqual(r.online?.long.perSession.user, recs[0].online?.long.perSession.user);
    assert.deepEqual(r.offline?.perSession.session, recs[0].offline?.perSession.session);
    assert.deepEqual(r.offline?.metrics.logged, recs[0].offline?.metrics.logged);
  }
  assert.deepEqual(recs.map((r) => r.policy), ['random', 'hrl-mg', 'dnn']);
});
