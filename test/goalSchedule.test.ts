import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLength, goalBlock, goalIndex, goalIndexTable, goalScheduleProblem, isGoalStep } from '../lib/agents/goalSchedule';
import { UsageError } from '../lib/util/errors';

test('c=10, M=3: blocks of 3 steps, the leftover step 9 keeps the last goal (0-based)', () => {
  assert.equal(blockLength(10, 3), 3);
  const expected = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
  assert.deepEqual(Array.from(goalIndexTable(10, 3)), expected);
  for (let t = 0; t < 30; t++) assert.equal(goalIndex(t, 10, 3), expected[t % 10], `t=${t}`);
  assert.deepEqual(goalBlock(0, 10, 3), [0, 3]);
  assert.deepEqual(goalBlock(1, 10, 3), [3, 6]);
  assert.deepEqual(goalBlock(2, 10, 3), [6, 10]);
});

test('goal steps are t ≡ 0 (mod c)', () => {
  assert.deepEqual([0, 1, 9, 10, 20, 25].map((t) => isGoalStep(t, 10)), [true, false, false, true, true, false]);
});

test('c divisible by M and the c = M edge case', () => {
  assert.deepEqual(Array.from(goalIndexTable(6, 2)), [0, 0, 0, 1, 1, 1]);
  assert.deepEqual(Array.from(goalIndexTable(4, 4)), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(goalIndexTable(5, 1)), [0, 0, 0, 0, 0]);
});

test('c < M and bad arguments are rejected', () => {
  assert.deepEqual(goalScheduleProblem(2, 3)?.[0], 'c');
  assert.equal(goalScheduleProblem(10, 3), null);
  assert.equal(goalScheduleProblem(10, 0)?.[0], 'M');
  assert.throws(() => goalIndex(0, 2, 3), (e: unknown) => e instanceof UsageError && /c must be >= M/.test(e.message));
  assert.throws(() => goalIndex(-1, 10, 3), UsageError);
  assert.throws(() => goalIndex(1.5, 10, 3), UsageError);
  assert.throws(() => goalBlock(3, 10, 3), UsageError);
  assert.throws(() => isGoalStep(3, 0), UsageError);
});
