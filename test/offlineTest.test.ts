import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { ConfigError, UsageError } from '../lib/util/errors';
import { Feedback, LogBuilder, selectSessions, type EventLog, type ItemTable } from '../lib/data/schema';
import { computeHistories } from '../lib/data/prepare/histories';
import type { SimDataset } from '../lib/sim/types';
import type { AgentState, Policy } from '../lib/agents/policy';
import type { SessionBatch } from '../lib/agents/mapping/itemIndex';
import { offlineTest, sessionItems, type OfflineResult } from '../lib/eval/offlineTest';
import { tinyDataset } from './simFixture';

const { Skip: S, Click: C, Order: O } = Feedback;
const N = 3, E = 4, nItems = 12;

/**
 * Hand-made dataset. Train day: user 0 browses 10 (click), 11 (skip). Test day (log order):
 *   A  user 0: 0 skip, 1 click, 2 skip, 3 order, 4 skip              -> rels [0,1,0,5,0]
 *   D  user 0: 8 click, 9 click                                       -> rels [1,1] (trivial)
 *   B  user 1: 5 skip, 6 skip, 5 click (repeat: keeps click), 7 skip -> items [5,6,7], rels [1,0,0]
 *   Cn user 2: 0 skip, 2 skip                                         -> no positive (skipped)
 */
function handDataset(): SimDataset {
  const items: ItemTable = {
    n: nItems,
    rawId: Float64Array.from({ length: nItems }, (_, i) => 100 + i),
    category: new Int32Array(nItems),
    nCategories: 1,
    price: new Float32Array(nItems).fill(NaN),
    extra: {},
  };
  const day0 = 1_600_000_000 - (1_600_000_000 % 86400);
  const b = new LogBuilder();
  const sess = (user: number, key: number, t0: number, rows: [number, Feedback][]): void =>
    rows.forEach(([it, f], k) => b.push(user, key, it, f, t0 + 10 * k));
  sess(0, 0, day0 + 100, [[10, C], [11, S]]);
  sess(0, 1, day0 + 86400 + 100, [[0, S], [1, C], [2, S], [3, O], [4, S]]);
  sess(0, 2, day0 + 86400 + 5000, [[8, C], [9, C]]);
  sess(1, 3, day0 + 86400 + 200, [[5, S], [6, S], [5, C], [7, S]]);
  sess(2, 4, day0 + 86400 + 300, [[0, S], [2, S]]);
  const log = b.build('hand', items, 3, Float64Array.from([500, 501, 502]), day0);
  const day = (d: number): EventLog => selectSessions(log, Array.from({ length: log.nSessions }, (_, s) => s).filter((s) => log.sessionDay[s] === d));
  const train = day(0), testLog = day(1);
  const [ht, hs] = computeHistories([train, testLog], N);
  const embeddings = new Rng(5).fillNormal(new Float32Array(nItems * E));
  return { items, embeddings, train: { log: train, ...ht }, test: { log: testLog, ...hs } };
}

const ds = handDataset();
/** Logged relevance of each (item, session-owner user): items are unique per test session here except 0/2. */
function relOf(user: number, item: number): number {
  const log = ds.test.log;
  for (let s = 0; s < log.nSessions; s++) {
    if (log.sessionUser[s] !== user) continue;
    const os = sessionItems(log, s);
    const j = Array.from(os.items).indexOf(item);
    if (j >= 0) return [0, 1, 5][os.feedback[j]];
  }
  throw new Error(`no item ${item} for user ${user}`);
}

/** Picks the remaining item with the highest key(user, item) (ties: lower id) and removes it. */
function keyPolicy(name: string, key: (b: number, item: number) => number, viaMap = false): Policy {
  return {
    name,
    select(_s: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>): Int32Array {
      const out = new Int32Array(cands.size);
      const proto = new Float32Array(cands.size * E);
      for (let b = 0; b < cands.size; b++) {
        let best = -1, bk = -Infinity;
        for (const it of Array.from(pools[b])) {
          if (!cands.has(b, it)) continue;
          const k = key(b, it);
          if (k > bk || (k === bk && it < best)) {
            bk = k;
            best = it;
          }
        }
        out[b] = best;
        proto.set(ds.embeddings.subarray(best * E, (best + 1) * E), b * E);
      }
      if (viaMap) return cands.map(proto); // Algorithm 1: the item's own embedding maps back to it
      for (let b = 0; b < cands.size; b++) cands.remove(b, out[b]);
      return out;
    },
  };
}

/** Relevance-aware policies need the session owner of batch slot b: recover it from the pool. */
function ownerOf(pools: ArrayLike<number>): number {
  const first = pools[0];
  return first === 5 ? 1 : 0; // A and D belong to user 0, B (starts with 5) to user 1
}
function relPolicy(name: string, sign: 1 | -1, viaMap = false): Policy {
  let pools: ReadonlyArray<ArrayLike<number>> = [];
  const inner = keyPolicy(name, (b, it) => sign * relOf(ownerOf(pools[b]), it), viaMap);
  return {
    name,
    select(s, cands, p, explore) {
      pools = p;
      return inner.select(s, cands, p, explore);
    },
  };
}

const approx = (a: number, b: number, msg: string): void => assert.ok(Math.abs(a - b) < 1e-9, `${msg}: ${a} vs ${b}`);
const log2 = Math.log2;

test('offline: session items dedupe repeats keeping the strongest feedback', () => {
  const log = ds.test.log;
  assert.equal(log.nSessions, 4);
  const b = sessionItems(log, 2); // user 1's session (sessions sorted by user)
  assert.equal(log.sessionUser[2], 1);
  assert.deepEqual(Array.from(b.items), [5, 6, 7]);
  assert.deepEqual(Array.from(b.feedback), [C, S, S]);
});

test('offline: an oracle gets NDCG = MAP = 1; logged and worst orders give hand-computed values; skips counted', () => {
  const oracle = offlineTest(relPolicy('oracle', 1), ds, { ks: [2, 20] });
  assert.deepEqual(oracle.counts, { sessionsInSplit: 4, noPositive: 1, belowMinPositives: 0, eligible: 3, evaluated: 3, trivial: 1, rankedItems: 10 });
  approx(oracle.metrics.policy.map.mean, 1, 'oracle MAP');
  approx(oracle.metrics.policy.ndcg['2'].mean, 1, 'oracle NDCG@2');
  approx(oracle.metrics.policy.ndcg['20'].mean, 1, 'oracle NDCG@20');
  assert.deepEqual(oracle.perSession.session, [0, 1, 2]); // log order: A, D (user 0), B (user 1)

  // logged order. A: rels [0,1,0,5,0]; D: [1,1]; B: [1,0,0]
  const idcgA20 = 5 + 1 / log2(3);
  const apA = (1 / 2 + 2 / 4) / 2;
  const ndcgA20 = (1 / log2(3) + 5 / log2(5)) / idcgA20;
  const ndcgA2 = (1 / log2(3)) / idcgA20; // IDCG@2 = 5 + 1/log2(3) too
  const L = oracle.metrics.logged;
  approx(L.map.mean, (apA + 1 + 1) / 3, 'logged MAP');
  approx(L.ndcg['20'].mean, (ndcgA20 + 1 + 1) / 3, 'logged NDCG@20');
  approx(L.ndcg['2'].mean, (ndcgA2 + 1 + 1) / 3, 'logged NDCG@2');
  approx(oracle.perSession.logged.ap[0], 0.5, 'logged AP of A');

  // worst case: lowest relevance first (ties: lower id), through cands.map. A: [0,0,0,1,5]; B: [0,0,1]
  const worst = offlineTest(relPolicy('worst', -1, true), ds, { ks: [2, 20] });
  const apAw = (1 / 4 + 2 / 5) / 2, apBw = 1 / 3;
  approx(worst.metrics.policy.map.mean, (apAw + 1 + apBw) / 3, 'worst MAP');
  approx(worst.metrics.policy.ndcg['20'].mean, ((1 / log2(5) + 5 / log2(6)) / idcgA20 + 1 + 1 / log2(4)) / 3, 'worst NDCG@20');
  approx(worst.metrics.policy.ndcg['2'].mean, (0 + 1 + 0) / 3, 'worst NDCG@2');
  assert.deepEqual(worst.metrics.logged, oracle.metrics.logged, 'references do not depend on the policy');
  assert.deepEqual(worst.metrics.random, oracle.metrics.random);
  // the random reference lies between worst and oracle, and is seeded
  for (const k of ['2', '20']) {
    assert.ok(worst.metrics.random.ndcg[k].mean >= worst.metrics.policy.ndcg[k].mean - 1e-12);
    assert.ok(worst.metrics.random.ndcg[k].mean <= 1);
  }
  const other = offlineTest(relPolicy('oracle', 1), ds, { ks: [2, 20], seed: 1 });
  assert.deepEqual(other.metrics.policy, oracle.metrics.policy);

  // minPositives = 2: B (one positive) is skipped as belowMinPositives
  const m2 = offlineTest(relPolicy('oracle', 1), ds, { minPositives: 2 });
  assert.deepEqual([m2.counts.noPositive, m2.counts.belowMinPositives, m2.counts.eligible], [1, 1, 2]);
  assert.deepEqual(m2.perSession.session, [0, 1]);
  assert.ok(/binary relevance/i.test(oracle.definitions.map) && /R = number of relevant/.test(oracle.definitions.map));
  JSON.parse(JSON.stringify(oracle));
});

test('offline: the state advances as if the user reacted as logged; batch size does not change results', () => {
  const seen: { B: number; t: number; browsed: number[][]; clicked: number[][]; ordered: number[][] }[] = [];
  const lowest = keyPolicy('lowest-id', (_b, it) => -it);
  const recorder: Policy = {
    name: 'recorder',
    select(s, cands, pools, explore) {
      assert.equal(explore, false, 'the offline test never explores');
      const rows = (h: Int32Array): number[][] => Array.from({ length: cands.size }, (_, b) => Array.from(h.slice(b * N, b * N + N)));
      seen.push({ B: cands.size, t: s.t, browsed: rows(s.browsed), clicked: rows(s.clicked), ordered: rows(s.ordered) });
      return lowest.select(s, cands, pools, explore);
    },
  };
  const r = offlineTest(recorder, ds, { batchSize: 8 });
  // one batch of 3 sessions sorted longest first: A (5 items, slot 0), B (3, slot 1), D (2, slot 2)
  assert.equal(seen.length, 5, 'steps = the longest session');
  assert.ok(seen.every((x) => x.B === 3), 'constant batch size while shorter sessions are done');
  const A = seen.map((x) => ({ b: x.browsed[0], c: x.clicked[0], o: x.ordered[0] }));
  // s_0 of A: the train-day history (10 click, 11 skip) -> browsed [0, 11, 12], clicked [0, 0, 11]
  assert.deepEqual(A[0], { b: [0, 11, 12], c: [0, 0, 11], o: [0, 0, 0] });
  // picks in id order 0 (skip), 1 (click), 2 (skip), 3 (order), 4
  assert.deepEqual(A[1], { b: [11, 12, 1], c: [0, 0, 11], o: [0, 0, 0] });
  assert.deepEqual(A[2], { b: [12, 1, 2], c: [0, 11, 2], o: [0, 0, 0] });
  assert.deepEqual(A[3], { b: [1, 2, 3], c: [0, 11, 2], o: [0, 0, 0] });
  assert.deepEqual(A[4], { b: [2, 3, 4], c: [11, 2, 4], o: [0, 0, 4] });
  // B (user 1, no earlier history): 5 logged skip then click -> treated as clicked
  assert.deepEqual(seen[1].clicked[1], [0, 0, 6]);
  assert.deepEqual(seen[1].browsed[1], [0, 0, 6]);
  // D (user 0's second test session) starts from the dataset state after A: A's logged rows are in it
  assert.deepEqual(seen[0].browsed[2], [3, 4, 5]);
  assert.deepEqual(seen[0].ordered[2], [0, 0, 4]);
  // D is done after 2 steps: its state is frozen
  assert.deepEqual(seen[4].browsed[2], seen[2].browsed[2]);

  const strip = (x: OfflineResult): unknown => ({ ...x, seconds: 0, config: { ...x.config, batchSize: 0 } });
  assert.deepEqual(strip(offlineTest(lowest, ds, { batchSize: 1 })), strip(offlineTest(lowest, ds, { batchSize: 2 })));
  assert.deepEqual(strip(offlineTest(lowest, ds, { batchSize: 1 })), strip({ ...r, policy: 'lowest-id' }));
});

test('offline: a misbehaving policy is a UsageError naming the policy, session and item', () => {
  let prev = new Int32Array(0);
  const lowest = keyPolicy('x', (_b, it) => -it);
  const repeater: Policy = {
    name: 'repeater',
    select(s, cands, pools) {
      if (s.t === 0) prev = lowest.select(s, cands, pools, false);
      return prev.slice();
    },
  };
  assert.throws(() => offlineTest(repeater, ds), (e: Error) =>
    e instanceof UsageError && /offline test: policy 'repeater', step 1, session 0 \(user 0, 5 items.*item 0 was already recommended at step 0/.test(e.message));
  const outsider: Policy = {
    name: 'outsider',
    select(s, cands, pools) {
      const out = lowest.select(s, cands, pools, false);
      out[1] = 11; // not in session B
      return out;
    },
  };
  assert.throws(() => offlineTest(outsider, ds), (e: Error) =>
    e instanceof UsageError && /policy 'outsider', step 0, session 2 \(user 1.*item 11 is not in the session's candidate set/.test(e.message));
  const wrong: Policy = { name: 'wrong', select: () => new Int32Array(2) };
  assert.throws(() => offlineTest(wrong, ds), (e: Error) => e instanceof UsageError && /'wrong'.*returned 2 items for 3 sessions/.test(e.message));
  assert.throws(() => offlineTest(lowest, ds, { relevance: [1, 1, 5] }), ConfigError);
  assert.throws(() => offlineTest(lowest, ds, { ks: [2.5] }), ConfigError);
  assert.throws(() => offlineTest(lowest, ds, { bogus: 1 } as never), ConfigError);
});

test('offline: on a random dataset, counts add up, maxSessions samples deterministically, random policy ~ random reference', () => {
  const big = tinyDataset({ N: 5, nItems: 80, nUsers: 60, seed: 8 });
  const rng = new Rng(2);
  const random: Policy = {
    name: 'random',
    select(_s, cands, pools) {
      const out = new Int32Array(cands.size);
      for (let b = 0; b < cands.size; b++) {
        const left = Array.from(pools[b]).filter((it) => cands.has(b, it));
        out[b] = left[rng.int(left.length)];
        cands.remove(b, out[b]);
      }
      return out;
    },
  };
  const r = offlineTest(random, big, { batchSize: 16 });
  const c = r.counts;
  assert.equal(c.noPositive + c.belowMinPositives + c.eligible, c.sessionsInSplit);
  assert.equal(c.evaluated, c.eligible);
  assert.ok(c.noPositive > 0 && c.eligible > 20);
  assert.equal(r.perSession.policy.ap.length, c.evaluated);
  for (const v of r.perSession.policy.ap) assert.ok(v > 0 && v <= 1);
  // a random policy and the random reference estimate the same expectation
  const d = Math.abs(r.metrics.policy.map.mean - r.metrics.random.map.mean);
  assert.ok(d < r.metrics.policy.map.ci95.halfWidth * 2, `random policy MAP ${r.metrics.policy.map.mean} vs reference ${r.metrics.random.map.mean}`);
  const s1 = offlineTest(random, big, { maxSessions: 10, seed: 3 });
  const s2 = offlineTest(random, big, { maxSessions: 10, seed: 3 });
  assert.equal(s1.counts.evaluated, 10);
  assert.deepEqual(s1.perSession.session, s2.perSession.session);
  assert.deepEqual(s1.metrics.logged, s2.metrics.logged);
});
