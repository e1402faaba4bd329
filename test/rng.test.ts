import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 100 }, () => a.nextU32());
  const xb = Array.from({ length: 100 }, () => b.nextU32());
  const xc = Array.from({ length: 100 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('fork is independent of the parent position and stable per label', () => {
  const a = new Rng(7);
  const f1 = a.fork('init').random();
  a.random(); a.random();
  assert.equal(a.fork('init').random(), f1);
  assert.notEqual(a.fork('explore').random(), f1);
});

test('uniform and normal moments are right', () => {
  const r = new Rng(1);
  let s = 0, s2 = 0, u = 0;
  const n = 200000;
  for (let i = 0; i < n; i++) { const z = r.normal(); s += z; s2 += z * z; u += r.random(); }
  assert.ok(Math.abs(s / n) < 0.01, `mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.02, `var ${s2 / n}`);
  assert.ok(Math.abs(u / n - 0.5) < 0.005);
});

test('state save and restore continues the same stream (including the normal spare)', () => {
  const r = new Rng(5);
  r.normal();
  const st = r.getState();
  const x = [r.normal(), r.normal(), r.random()];
  const q = Rng.fromState(JSON.parse(JSON.stringify(st)));
  assert.deepEqual([q.normal(), q.normal(), q.random()], x);
});

test('categorical follows weights; int stays in range', () => {
  const r = new Rng(3);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30000; i++) counts[r.categorical([1, 2, 7])]++;
  assert.ok(Math.abs(counts[2] / 30000 - 0.7) < 0.02);
  for (let i = 0; i < 1000; i++) { const k = r.int(5); assert.ok(k >= 0 && k < 5); }
  assert.throws(() => r.categorical([0, 0]), /positive sum/);
});
