import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tdTarget } from '../lib/agents/tdTarget';
import { UsageError } from '../lib/util/errors';

const arr = (a: Float32Array): number[] => Array.from(a, (x) => Math.round(x * 1e5) / 1e5);

test('y = r + gamma (1 - done) Q\'(s\', mu\'(s\')) by hand', () => {
  assert.deepEqual(arr(tdTarget([1, 0.5, 5], [2, 4, 10], [0, 1, 0], 0.9)), [2.8, 0.5, 14]);
  assert.deepEqual(arr(tdTarget([1, 0.5], [2, 4], [false, true], 0.95)), [2.9, 0.5]);
  assert.deepEqual(arr(tdTarget([1], [2], [0], 0)), [1]); // gamma = 0: immediate reward only
  assert.deepEqual(arr(tdTarget([1, 2], [NaN, 3], [1, 0], 1)), [1, 5]); // terminal ignores nextQ
});

test('width M: one target per goal, shared done flag', () => {
  // B = 2, W = 2
  assert.deepEqual(arr(tdTarget([1, 2, 3, 4], [10, 20, 30, 40], [0, 1], 0.5, 2)), [6, 12, 3, 4]);
});

test('shape and value errors', () => {
  assert.throws(() => tdTarget([1, 2], [1], [0, 0], 0.9), UsageError);
  assert.throws(() => tdTarget([1, 2], [1, 2], [0], 0.9), UsageError);
  assert.throws(() => tdTarget([1], [1], [0], 1.5), /gamma/);
  assert.throws(() => tdTarget([1], [1], [2], 0.9), /done\[0\]/);
});
