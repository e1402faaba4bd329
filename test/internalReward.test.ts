import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internalReward, internalRewardBatch, internalRewardFromGoals } from '../lib/agents/internalReward';
import { UsageError } from '../lib/util/errors';

const close = (a: number, b: number, tol = 1e-6): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('Eq. (12) on hand-made vectors', () => {
  close(internalReward([1, 0], [0, 1]), 0); // orthogonal
  close(internalReward([1, 2, 3], [2, 4, 6]), 1); // parallel
  close(internalReward([1, -2, 0.5], [-1, 2, -0.5]), -1); // opposite
  close(internalReward([1, 0], [1, 1]), Math.SQRT1_2); // 45 degrees
  close(internalReward([3, 4], [4, 3]), 24 / 25);
  assert.equal(internalReward([0, 0, 0], [1, 2, 3]), 0); // zero action
  assert.equal(internalReward([1, 2, 3], [0, 0, 0]), 0); // zero goal
  assert.equal(internalReward([0, 0], [0, 0]), 0);
});

test('scaling either vector by a positive factor does not change the reward', () => {
  const r = internalReward([1, 2], [3, -1]);
  close(r, 1 / Math.sqrt(50)); // (3 - 2) / (sqrt(5) sqrt(10))
  close(internalReward([10, 20], [0.3, -0.1]), r);
  close(internalReward([1e-3, 2e-3], [3e4, -1e4]), r);
});

test('batched version over [B, E] rows', () => {
  const actions = new Float32Array([1, 0, 0, 0, 3, 4, 1, 1]);
  const goals = new Float32Array([0, 1, 5, 5, 4, 3, -2, -2]);
  const r = internalRewardBatch(actions, goals, 2);
  assert.equal(r.length, 4);
  close(r[0], 0);
  close(r[1], 0);
  close(r[2], 0.96);
  close(r[3], -1);
  assert.throws(() => internalRewardBatch(actions, goals.subarray(0, 6), 2), UsageError);
  assert.throws(() => internalRewardBatch(actions.subarray(0, 3), goals.subarray(0, 3), 2), UsageError);
});

test('from all M goals: row b uses goals[b, goalIdx[b]]', () => {
  // B=2, M=3, E=2
  const actions = new Float32Array([1, 0, 0, 1]);
  const goals = new Float32Array([0, 1, 1, 0, -1, 0, /* b=1 */ 0, 1, 1, 1, 0, -1]);
  const r = internalRewardFromGoals(actions, goals, [1, 2], 2, 3);
  close(r[0], 1); // [1,0] vs [1,0]
  close(r[1], -1); // [0,1] vs [0,-1]
  const r2 = internalRewardFromGoals(actions, goals, [2, 1], 2, 3);
  close(r2[0], -1);
  close(r2[1], Math.SQRT1_2);
  assert.throws(() => internalRewardFromGoals(actions, goals, [3, 0], 2, 3), /goalIdx\[0\]=3/);
  assert.throws(() => internalRewardFromGoals(actions, goals.subarray(1), [0, 0], 2, 3), UsageError);
  assert.throws(() => internalReward([1, 2], [1, 2, 3]), UsageError);
});
