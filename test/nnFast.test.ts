import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { Actor, Critic, EmbeddingTable, embedHistory, ParamSet } from '../lib/nn';
import { FAST, REFERENCE } from '../lib/nn/engine/engine';
import { padRows } from '../lib/nn/history';
import { gather, scatter, simdSigmoid } from '../lib/nn/engine/kernels';
import { simdImpl } from '../lib/nn/engine/simd';

before(async () => {
  await initBackend();
});

test('wasm SIMD sigmoid: max abs error vs double precision <= 2e-7 over [-120, 120] (tfjs Sigmoid: ~9e-8)', (t) => {
  const n = 1 << 14;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.fround(-120 + (240 * i) / (n - 1));
  x.set([0, -0, 1e-8, -1e-8, 87.5, -87.5, 30, -30]);
  const y = tf.tidy(() => simdSigmoid(tf.tensor1d(x))?.dataSync());
  if (!y) return t.skip('SIMD kernels are used on the wasm backend only');
  let maxErr = 0;
  for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - 1 / (1 + Math.exp(-x[i]))));
  assert.ok(maxErr <= 2e-7, `max abs error ${maxErr}`);
  assert.equal(y[0], 0.5);
  assert.equal(y[4], 1);
});

test('padRows: >= K, a multiple of 16 floats spanning an odd number of 64-byte lines', () => {
  for (const K of [1, 3, 16, 30, 640, 2560, 2561]) {
    const k = padRows(K);
    assert.ok(k >= K && k % 16 === 0 && (k / 16) % 2 === 1, `K=${K} -> ${k}`);
  }
  assert.equal(padRows(2560), 2576);
});

test('gather / scatter: strided, stacked, summed and scaled blocks; scatter is the transpose of gather', () => {
  // flat = 0..11 as A [2, 3] (off 0) and b [3] (off 6) and c [3] (off 9)
  const flat = tf.tensor1d(Array.from({ length: 12 }, (_, i) => i));
  const blocks = tf.tidy(() =>
    gather(flat, [
      { shape: [1, 3, 2], cols: 2, parts: [{ rows: 3, segs: [{ off: 0, rs: 1, cs: 3 }] }], scale: 1 }, // A^T
      { shape: [3], cols: 3, parts: [{ rows: 1, segs: [{ off: 6, rs: 0, cs: 1 }, { off: 9, rs: 0, cs: 1 }] }], scale: 2 }, // 2 (b + c)
      { shape: [1, 3, 3], cols: 3, parts: [{ rows: 2, segs: [{ off: 0, rs: 3, cs: 1 }] }, { rows: 1, segs: [{ off: 6, rs: 0, cs: 1 }] }], scale: 1 }, // (A ; b)
    ]).map((b) => Array.from(b.dataSync())),
  );
  assert.deepEqual(blocks[0], [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(blocks[1], [2 * (6 + 9), 2 * (7 + 10), 2 * (8 + 11)]);
  assert.deepEqual(blocks[2], [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const g = tf.tidy(() => {
    const p0 = tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]); // d(A^T)
    const p1 = tf.tensor3d([[[10, 20, 30]]]); // d(b + c) (1 row)
    return Array.from(
      scatter(12, [p0, p1], [
        { piece: 0, r0: 0, rows: 3, c0: 0, cols: 2, seg: { off: 0, rs: 1, cs: 3 }, scale: 1 },
        { piece: 1, r0: 0, rows: 1, c0: 0, cols: 3, seg: { off: 6, rs: 0, cs: 1 }, scale: 1 },
        { piece: 1, r0: 0, rows: 1, c0: 1, cols: 2, seg: { off: 9, rs: 0, cs: 1 }, scale: 2 },
      ]).dataSync(),
    );
  });
  assert.deepEqual(g, [1, 3, 5, 2, 4, 6, 10, 20, 30, 40, 60, 0]);
  flat.dispose();
});

/** Fast path vs plain autodiff: value and all gradients of actor + critic (left padding, masks, an empty history). */
function compareGradients(E: number, H: number, batch: number, seed: number): void {
  const N = 4, K = 2, nItems = 9;
  const rng = new Rng(seed);
  const table = new EmbeddingTable(rng.fillNormal(new Float32Array(nItems * E)), E);
  const critic = new Critic({ heads: K, E, H, qOutput: 'linear', qBiasInit: 0.1 }, rng.fork('c'), true, REFERENCE);
  const actor = new Actor({ heads: K, E, H, B: 1 }, rng.fork('a'), true, REFERENCE);
  // the same weights on the fast engine (the engine is chosen when a network is built)
  const criticF = new Critic(critic.cfg, null, true, FAST);
  criticF.params.copyFrom(critic.params);
  const actorF = new Actor(actor.cfg, null, true, FAST);
  actorF.params.copyFrom(actor.params);
  const hist = () => {
    const h = new Int32Array(batch * N);
    for (let b = 0; b < batch; b++) {
      const len = b === 0 ? N : rng.int(N); // row 0 full, others left-padded (step 0 never padded on every row)
      for (let t = N - len; t < N; t++) h[b * N + t] = 1 + rng.int(nItems);
    }
    return h;
  };
  const h1 = hist(), h2 = hist();
  const w = Array.from({ length: K * batch }, () => rng.normal());
  const run = (fast: boolean) => {
    const engine = fast ? FAST : REFERENCE;
    const [a, c] = fast ? [actorF, criticF] : [actor, critic];
    return tf.tidy(() => {
      const x1 = embedHistory(table, h1, batch, N, 'h1', engine), x2 = embedHistory(table, h2, batch, N, 'h2', engine);
      const empty = embedHistory(table, new Int32Array(batch * N), batch, N, 'empty', engine);
      const f = () => {
        const g = a.forward(x1, x2);
        const q = c.forward(x1, x2, g);
        const q2 = c.forward(empty, x2, g);
        return tf.add(tf.sum(tf.mul(tf.stack(q), tf.tensor2d(w, [K, batch]))), tf.sum(tf.stack(q2))) as tf.Scalar;
      };
      const vars = [...a.params.vars, ...c.params.vars];
      const { value, grads } = tf.variableGrads(f, vars);
      return { value: value.dataSync()[0], grads: vars.map((v) => Array.from(grads[v.name].dataSync())) };
    });
  };
  const ref = run(false), fast = run(true);
  assert.ok(Math.abs(ref.value - fast.value) < 1e-5 * Math.max(1, Math.abs(ref.value)), `${ref.value} vs ${fast.value}`);
  const sets = [actor.params, critic.params];
  ref.grads.forEach((g, k) => {
    const scale = Math.max(1e-3, ...g.map(Math.abs));
    const ents = sets[k].entries();
    g.forEach((x, j) => {
      const name = ents.find((e) => j >= e.offset && j < e.offset + e.size)!.name;
      assert.ok(Math.abs(x - fast.grads[k][j]) < 2e-5 * scale, `${k ? 'critic' : 'actor'}/${name}[${j}]: ${x} vs ${fast.grads[k][j]}`);
    });
    assert.ok(g.some((x) => Math.abs(x) > 1e-6));
  });
  for (const n of [actor, critic, actorF, criticF]) n.dispose();
}

test('fast path equals autodiff: SIMD kernels (H % 4 = 0), batch not a multiple of 4, masks', () => {
  compareGradients(5, 8, 6, 31);
});

test('fast path equals autodiff: JS kernels (H % 4 != 0, and H % 4 = 0 with SIMD switched off)', () => {
  compareGradients(4, 6, 5, 32);
  simdImpl.enabled = false;
  try {
    compareGradients(5, 8, 6, 31);
  } finally {
    simdImpl.enabled = true;
  }
});

test('ParamSet: one flat variable; blocks follow every change; get() views; no tensor growth', () => {
  const ps = new ParamSet();
  ps.add('W', [2, 3], { kind: 'uniform', k: 1 }, new Rng(4));
  const k = ps.addBlock({ shape: [1, 3, 2], cols: 2, parts: [{ rows: 3, segs: [{ off: 0, rs: 1, cs: 3 }] }], scale: 1 });
  ps.seal();
  assert.equal(ps.vars.length, 1);
  const n0 = tf.memory().numTensors;
  ps.setFlat(new Float32Array([1, 2, 3, 4, 5, 6]));
  assert.deepEqual(Array.from(ps.blocks()[k].dataSync()), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(Array.from(ps.get('W').dataSync()), [1, 2, 3, 4, 5, 6]);
  const t = new ParamSet(false);
  t.add('W', [2, 3], { kind: 'const', value: 0 }, null);
  t.addBlock({ shape: [1, 3, 2], cols: 2, parts: [{ rows: 3, segs: [{ off: 0, rs: 1, cs: 3 }] }], scale: 1 });
  t.seal();
  t.copyFrom(ps);
  for (let i = 0; i < 5; i++) t.softUpdateFrom(ps, 0.5);
  assert.deepEqual(Array.from(t.blocks()[0].dataSync()), [1, 4, 2, 5, 3, 6]);
  assert.equal(tf.memory().numTensors, n0 + 1 + 1 + 1); // t's variable and block, ps's cached view
  ps.dispose();
  t.dispose();
});
