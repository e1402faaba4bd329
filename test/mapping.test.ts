import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApproxIndex } from '../lib/agents/mapping/approxIndex';
import { ExactIndex } from '../lib/agents/mapping/exactIndex';
import type { ItemIndex } from '../lib/agents/mapping/itemIndex';
import { ConfigError, UsageError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

/** Items with wildly different norms (1e-3 .. 1e3): dot-product argmax would be wrong, cosine is not. */
function items(n: number, E: number, rng: Rng): Float32Array {
  const x = rng.fillNormal(new Float32Array(n * E));
  for (let i = 0; i < n; i++) {
    const s = Math.pow(10, rng.uniform(-3, 3));
    for (let k = 0; k < E; k++) x[i * E + k] *= s;
  }
  return x;
}

/** Independent brute-force cosine in float64 (no shared code with the index). */
function cosines(x: Float32Array, E: number, q: ArrayLike<number>): number[] {
  const n = x.length / E;
  let nq = 0;
  for (let k = 0; k < E; k++) nq += q[k] * q[k];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let d = 0, ni = 0;
    for (let k = 0; k < E; k++) {
      d += x[i * E + k] * q[k];
      ni += x[i * E + k] ** 2;
    }
    out.push(d / Math.sqrt(ni * nq));
  }
  return out;
}

test('Eq. (13) is cosine, not dot product: a long item does not win', () => {
  const idx = new ExactIndex(new Float32Array([100, 0, 1, 1]), 2);
  const pick = idx.session().map(new Float32Array([1, 0.9]));
  assert.deepEqual(Array.from(pick), [1]); // cos 0.9986 beats cos 0.7433 despite dot 1.9 < 100
});

test('exact: every pick is the cosine argmax of the remaining items, no repeats, then exhaustion', () => {
  const rng = new Rng(11), E = 8, n = 300;
  const x = items(n, E, rng);
  const idx = new ExactIndex(x, E);
  const sess = idx.session();
  const used = new Set<number>();
  for (let t = 0; t < n; t++) {
    const q = rng.fillNormal(new Float32Array(E));
    const cos = cosines(x, E, q);
    let best = -Infinity;
    for (let i = 0; i < n; i++) if (!used.has(i)) best = Math.max(best, cos[i]);
    const [pick] = sess.map(q);
    assert.ok(!used.has(pick), `item ${pick} repeated at step ${t}`);
    assert.ok(cos[pick] >= best - 1e-6, `step ${t}: picked cos ${cos[pick]} < best ${best}`);
    used.add(pick);
  }
  assert.equal(used.size, n);
  assert.equal(sess.remaining(0), 0);
  assert.throws(() => sess.map(new Float32Array(E).fill(1)), (e: unknown) => e instanceof UsageError && /session 0 has no remaining candidates/.test(e.message));
});

test('batched whole-catalog sessions (blocked scan) equal one-at-a-time sessions, with removals', () => {
  const rng = new Rng(5), E = 6, n = 700, B = 5;
  const idx = new ExactIndex(items(n, E, rng), E);
  const batch = idx.sessions(B);
  const singles = Array.from({ length: B }, () => idx.session());
  for (let t = 0; t < 40; t++) {
    const q = rng.fillNormal(new Float32Array(B * E));
    if (t % 7 === 3) {
      const it = rng.int(n);
      assert.equal(batch.remove(t % B, it), singles[t % B].remove(0, it));
    }
    const got = batch.map(q);
    for (let b = 0; b < B; b++) assert.equal(got[b], singles[b].map(q.slice(b * E, (b + 1) * E))[0], `t=${t} b=${b}`);
  }
});

test('pools: picks stay inside each session pool; remove() and active mask honoured', () => {
  const rng = new Rng(2), E = 4, n = 100;
  const x = items(n, E, rng);
  const idx = new ExactIndex(x, E);
  const pools = [Int32Array.from([5, 9, 13, 21]), null, Int32Array.from([70, 3])];
  const sess = idx.sessions(pools);
  assert.equal(sess.size, 3);
  assert.deepEqual([0, 1, 2].map((b) => sess.remaining(b)), [4, n, 2]);
  assert.equal(sess.remove(0, 9), true);
  assert.equal(sess.remove(0, 9), false); // already removed
  assert.equal(sess.remove(0, 50), false); // not in the pool
  assert.equal(sess.has(0, 9), false);
  const picks0: number[] = [];
  for (let t = 0; t < 3; t++) {
    const q = rng.fillNormal(new Float32Array(3 * E));
    const active = t < 2 ? [1, 1, 1] : [1, 0, 0];
    const got = sess.map(q, active);
    picks0.push(got[0]);
    if (t < 2) assert.ok([70, 3].includes(got[2]));
    else assert.deepEqual([got[1], got[2]], [-1, -1]);
    // the pick is the cosine argmax among the pool's remaining items
    const cos = cosines(x, E, q.subarray(0, E));
    const rest = [5, 13, 21].filter((i) => !picks0.slice(0, -1).includes(i));
    const best = rest.reduce((a, i) => (cos[i] > cos[a] ? i : a), rest[0]);
    assert.equal(got[0], best);
  }
  assert.deepEqual(picks0.slice().sort((a, b) => a - b), [5, 13, 21]);
  assert.equal(sess.remaining(1), n - 2);
  assert.equal(sess.remaining(2), 0);
  assert.throws(() => sess.map(new Float32Array(3 * E).fill(1)), /session 0 has no remaining candidates/);
  assert.deepEqual(Array.from(sess.map(new Float32Array(3 * E).fill(1), [0, 1, 0])).map((v, b) => (b === 1 ? v >= 0 : v)), [-1, true, -1]);
});

test('bad shapes and arguments give clear errors', () => {
  assert.throws(() => new ExactIndex(new Float32Array(7), 2), /not a positive multiple of dim=2/);
  assert.throws(() => new ExactIndex(new Float32Array([1, NaN]), 2), /item 0 has a non-finite value/);
  const idx = new ExactIndex(new Float32Array([1, 0, 0, 1, 1, 1]), 2);
  const s = idx.sessions(2);
  assert.throws(() => s.map(new Float32Array(2)), /expected \[B=2, E=2\] = 4/);
  assert.throws(() => s.map([1, 0, 0, 1] as never), /Float32Array/);
  assert.throws(() => s.map(new Float32Array([1, 0, NaN, 1])), /proto-action 1 has a non-finite value/);
  assert.throws(() => s.map(new Float32Array(4), [1]), /active has 1 entries/);
  assert.throws(() => s.remove(2, 0), /session 2 outside/);
  assert.throws(() => s.remove(0, 3), /not an item id/);
  assert.throws(() => idx.session(Int32Array.from([0, 0])), /appears twice/);
  assert.throws(() => idx.session(Int32Array.from([3])), /not an item id in \[0, 3\)/);
  assert.throws(() => idx.session(new Int32Array(0)), /pool is empty/);
  assert.throws(() => idx.rank(new Float32Array(2), 4), /k must be an integer in \[1, 3\]/);
  assert.throws(() => idx.sessions(0), /count/);
});

test('zero vectors: a zero item scores 0, a zero proto-action picks the lowest remaining id', () => {
  const idx = new ExactIndex(new Float32Array([0, 0, -1, 0, 1, 0]), 2);
  const s = idx.session();
  assert.deepEqual(Array.from(s.map(new Float32Array([1, 0]))), [2]);
  assert.deepEqual(Array.from(s.map(new Float32Array([1, 0]))), [0]); // 0 beats -1
  const z = idx.session();
  assert.deepEqual([z.map(new Float32Array(2))[0], z.map(new Float32Array(2))[0]], [0, 1]);
});

test('rank: top-k sorted by cosine, over the catalog or a candidate list, without removal', () => {
  const rng = new Rng(4), E = 5, n = 200;
  const x = items(n, E, rng);
  const idx = new ExactIndex(x, E);
  const q = rng.fillNormal(new Float32Array(2 * E));
  const r = idx.rank(q, 10);
  assert.equal(r.length, 20);
  for (let b = 0; b < 2; b++) {
    const cos = cosines(x, E, q.subarray(b * E, (b + 1) * E));
    const want = Array.from({ length: n }, (_, i) => i).sort((i, j) => cos[j] - cos[i]).slice(0, 10);
    assert.deepEqual(Array.from(r.subarray(b * 10, b * 10 + 10)), want);
  }
  const cands = Int32Array.from([7, 3, 150, 42]);
  const rc = idx.rank(q.subarray(0, E), 4, cands);
  const cos = cosines(x, E, q.subarray(0, E));
  assert.deepEqual(Array.from(rc), [7, 3, 150, 42].sort((i, j) => cos[j] - cos[i]));
});

function runSequence(idx: ItemIndex, pools: (Int32Array | null)[], qs: Float32Array[], removals: [number, number, number][]): number[][] {
  const s = idx.sessions(pools);
  const out: number[][] = [];
  qs.forEach((q, t) => {
    for (const [tt, b, it] of removals) if (tt === t) s.remove(b, it);
    out.push(Array.from(s.map(q)));
  });
  return out;
}

test('approx with every bucket probed is identical to exact (sessions, removals, pools, rank)', () => {
  const rng = new Rng(21), E = 16, n = 2000;
  const x = items(n, E, rng);
  const exact = new ExactIndex(x, E);
  const approx = new ApproxIndex(x, E, new Rng(1), { tables: 2, bits: 8, probes: 256, exactPoolBelow: 0 });
  const pools = [null, null, Int32Array.from({ length: 600 }, (_, i) => 3 * i + 1)];
  const qs = Array.from({ length: 60 }, () => rng.fillNormal(new Float32Array(3 * E)));
  const removals: [number, number, number][] = [[5, 0, 17], [9, 2, 4], [12, 1, 1999]];
  assert.deepEqual(runSequence(approx, pools, qs, removals), runSequence(exact, pools, qs, removals));
  const q = qs[0];
  assert.deepEqual(Array.from(approx.rank(q, 25)), Array.from(exact.rank(q, 25)));
  assert.equal(approx.stats.fallbacks, 0);
  assert.equal(approx.stats.exactPoolQueries, 0);
});

test('approx with default settings finds the exact item for proto-actions near items', () => {
  const rng = new Rng(8), E = 16, n = 2000;
  const x = rng.fillNormal(new Float32Array(n * E));
  const exact = new ExactIndex(x, E);
  const approx = new ApproxIndex(x, E, new Rng(2));
  const B = 200;
  const q = new Float32Array(B * E);
  for (let b = 0; b < B; b++) {
    const i = rng.int(n);
    for (let k = 0; k < E; k++) q[b * E + k] = x[i * E + k] + 0.3 * rng.normal();
  }
  const a = approx.sessions(B).map(q), e = exact.sessions(B).map(q);
  let hit = 0;
  for (let b = 0; b < B; b++) if (a[b] === e[b]) hit++;
  assert.ok(hit / B >= 0.95, `recall@1 ${hit / B}`);
  assert.ok(approx.stats.candidates / approx.stats.queries < n / 2, 'short list is a fraction of the catalog');
  // Same seed, same index, same answers.
  const again = new ApproxIndex(x, E, new Rng(2));
  assert.deepEqual(Array.from(again.sessions(B).map(q)), Array.from(a));
});

test('approx honours removal and falls back to exact search when the short list runs dry', () => {
  const rng = new Rng(13), E = 8, n = 400;
  const x = rng.fillNormal(new Float32Array(n * E));
  const exact = new ExactIndex(x, E);
  // One table, one probe: a tiny short list that is used up quickly.
  const approx = new ApproxIndex(x, E, new Rng(3), { tables: 1, bits: 6, probes: 1 });
  const q = rng.fillNormal(new Float32Array(E));
  const sa = approx.session();
  const top = exact.rank(q, 1)[0];
  assert.equal(sa.remove(0, top), true);
  const seen = new Set<number>([top]);
  for (let t = 1; t < n; t++) {
    const [p] = sa.map(q);
    assert.ok(!seen.has(p), `repeat ${p} at step ${t}`);
    seen.add(p);
  }
  assert.equal(seen.size, n);
  assert.ok(approx.stats.fallbacks > 0, 'exact fallback was used');
  assert.throws(() => sa.map(q), /no remaining candidates/);
});

test('approx: large pools go through hashing filtered to the pool; small pools are scanned exactly', () => {
  const rng = new Rng(17), E = 8, n = 1000;
  const x = rng.fillNormal(new Float32Array(n * E));
  const pool = Int32Array.from({ length: 300 }, (_, i) => 2 * i);
  const hashing = new ApproxIndex(x, E, new Rng(4), { exactPoolBelow: 10 });
  const s = hashing.session(pool);
  const got = new Set<number>();
  for (let t = 0; t < 300; t++) {
    const [p] = s.map(rng.fillNormal(new Float32Array(E)));
    assert.ok(p % 2 === 0 && p < 600 && !got.has(p), `bad pick ${p}`);
    got.add(p);
  }
  assert.ok(hashing.stats.queries > 0);
  const exactPools = new ApproxIndex(x, E, new Rng(4)); // default exactPoolBelow = 20000
  const exact = new ExactIndex(x, E);
  const q = rng.fillNormal(new Float32Array(E));
  assert.deepEqual(Array.from(exactPools.session(pool).map(q)), Array.from(exact.session(pool).map(q)));
  assert.equal(exactPools.stats.queries, 0);
  assert.equal(exactPools.stats.exactPoolQueries, 1);
});

test('approx config is validated', () => {
  const x = new Float32Array(40);
  assert.throws(() => new ApproxIndex(x, 4, new Rng(1), { tables: 0 }), (e: unknown) => e instanceof ConfigError && /approxIndex.tables/.test(e.message));
  assert.throws(() => new ApproxIndex(x, 4, new Rng(1), { bits: 21 }), ConfigError);
  assert.throws(() => new ApproxIndex(x, 4, new Rng(1), { nope: 1 } as never), /unknown key/);
});
