import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import {
  ParamSet,
  Adam,
  EmbeddingTable,
  embedHistory,
  Gru,
  Encoder,
  Actor,
  Critic,
  qActivation,
  FeedbackNet,
  RewardNet,
} from '../lib/nn';
import { FAST, REFERENCE, type Engine } from '../lib/nn/engine/engine';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

before(async () => {
  await initBackend();
});

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** Hand-written PyTorch GRU cell, double precision. W: [rows, cols] row-major flat. */
function gruRef(
  xs: number[][], // N steps of [E]
  Wi: Float32Array, bi: Float32Array, Wh: Float32Array, bh: Float32Array,
  E: number, H: number,
): number[] {
  let h = new Array(H).fill(0);
  const lin = (x: number[], W: Float32Array, b: Float32Array, inDim: number) => {
    const out = new Array(3 * H).fill(0);
    for (let j = 0; j < 3 * H; j++) {
      let acc = b[j];
      for (let k = 0; k < inDim; k++) acc += x[k] * W[k * 3 * H + j];
      out[j] = acc;
    }
    return out;
  };
  for (const x of xs) {
    const gi = lin(x, Wi, bi, E);
    const gh = lin(h, Wh, bh, H);
    const hn: number[] = [];
    for (let j = 0; j < H; j++) {
      const r = sig(gi[j] + gh[j]);
      const z = sig(gi[H + j] + gh[H + j]);
      const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
      hn.push((1 - z) * n + z * h[j]);
    }
    h = hn;
  }
  return h;
}

function randTable(rng: Rng, nItems: number, E: number): Float32Array {
  return rng.fillNormal(new Float32Array(nItems * E));
}

test('GRU matches a hand-written PyTorch cell (E=3, H=2, N=2) to 1e-5', () => {
  const E = 3, H = 2, N = 2, nItems = 5;
  const rng = new Rng(11);
  const table = new EmbeddingTable(randTable(rng, nItems, E), E);
  const ps = new ParamSet();
  const gru = new Gru(ps, 'g', E, H, rng);
  const hist = new Int32Array([1, 2, 3, 5, 4, 4]); // 3 users, no padding
  const out = tf.tidy(() => gru.run(embedHistory(table, hist, 3, N)));
  const got = out.dataSync();
  out.dispose();
  const W = (n: string) => ps.get(`g/${n}`).dataSync() as Float32Array;
  for (let b = 0; b < 3; b++) {
    const xs = [0, 1].map((t) => Array.from(table.data.subarray((hist[b * N + t] - 1) * E, hist[b * N + t] * E)));
    const ref = gruRef(xs, W('Wi'), W('bi'), W('Wh'), W('bh'), E, H);
    for (let j = 0; j < H; j++) assert.ok(Math.abs(got[b * H + j] - ref[j]) < 1e-5, `b${b} j${j}: ${got[b * H + j]} vs ${ref[j]}`);
  }
  ps.dispose();
});

test('encoder ignores left padding: padded history == shorter history (also mixed in one batch)', () => {
  const E = 4, H = 3, nItems = 9;
  const rng = new Rng(5);
  const table = new EmbeddingTable(randTable(rng, nItems, E), E);
  const ps = new ParamSet();
  const enc = new Encoder(ps, 'enc', E, H, rng);
  const run = (h1: number[], h2: number[], batch: number, N: number) => {
    const t = tf.tidy(() => enc.apply(embedHistory(table, new Int32Array(h1), batch, N), embedHistory(table, new Int32Array(h2), batch, N)));
    const d = Array.from(t.dataSync());
    t.dispose();
    return d;
  };
  const short = run([3, 7], [9, 1], 1, 2);
  const padded = run([0, 0, 3, 7], [0, 0, 9, 1], 1, 4); // steps padded on every row are skipped
  assert.deepEqual(padded, short);
  // mixed batch: row 0 padded, row 1 full -> masked state update on steps 0-1
  const mixed = run([0, 0, 3, 7, 1, 2, 3, 4], [0, 0, 9, 1, 5, 6, 7, 8], 2, 4);
  for (let j = 0; j < H; j++) assert.ok(Math.abs(mixed[j] - short[j]) < 1e-6);
  const full = run([1, 2, 3, 4], [5, 6, 7, 8], 1, 4);
  for (let j = 0; j < H; j++) assert.ok(Math.abs(mixed[H + j] - full[j]) < 1e-6);
  // an all-empty history gives h = 0 for that GRU: s = 0 W1 + h2 W2 + b
  const empty = run([0, 0], [9, 1], 1, 2);
  assert.notDeepEqual(empty, short);
  ps.dispose();
});

test('history inputs are validated with a clear error', () => {
  const table = new EmbeddingTable(new Float32Array(6), 2); // 3 items
  assert.throws(() => embedHistory(table, new Int32Array([0, 4]), 1, 2, 'clicked'), /clicked\[1\] = 4/);
  assert.throws(() => embedHistory(table, new Int32Array([0, 1, 2]), 1, 2, 'clicked'), /length 3 != batch 1 \* N 2/);
  assert.throws(() => new EmbeddingTable(new Float32Array(5), 2), /not a positive multiple of E=2/);
});

test('actor and critic output shapes; actor bounded by B', () => {
  const E = 5, H = 4, N = 3, K = 3, batch = 2, nItems = 7;
  const rng = new Rng(3);
  const table = new EmbeddingTable(randTable(rng, nItems, E), E);
  const actor = new Actor({ heads: K, E, H, B: 0.5 }, rng.fork('a'));
  const critic = new Critic({ heads: K, E, H, qOutput: 'relu', qBiasInit: 0.5 }, rng.fork('c'));
  const n0 = tf.memory().numTensors;
  tf.tidy(() => {
    const x1 = embedHistory(table, new Int32Array([0, 1, 2, 3, 4, 5]), batch, N);
    const x2 = embedHistory(table, new Int32Array([0, 0, 7, 6, 5, 4]), batch, N);
    const g = actor.forward(x1, x2);
    assert.equal(g.length, K);
    for (const gi of g) {
      assert.deepEqual(gi.shape, [batch, E]);
      assert.ok(tf.max(tf.abs(gi)).dataSync()[0] < 0.5);
    }
    const q = critic.forward(x1, x2, g);
    assert.equal(q.length, K);
    for (const qi of q) {
      assert.deepEqual(qi.shape, [batch]);
      assert.ok(tf.min(qi).dataSync()[0] >= 0);
    }
  });
  assert.equal(tf.memory().numTensors, n0);
  actor.dispose();
  critic.dispose();
});

test('init is PyTorch-like: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), Q bias constant', () => {
  const critic = new Critic({ heads: 1, E: 16, H: 25, qOutput: 'relu', qBiasInit: 0.7 }, new Rng(1));
  const maxAbs = (n: string) => Math.max(...Array.from(critic.params.get(n).dataSync()).map(Math.abs));
  assert.ok(maxAbs('enc/gru1/Wi') <= 1 / 5 && maxAbs('enc/gru1/Wi') > 0.15); // 1/sqrt(H)
  assert.ok(maxAbs('head0/wa/W') <= 1 / 4 && maxAbs('head0/wa/W') > 0.2); // 1/sqrt(E)
  assert.deepEqual(Array.from(critic.params.get('head0/wq/b').dataSync()), [Math.fround(0.7)]);
  critic.dispose();
});

test('soft update: t <- 0.01 w + 0.99 t to 1e-7; copyFrom / setFlat / getFlat round trip', () => {
  const a = new ParamSet(), t = new ParamSet(false);
  const rng = new Rng(2);
  a.add('x', [2, 3], { kind: 'uniform', k: 1 }, rng);
  a.add('y', [4], { kind: 'uniform', k: 1 }, rng);
  t.add('x', [2, 3], { kind: 'uniform', k: 1 }, null);
  t.add('y', [4], { kind: 'uniform', k: 1 }, null);
  const w = new Float32Array([1, -2, 3, 0.5, 0.25, -1, 10, 0, -7, 2]);
  const tt = new Float32Array([0, 1, 1, -1, 2, 3, -10, 5, 0.125, 4]);
  a.setFlat(w);
  t.setFlat(tt);
  assert.deepEqual(Array.from(a.getFlat()), Array.from(w));
  t.softUpdateFrom(a, 0.01);
  const got = t.getFlat();
  for (let i = 0; i < w.length; i++) assert.ok(Math.abs(got[i] - (0.01 * w[i] + 0.99 * tt[i])) < 1e-7 * Math.max(1, Math.abs(tt[i])));
  t.copyFrom(a);
  assert.deepEqual(Array.from(t.getFlat()), Array.from(w));
  assert.throws(() => a.setFlat(new Float32Array(3)), /length 10/);
  assert.deepEqual(a.entries().map((e) => [e.name, e.offset, e.size]), [['x', 0, 6], ['y', 6, 4]]);
  a.dispose();
  t.dispose();
});

test('Adam matches the torch.optim.Adam formula; state round-trips', () => {
  const ps = new ParamSet();
  ps.add('p', [3], { kind: 'const', value: 0 }, new Rng(1));
  ps.setFlat(new Float32Array([1, -2, 0.5]));
  const opt = new Adam(ps, { lr: 0.1 });
  const gs = [[0.5, -1, 2], [0.1, 0.2, -0.3], [1, 1, 1]];
  const p = [1, -2, 0.5], m = [0, 0, 0], v = [0, 0, 0];
  gs.forEach((g, k) => {
    const t = k + 1;
    const gt = tf.tensor1d(g);
    opt.apply([gt]);
    gt.dispose();
    for (let i = 0; i < 3; i++) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      p[i] -= (0.1 / (1 - 0.9 ** t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8);
    }
  });
  const got = ps.getFlat();
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(got[i] - p[i]) < 1e-6, `${got[i]} vs ${p[i]}`);
  const st = opt.getState();
  assert.equal(st.step, 3);
  const opt2 = new Adam(ps, { lr: 0.1 });
  opt2.setState(st);
  assert.deepEqual(opt2.getState(), st);
  opt.dispose();
  opt2.dispose();
  ps.dispose();
});

test('output ReLU: straight-through gradient only when the whole minibatch is dead', () => {
  const g = (z: number[]) => {
    const t = tf.tensor1d(z);
    const d = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(qActivation(x as tf.Tensor1D, 'relu', true), tf.tensor1d([1, 2, 3]))))(t);
    const out = Array.from(d.dataSync());
    t.dispose();
    d.dispose();
    return out;
  };
  assert.deepEqual(g([-1, -2, 0]), [1, 2, 3]); // all dead: identity gradient
  assert.deepEqual(g([-1, 2, 0]), [0, 2, 0]); // one alive: ordinary ReLU gradient
  const fwd = tf.tidy(() => Array.from(qActivation(tf.tensor1d([-1, 2]), 'relu', true).dataSync()));
  assert.deepEqual(fwd, [0, 2]);
  const sp = tf.tidy(() => Array.from(qActivation(tf.tensor1d([0]), 'softplus', false).dataSync()));
  assert.ok(Math.abs(sp[0] - Math.log(2)) < 1e-6);
});

/** Tiny random world for FeedbackNet / RewardNet. */
function world(seed: number, nItems: number, E: number, N: number) {
  const rng = new Rng(seed);
  const table = randTable(rng, nItems, E);
  const hist = (batch: number) => {
    const h = new Int32Array(batch * N);
    for (let b = 0; b < batch; b++) {
      const len = rng.int(N + 1); // left padded
      for (let t = N - len; t < N; t++) h[b * N + t] = 1 + rng.int(nItems);
    }
    return h;
  };
  return { rng, table, hist };
}

test('FeedbackNet learns label = item % 3 to high accuracy; outputs are distributions', () => {
  const E = 8, N = 3, nItems = 30, batch = 32;
  const { rng, table, hist } = world(7, nItems, E, N);
  const net = new FeedbackNet(table, { E, N, H: 8, hidden: 16, lr: 0.01 }, rng.fork('net'));
  let first = 0, last = 0;
  for (let step = 0; step < 300; step++) {
    const items = new Int32Array(batch).map(() => rng.int(nItems));
    const labels = new Uint8Array(batch).map((_, i) => items[i] % 3);
    const loss = net.trainStep(hist(batch), hist(batch), items, labels, [1, 1, 1]);
    if (step === 0) first = loss;
    last = loss;
  }
  assert.ok(last < first * 0.3, `loss ${first} -> ${last}`);
  const items = new Int32Array(nItems).map((_, i) => i);
  const p = net.predict(hist(nItems), hist(nItems), items);
  assert.equal(p.length, nItems * 3);
  let correct = 0;
  for (let i = 0; i < nItems; i++) {
    const row = Array.from(p.subarray(i * 3, i * 3 + 3));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    if (row.indexOf(Math.max(...row)) === i % 3) correct++;
  }
  assert.ok(correct / nItems >= 0.9, `accuracy ${correct}/${nItems}`);
  const sc = net.scoreCandidates(hist(2), hist(2), new Int32Array([0, 1, 2, 3, 4, 5]));
  assert.equal(sc.length, 2 * 3 * 3);
  assert.throws(() => net.trainStep(hist(2), hist(2), new Int32Array([0, 1]), new Uint8Array([0, 3]), [1, 1, 1]), /labels\[1\] = 3/);
  net.dispose();
});

test('class weights scale the cross-entropy as PyTorch CrossEntropyLoss(weight)', () => {
  const E = 4, N = 2, nItems = 5;
  const { rng, table, hist } = world(8, nItems, E, N);
  const net = new FeedbackNet(table, { E, N, H: 3, hidden: 4, lr: 1e-12 }, rng.fork('net'));
  const h1 = hist(2), h2 = hist(2), items = new Int32Array([1, 3]), labels = new Uint8Array([0, 2]);
  const p = net.predict(h1, h2, items);
  const expect = -(1 * Math.log(p[0]) + 4 * Math.log(p[5])) / 5;
  const loss = net.trainStep(h1, h2, items, labels, [1, 2, 4]);
  assert.ok(Math.abs(loss - expect) < 1e-5, `${loss} vs ${expect}`);
  net.dispose();
});

test('RewardNet: scoreCandidates equals predict on every (user, candidate) pair; regression learns', () => {
  const E = 6, N = 4, nItems = 20, batch = 3, C = 5;
  const { rng, table, hist } = world(9, nItems, E, N);
  const net = new RewardNet(table, { E, N, H: 5, hidden: 7, lr: 0.01 }, rng.fork('net'));
  const h1 = hist(batch), h2 = hist(batch);
  const cands = new Int32Array(batch * C).map(() => rng.int(nItems));
  const scores = net.scoreCandidates(h1, h2, cands);
  assert.equal(scores.length, batch * C);
  const rep = (h: Int32Array) => {
    const out = new Int32Array(batch * C * N);
    for (let b = 0; b < batch; b++) for (let c = 0; c < C; c++) out.set(h.subarray(b * N, b * N + N), (b * C + c) * N);
    return out;
  };
  const pred = net.predict(rep(h1), rep(h2), cands);
  for (let i = 0; i < batch * C; i++) assert.ok(Math.abs(pred[i] - scores[i]) < 1e-5, `${i}: ${pred[i]} vs ${scores[i]}`);
  // regression: reward = first embedding coordinate of the item
  let first = 0, last = 0;
  for (let step = 0; step < 200; step++) {
    const items = new Int32Array(16).map(() => rng.int(nItems));
    const y = new Float32Array(16).map((_, i) => table[items[i] * E]);
    const mse = net.trainStep(hist(16), hist(16), items, y);
    if (step === 0) first = mse;
    last = mse;
  }
  assert.ok(last < first * 0.2, `mse ${first} -> ${last}`);
  net.dispose();
});

test('FeedbackNet / RewardNet: save -> load gives identical predictions and weights', async () => {
  const E = 4, N = 2, nItems = 6;
  const { rng, table, hist } = world(10, nItems, E, N);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-test-'));
  try {
    const net = new RewardNet(table, { E, N, H: 3, hidden: 4 }, rng.fork('r'));
    net.trainStep(hist(4), hist(4), new Int32Array([0, 1, 2, 3]), new Float32Array([1, 0, 1, 0]));
    await net.save(path.join(dir, 'r'));
    const back = await RewardNet.load(path.join(dir, 'r'), table);
    const h1 = hist(3), h2 = hist(3), it = new Int32Array([5, 4, 3]);
    assert.deepEqual(back.predict(h1, h2, it), net.predict(h1, h2, it));
    assert.deepEqual(back.getWeights(), net.getWeights());
    const fb = new FeedbackNet(table, { E, N, H: 3, hidden: 4 }, rng.fork('f'));
    await fb.save(path.join(dir, 'f'));
    const fb2 = await FeedbackNet.load(path.join(dir, 'f'), table);
    assert.deepEqual(fb2.predict(h1, h2, it), fb.predict(h1, h2, it));
    await assert.rejects(() => FeedbackNet.load(path.join(dir, 'r'), table), /format is 'hrl-mg\/rewardNet'/);
    for (const n of [net, back, fb, fb2]) n.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fast path (custom GRU/Dense gradients) equals the autodiff reference: values and all gradients', () => {
  const E = 5, H = 4, N = 4, K = 2, batch = 3, nItems = 9;
  const rng = new Rng(21);
  const table = new EmbeddingTable(randTable(rng, nItems, E), E);
  const critic = new Critic({ heads: K, E, H, qOutput: 'linear', qBiasInit: 0.1 }, rng.fork('c'), true, REFERENCE);
  const actor = new Actor({ heads: K, E, H, B: 1 }, rng.fork('a'), true, REFERENCE);
  // the same weights on the fast engine (the engine is chosen when a network is built)
  const criticF = new Critic(critic.cfg, null, true, FAST);
  criticF.params.copyFrom(critic.params);
  const actorF = new Actor(actor.cfg, null, true, FAST);
  actorF.params.copyFrom(actor.params);
  // step 0 padded on every row (skipped), steps 1-2 mixed (masked), step 3 full
  const h1 = new Int32Array([0, 0, 1, 2, 0, 3, 4, 5, 0, 0, 0, 6]);
  const h2 = new Int32Array([0, 0, 0, 7, 0, 8, 9, 1, 0, 2, 3, 4]);
  const run = (fast: boolean) => {
    const engine: Engine = fast ? FAST : REFERENCE;
    const [a, c] = fast ? [actorF, criticF] : [actor, critic];
    return tf.tidy(() => {
      const x1 = embedHistory(table, h1, batch, N, 'h1', engine), x2 = embedHistory(table, h2, batch, N, 'h2', engine);
      const empty = embedHistory(table, new Int32Array(batch * N), batch, N, 'empty', engine); // all padding
      const f = () => {
        const g = a.forward(x1, x2);
        const q = c.forward(x1, x2, g);
        const q2 = c.forward(empty, x2, g);
        return tf.add(tf.sum(tf.mul(tf.stack(q), tf.tensor2d([[1, -2, 3], [0.5, 1, -1]]))), tf.sum(tf.stack(q2))) as tf.Scalar;
      };
      const vars = [...a.params.vars, ...c.params.vars];
      const { value, grads } = tf.variableGrads(f, vars);
      // one flat variable per network: split its gradient into the named tensors
      const perTensor = [a.params, c.params].flatMap((ps, k) => {
        const g = grads[vars[k].name].dataSync();
        return ps.entries().map((e) => Array.from(g.subarray(e.offset, e.offset + e.size)));
      });
      return { value: value.dataSync()[0], grads: perTensor };
    });
  };
  const ref = run(false), fast = run(true);
  assert.ok(Math.abs(ref.value - fast.value) < 1e-5 * Math.max(1, Math.abs(ref.value)), `${ref.value} vs ${fast.value}`);
  const names = [...actor.params.specs.map((s) => 'actor/' + s.name), ...critic.params.specs.map((s) => 'critic/' + s.name)];
  ref.grads.forEach((g, i) => {
    const scale = Math.max(1e-3, ...g.map(Math.abs));
    g.forEach((x, j) => assert.ok(Math.abs(x - fast.grads[i][j]) < 1e-5 * scale, `${names[i]}[${j}]: ${x} vs ${fast.grads[i][j]}`));
  });
  // gradients reach both GRUs' input and recurrent weights
  for (const n of ['critic/enc/gru1/Wi', 'critic/enc/gru1/Wh', 'actor/enc/gru2/Wh', 'actor/enc/gru2/bh']) {
    assert.ok(fast.grads[names.indexOf(n)].some((x) => Math.abs(x) > 1e-6), `${n} has no gradient`);
  }
  for (const n of [actor, critic, actorF, criticF]) n.dispose();
});
