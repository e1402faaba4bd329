import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { resolveConfig } from '../lib/util/config';
import { actionPenaltyTerm, actorStep, criticStep } from '../lib/agents/ddpgLoss';
import { ddpgConfigOf, ddpgSpec, DDPG_NEUTRAL } from '../lib/agents/ddpgConfig';
import { NEUTRAL_SINCE_0_1_0, lowLevelSpec, omitNeutral, resolveAgentConfig } from '../lib/agents/agentConfig';
import { qActivation, qSlope, qValue, Q_OUTPUTS, type QOutput } from '../lib/nn/qOutput';

before(async () => {
  await initBackend();
});

const f32 = (xs: number[]) => Float32Array.from(xs);
const isZero = (xs: ArrayLike<number>) => Array.from(xs).every((x) => x === 0);

test('criticStep by hand: squared TD error, qMean parts, dL/dz; dead head with and without the straight-through gradient', () => {
  // head 0 alive: q = [0.5, 0], err = [0.5, 0]; head 1 dead: q = [0, 0], err = [1, 1]
  const z = [f32([0.5, -1]), f32([-1, -2])];
  const y = [Float64Array.from([1, 0]), Float64Array.from([1, 1])];
  const st = criticStep(z, y, 'relu', true);
  assert.equal(st.loss, 0.125 + 1);
  assert.equal(st.qSum, 0.5);
  assert.equal(st.dead, 1);
  assert.deepEqual(Array.from(st.dz[0], (v) => v + 0), [-0.5, 0]); // (+ 0: -0 -> 0)
  assert.deepEqual(Array.from(st.dz[1]), [-1, -1]); // act' := 1 on the dead head
  const plain = criticStep(z, y, 'relu', false);
  assert.equal(plain.loss, st.loss);
  assert.ok(isZero(plain.dz[1]), 'no straight-through: a dead ReLU head has no gradient');
});

test('actorStep by hand: -mean Q per head, dL/dz; the action penalty and its gradient', () => {
  const z = [f32([1, -1])]; // linear: Q = z
  const a = actorStep(z, null, 'linear', 0);
  assert.equal(a.loss, 0);
  assert.deepEqual(Array.from(a.dz[0]), [-0.5, -0.5]);
  assert.equal(a.dmu, null);
  const mu = [f32([1, 2, 0, -1])]; // batch 2, E 2: sum ||mu_j||^2 = 6
  const p = actorStep(z, mu, 'linear', 0.5);
  assert.equal(p.loss, (0.5 * 6) / 2);
  assert.deepEqual(Array.from(p.dmu![0]), [0.5, 1, 0, -0.5]); // 2 lambda mu / batch
  assert.deepEqual(actionPenaltyTerm(mu, 0.5, 2, 10).loss, 10 + 1.5);
  assert.throws(() => actorStep(z, null, 'linear', 0.5), /proto-actions/);
});

test('loss algebra equals tfjs autodiff of the same losses (every Q output, with the action penalty)', () => {
  const rng = new Rng(3);
  const K = 2, batch = 5, E = 3, lambda = 0.3;
  for (const kind of Q_OUTPUTS) {
    const z = Array.from({ length: K }, () => rng.fillNormal(new Float32Array(batch)));
    z[0][0] = Math.abs(z[0][0]) + 0.1; // no dead head (no straight-through here)
    z[1][0] = Math.abs(z[1][0]) + 0.1;
    const y = Array.from({ length: K }, () => Float64Array.from(rng.fillNormal(new Float32Array(batch)), Math.abs));
    const mu = Array.from({ length: K }, () => rng.fillUniform(new Float32Array(batch * E), -1, 1));
    const c = criticStep(z, y, kind, false);
    const a = actorStep(z, mu, kind, lambda);
    tf.tidy(() => {
      const zs = z.map((zi) => tf.tensor1d(zi));
      const ms = mu.map((m) => tf.tensor2d(m, [batch, E]));
      const critic = tf.grads((...zz: tf.Tensor[]) =>
        zz.reduce((s, zi, i) => tf.add(s, tf.mean(tf.square(tf.sub(tf.tensor1d(Float32Array.from(y[i])), qActivation(zi as tf.Tensor1D, kind, false))))), tf.scalar(0)) as tf.Scalar,
      )(zs);
      const actorLoss = (...xs: tf.Tensor[]) => {
        let s: tf.Tensor = tf.scalar(0);
        for (let i = 0; i < K; i++) s = tf.sub(s, tf.mean(qActivation(xs[i] as tf.Tensor1D, kind, false)));
        for (let i = 0; i < K; i++) s = tf.add(s, tf.mul(lambda, tf.mean(tf.sum(tf.square(xs[K + i]), 1))));
        return s as tf.Scalar;
      };
      const actor = tf.grads(actorLoss)([...zs, ...ms]);
      const cl = tf.tidy(() => zs.reduce((s, zi, i) => tf.add(s, tf.mean(tf.square(tf.sub(tf.tensor1d(Float32Array.from(y[i])), qActivation(zi as tf.Tensor1D, kind, false))))), tf.scalar(0)));
      assert.ok(Math.abs(cl.dataSync()[0] - c.loss) < 1e-5 * Math.max(1, c.loss), `${kind} critic loss`);
      assert.ok(Math.abs(actorLoss(...zs, ...ms).dataSync()[0] - a.loss) < 1e-5 * Math.max(1, Math.abs(a.loss)), `${kind} actor loss`);
      const close = (got: ArrayLike<number>, want: tf.Tensor, what: string) =>
        Array.from(want.dataSync()).forEach((w, j) => assert.ok(Math.abs(w - got[j]) < 1e-6, `${kind} ${what}[${j}]: ${got[j]} vs ${w}`));
      for (let i = 0; i < K; i++) {
        close(c.dz[i], critic[i], `critic dz${i}`);
        close(a.dz[i], actor[i], `actor dz${i}`);
        close(a.dmu![i], actor[K + i], `actor dmu${i}`);
      }
    });
  }
});

test('qValue / qSlope are the tensor activation and its derivative', () => {
  const zs = [-3, -0.5, 0.25, 2, 15];
  for (const kind of Q_OUTPUTS as readonly QOutput[]) {
    const [v, d] = tf.tidy(() => {
      const z = tf.tensor1d(zs);
      return [qActivation(z, kind, false).dataSync(), tf.grad((x: tf.Tensor) => tf.sum(qActivation(x as tf.Tensor1D, kind, false)))(z).dataSync()];
    });
    zs.forEach((z, j) => {
      assert.ok(Math.abs(qValue(z, kind) - v[j]) < 1e-6, `${kind} q(${z})`);
      assert.ok(Math.abs(qSlope(z, kind) - d[j]) < 1e-6, `${kind} q'(${z})`);
    });
  }
});

test('ddpgConfigOf: the one mapping of agent fields to core fields; core defaults are the agent defaults', () => {
  const hrlmg = resolveAgentConfig('hrl-mg', { M: 3, lrHighActor: 2e-4, lrHighCritic: 3e-3, lrActor: 5e-5, bound: 0.7, actionPenalty: 0.2 });
  const low = ddpgConfigOf('low', hrlmg);
  const high = ddpgConfigOf('high', hrlmg);
  assert.deepEqual([low.heads, low.lrActor, low.lrCritic, low.B, low.actionPenalty], [1, 5e-5, 1e-3, 0.7, 0.2]);
  assert.deepEqual([high.heads, high.lrActor, high.lrCritic, high.B, high.actionPenalty], [3, 2e-4, 3e-3, 0.7, 0.2]);
  // a derived config is complete and valid: resolving it changes nothing, and its keys are the spec's in order
  for (const c of [low, high]) {
    assert.deepEqual(resolveConfig('ddpg', ddpgSpec, c), c);
    assert.deepEqual(Object.keys(c), Object.keys(ddpgSpec));
  }
  // one default per field: the core's are the agent's (lrActor 1e-4, as every agent used)
  assert.equal(ddpgSpec.lrActor.default, lowLevelSpec.lrActor.default);
  assert.equal(ddpgSpec.lrActor.default, 1e-4);
  const d = ddpgConfigOf('low', resolveAgentConfig('ddpg', {}));
  assert.deepEqual(d, resolveConfig('ddpg', ddpgSpec, {}));
});

test('record-only-when-non-neutral: declared on the fields, one rule', () => {
  assert.deepEqual({ ...NEUTRAL_SINCE_0_1_0 }, { actionPenalty: 0, mappingK: 1, body: 'paper', rank: 16, embeddingScale: 1, objective: 'regression' }); // + mappingK (issue 14), the DNN's body options and objective (issue 11)
  assert.equal('actionPenalty' in omitNeutral({ actionPenalty: 0, M: 2 }), false);
  assert.equal(omitNeutral({ actionPenalty: 0.5 }).actionPenalty, 0.5);
  // a core's model.json has always recorded actionPenalty: nothing of today's core is omitted
  assert.deepEqual({ ...DDPG_NEUTRAL }, {});
});
