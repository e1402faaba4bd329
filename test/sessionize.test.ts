import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderByUserTime, sessionize } from '../lib/data/sessionize';

test('orderByUserTime sorts by user then time, keeping file order for ties', () => {
  const user = Int32Array.from([1, 0, 1, 0, 1, 0]);
  const ts = Float64Array.from([30, 20, 10, 20, 10, 5]);
  const order = orderByUserTime(user, ts, 2);
  // user 0: rows 5 (t5), 1 (t20), 3 (t20, later in file); user 1: rows 2 (t10), 4 (t10), 0 (t30)
  assert.deepEqual(Array.from(order), [5, 1, 3, 2, 4, 0]);
  // Already sorted input stays in place.
  const u2 = Int32Array.from([0, 0, 1, 1]);
  const t2 = Float64Array.from([1, 2, 1, 2]);
  assert.deepEqual(Array.from(orderByUserTime(u2, t2, 2)), [0, 1, 2, 3]);
});

test('sessions split at gaps strictly longer than the threshold, and at every user change', () => {
  const gap = 1800;
  const user = Int32Array.from([0, 0, 0, 0, 1, 1, 2]);
  const ts = Float64Array.from([0, 1800, 3601, 3700, 3700, 9999, 9999]);
  // 0 -> 1800 is exactly the gap: same session; 1800 -> 3601 is 1801 s: new session.
  const { session, nSessions } = sessionize(user, ts, gap);
  assert.deepEqual(Array.from(session), [0, 0, 1, 1, 2, 3, 4]);
  assert.equal(nSessions, 5);
  // Infinity = one session per user.
  assert.deepEqual(Array.from(sessionize(user, ts, Infinity).session), [0, 0, 0, 0, 1, 1, 2]);
  assert.equal(sessionize(new Int32Array(0), new Float64Array(0), gap).nSessions, 0);
});

test('sessionize rejects unsorted rows and a non-positive gap', () => {
  assert.throws(() => sessionize(Int32Array.from([0, 0]), Float64Array.from([5, 4]), 10), /sorted/);
  assert.throws(() => sessionize(Int32Array.from([1, 0]), Float64Array.from([0, 0]), 10), /sorted/);
  assert.throws(() => sessionize(Int32Array.from([0]), Float64Array.from([0]), 0), /gapSeconds/);
});
