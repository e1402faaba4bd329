import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benefitAssign, benefitAssignBatch, benefitBase } from '../lib/agents/benefit';
import { goalIndexTable } from '../lib/agents/goalSchedule';
import { UsageError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

const arr = (a: Float32Array): number[] => Array.from(a, (x) => Math.round(x * 1e6) / 1e6);

test('Eq. (14)/(15) by hand: r = [0,1,0,5,1,0], c = 6', () => {
  const r = [0, 1, 0, 5, 1, 0];
  // M = 2: blocks [0,1,0] and [5,1,0]
  assert.deepEqual(arr(benefitBase(r, 6, 2)), [1, 6]);
  assert.deepEqual(arr(benefitAssign(r, 6, 2, 0.5)), [1, 6.5]); // 6 + 0.5 * 1
  // M = 3: blocks [0,1], [0,5], [1,0] -> phi0 = [1, 5, 1]
  assert.deepEqual(arr(benefitBase(r, 6, 3)), [1, 5, 1]);
  // phi' = [1, 5 + 0.5*1, 1 + 0.5*5 + 0.25*1] = [1, 5.5, 3.75]
  assert.deepEqual(arr(benefitAssign(r, 6, 3, 0.5)), [1, 5.5, 3.75]);
  // beta = 1: running total from the period start
  assert.deepEqual(arr(benefitAssign(r, 6, 3, 1)), [1, 6, 7]);
  // M = 1: one goal gets the whole period
  assert.deepEqual(arr(benefitAssign(r, 6, 1, 0.9)), [7]);
});

test('beta = 0 reduces Eq. (15) to Eq. (14)', () => {
  const rng = new Rng(3);
  const r = Array.from({ length: 12 }, () => [0, 1, 5][rng.int(3)]);
  assert.deepEqual(Array.from(benefitAssign(r, 12, 4, 0)), Array.from(benefitBase(r, 12, 4)));
});

test('c not divisible by M: the last goal owns the leftover steps, as in goalSchedule', () => {
  const r = [1, 2, 3, 4, 5, 6, 7]; // c = 7, M = 3, L = 2
  assert.deepEqual(arr(benefitBase(r, 7, 3)), [3, 7, 18]); // [1+2, 3+4, 5+6+7]
  assert.deepEqual(arr(benefitAssign(r, 7, 3, 0.5)), [3, 8.5, 22.25]);
  // Consistency with the schedule for many shapes: phi0_i = sum of rewards whose step maps to goal i.
  const rng = new Rng(9);
  for (let c = 1; c <= 13; c++) {
    for (let M = 1; M <= c; M++) {
      const rr = Array.from({ length: c }, () => rng.int(6));
      const tab = goalIndexTable(c, M);
      const want = new Array(M).fill(0);
      rr.forEach((x, p) => (want[tab[p]] += x));
      assert.deepEqual(Array.from(benefitBase(rr, c, M)), want, `c=${c} M=${M}`);
    }
  }
});

test('batched version equals per-period calls', () => {
  const r = new Float32Array([0, 1, 0, 5, 1, 0, /* period 2 */ 5, 0, 0, 0, 1, 1]);
  assert.deepEqual(arr(benefitAssignBatch(r, 6, 2, 0.5)), [1, 6.5, 5, 4.5]);
});

test('bad arguments are rejected', () => {
  assert.throws(() => benefitAssign([1, 2, 3], 4, 2, 0.5), (e: unknown) => e instanceof UsageError && /expected c=4 rewards, got 3/.test(e.message));
  assert.throws(() => benefitAssign([1, 2], 2, 3, 0.5), /c must be >= M/);
  assert.throws(() => benefitAssign([1, 2], 2, 1, 1.5), /beta/);
  assert.throws(() => benefitAssign([1, NaN], 2, 1, 0.5), /position 1/);
  assert.throws(() => benefitAssignBatch([1, 2, 3], 2, 1, 0), /multiple of c=2/);
});
