import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { Actor } from '../lib/nn/actor';
import { Critic } from '../lib/nn/critic';
import { FeedbackNet } from '../lib/nn/feedbackNet';
import { describeNetwork, formatNetwork } from '../lib/nn/describe';
import { actionSaturation, spreadRows } from '../lib/eval/actorSaturation';
import { readHeadroom, readGoalFollowing, readTrend, readSaturation } from '../lib/eval/interpret';

before(async () => {
  await initBackend();
});

// Eq. (4)/(8) encoder: two GRUs (3H(E + H) + 6H each), W1 [H, H], W2 [H, H] + b [H]
const encoderParams = (E: number, H: number) => 2 * (3 * H * (E + H) + 6 * H) + 2 * H * H + H;

test('describeNetwork: layers, shapes and parameter counts of an actor and a critic, worked out by hand', () => {
  const E = 5, H = 4, K = 2;
  const actor = new Actor({ heads: K, E, H, B: 1 }, new Rng(1));
  const a = describeNetwork('HActor', actor);
  assert.equal(a.params, encoderParams(E, H) + K * (H * E + E)); // Eq. (5): W_g^i [H, E], b_g^i [E]
  assert.equal(a.params, actor.params.size);
  assert.deepEqual(a.layers.map((l) => l.layer), ['enc/gru1', 'enc/gru2', 'enc/w1', 'enc/w2', 'head0', 'head1']);
  assert.deepEqual(a.layers[0].tensors, [{ name: 'Wi', shape: [E, 3 * H] }, { name: 'bi', shape: [3 * H] }, { name: 'Wh', shape: [H, 3 * H] }, { name: 'bh', shape: [3 * H] }]);
  assert.equal(a.layers[4].params, H * E + E);
  const critic = new Critic({ heads: K, E, H, qOutput: 'relu', qBiasInit: 0.5 }, new Rng(2));
  const c = describeNetwork('HCritic', critic);
  assert.equal(c.params, encoderParams(E, H) + K * (H * H + E * H + H + H + 1)); // Eq. (6)-(7)
  assert.deepEqual(c.layers.slice(4, 7).map((l) => [l.layer, l.params]), [['head0/ws', H * H], ['head0/wa', E * H + H], ['head0/wq', H + 1]]);
  const text = formatNetwork(c);
  assert.match(text, new RegExp(`^HCritic: ${c.params} parameters`));
  assert.match(text, /head1\/wq\s+W \[4, 1\]  b \[1\]\s+5/);
  const sim = new FeedbackNet(new Float32Array(7 * E), { E, H, N: 3, hidden: 6 }, new Rng(3));
  const s = describeNetwork('simulator', sim);
  assert.equal(s.params, encoderParams(E, H) + H * 6 + E * 6 + 6 + 6 * 3 + 3); // Ws, We + b, out [hidden, 3] + b
  assert.throws(() => describeNetwork('x', {} as never), /expected a ParamSet/);
  for (const n of [actor, critic, sim]) n.dispose();
});

test('actionSaturation: norm, saturated share and sign patterns of hand-made actions', () => {
  // 3 rows, E = 2, B = 1: a corner, a near-corner with the same signs, a small action
  const st = actionSaturation(Float32Array.from([1, -1, 0.96, -0.99, 0.1, 0.2]), 3, 2, 1);
  assert.ok(Math.abs(st.norm - (Math.SQRT2 + Math.hypot(0.96, 0.99) + Math.hypot(0.1, 0.2)) / 3) < 1e-6);
  assert.equal(st.saturated, 4 / 6);
  assert.equal(st.patterns, 2); // (+,-) twice, (+,+) once
  assert.equal(st.cornerNorm, Math.SQRT2);
  assert.throws(() => actionSaturation(new Float32Array(5), 3, 2, 1), /5 values for 3 rows/);
  assert.deepEqual(Array.from(spreadRows(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, 2)), [1, 2, 5, 6]);
});

test('interpretation sentences follow their stated thresholds', () => {
  assert.match(readHeadroom('HRL-MG', 0.03, 50), /at the random level\*\* on T = 50 sessions \(h = 0\.03/);
  assert.match(readHeadroom('X', -0.3), /below the random level/);
  assert.match(readHeadroom('X', 0.42), /captures 42% of the headroom/);
  assert.match(readHeadroom('X', 1.1), /at or above the one-step greedy oracle/);
  assert.match(readHeadroom('X', NaN), /undefined/);
  assert.match(readGoalFollowing(0.02, 0.01), /ignores its goals\*\* \(mean r_in 0\.020 vs 0\.010/);
  assert.match(readGoalFollowing(0.4, 0.01), /follows its goals/);
  assert.match(readTrend('critic loss', [1, 1, 1, 2, 2, 3]), /critic loss grows\*\* over training \(first third 1\.000, last third 2\.500/);
  assert.match(readTrend('reward', [3, 3, 2, 2, 1, 1]), /falls/);
  assert.match(readTrend('reward', [1, 1.1, 1, null, 1.05, 1]), /roughly flat/);
  assert.match(readTrend('reward', [1]), /too few/);
  const corner = actionSaturation(Float32Array.from([1, -1, 1, -1, 1, -1]), 3, 2, 1);
  assert.match(readSaturation('LActor', corner), /LActor saturates\*\*.*1 sign pattern\(s\) over 3 states.*same way/);
  assert.match(readSaturation('LActor', actionSaturation(Float32Array.from([0.1, 0.2, -0.3, 0.1]), 2, 2, 1)), /does not saturate/);
});
