import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, confidenceInterval95, dcgAtK, meanOf, ndcgAtK, tQuantile975 } from '../lib/eval/metrics';
import { UsageError } from '../lib/util/errors';

const close = (a: number, b: number, tol = 1e-4): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('NDCG@k with linear gain on rels [0, 5, 1, 0]', () => {
  const r = [0, 5, 1, 0];
  // DCG@4 = 5/log2(3) + 1/log2(4) = 3.154649 + 0.5; IDCG@4 ([5,1,0,0]) = 5 + 1/log2(3) = 5.630930
  close(dcgAtK(r, 4), 3.654649);
  close(ndcgAtK(r, 4), 3.654649 / 5.63093);
  close(ndcgAtK(r, 4), 0.649024);
  close(ndcgAtK(r, 2), 3.154649 / 5.63093); // 0.560232
  assert.equal(ndcgAtK(r, 1), 0);
  close(ndcgAtK(r, 20), ndcgAtK(r, 4)); // k beyond the list length
});

test('NDCG with exponential gain (2^rel - 1)', () => {
  // gains [0, 31, 1, 0]: DCG = 31/log2(3) + 0.5 = 20.058820; IDCG = 31 + 1/log2(3) = 31.630930
  close(ndcgAtK([0, 5, 1, 0], 4, 'exponential'), 20.05882 / 31.63093);
});

test('perfect ranking gives 1, no relevant item gives NaN', () => {
  assert.equal(ndcgAtK([5, 5, 1, 1, 0, 0], 20), 1);
  assert.equal(ndcgAtK([5, 1, 0], 2), 1);
  assert.ok(Number.isNaN(ndcgAtK([0, 0, 0], 20)));
  assert.ok(Number.isNaN(averagePrecision([0, 0])));
});

test('average precision with binary relevance', () => {
  close(averagePrecision([0, 5, 1, 0]), (1 / 2 + 2 / 3) / 2); // 0.583333
  close(averagePrecision([1, 0, 1, 0, 0, 1]), (1 + 2 / 3 + 3 / 6) / 3); // 0.722222
  assert.equal(averagePrecision([5, 1, 1, 0]), 1);
  assert.equal(averagePrecision([1, 0, 0]), averagePrecision([5, 0, 0])); // grade does not matter
});

test('meanOf: lists without a relevant item excluded (default) or counted as 0', () => {
  const v = [0.5, NaN, 1];
  assert.equal(meanOf(v), 0.75);
  assert.equal(meanOf(v, 'exclude'), 0.75);
  assert.equal(meanOf(v, 'zero'), 0.5);
  assert.ok(Number.isNaN(meanOf([NaN])));
  assert.equal(meanOf([NaN], 'zero'), 0);
  assert.throws(() => meanOf([1, Infinity]), UsageError);
});

test('95% confidence interval with Student t', () => {
  const ci = confidenceInterval95([1, 2, 3, 4, 5]);
  // s = sqrt(2.5) = 1.581139, t(4) = 2.776, half = 2.776 * 1.581139 / sqrt(5) = 1.962929
  assert.equal(ci.n, 5);
  assert.equal(ci.mean, 3);
  close(ci.halfWidth, 1.962929);
  close(ci.lo, 3 - 1.962929);
  close(ci.hi, 3 + 1.962929);
  const one = confidenceInterval95([2]);
  assert.equal(one.mean, 2);
  assert.ok(Number.isNaN(one.halfWidth));
  assert.equal(tQuantile975(1), 12.706);
  assert.equal(tQuantile975(30), 2.042);
  assert.equal(tQuantile975(31), 1.96);
  // n = 40 uses 1.96: values alternating 0/1 -> mean 0.5, s = sqrt(10/39)
  const alt = Array.from({ length: 40 }, (_, i) => i % 2);
  close(confidenceInterval95(alt).halfWidth, (1.96 * Math.sqrt(10 / 39)) / Math.sqrt(40));
  assert.throws(() => confidenceInterval95([]), UsageError);
  assert.throws(() => confidenceInterval95([1, NaN]), UsageError);
});

test('bad relevance values and k are rejected', () => {
  assert.throws(() => ndcgAtK([1, -1], 2), /position 1/);
  assert.throws(() => ndcgAtK([1, 0], 0), /k must be/);
  assert.throws(() => averagePrecision([NaN]), UsageError);
});
