/**
 * The state x item bodies of the simulator's FeedbackNet and the DNN's RewardNet (stateItemNet.ts):
 * shapes, the JS candidate head against the tensor path, gradients against finite differences,
 * save/load, a learning test on a bilinear rule the additive paper body cannot fit in the same
 * steps, and loading of agents and simulators saved before the `body` option (absent = 'paper').
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { StateItemNet, type StateItemConfig } from '../lib/nn/stateItemNet';
import { RewardNet } from '../lib/nn/rewardNet';
import { FeedbackNet } from '../lib/nn/feedbackNet';
import { createAgent, loadAgent } from '../lib/agents/factory';
import type { DnnAgent } from '../lib/agents/dnnAgent';
import { fitSimulator } from '../lib/sim/fitSimulator';
import { Simulator } from '../lib/sim/simulator';
import { Rng } from '../lib/util/rng';
import { tinyDataset } from './simFixture';

const E = 8, N = 4, NI = 60;
const small = { E, N, H: 8, hidden: 8 };

function table(seed: number, nItems = NI, dim = E): Float32Array {
  const t = new Rng(seed).fillNormal(new Float32Array(nItems * dim));
  for (let i = 0; i < nItems; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += t[i * dim + k] ** 2;
    for (let k = 0; k < dim; k++) t[i * dim + k] /= Math.sqrt(s); // unit rows, like the dataset's
  }
  return t;
}

function hist(rng: Rng, batch: number, nItems = NI): Int32Array {
  return Int32Array.from({ length: batch * N }, (_, j) => (j % N === 0 && rng.random() < 0.3 ? 0 : 1 + rng.int(nItems))); // some padding
}

/** Exposes the MSE loss of the raw output and its gradient w.r.t. the flat weights. */
class Probe extends StateItemNet {
  constructor(t: Float32Array, cfg: Partial<StateItemConfig>, seed: number) {
    super('probe', 2, t, cfg, new Rng(seed));
  }
  loss(h1: Int32Array, h2: Int32Array, items: Int32Array, y: Float32Array): tf.Scalar {
    const b = items.length;
    return tf.mean(tf.square(tf.sub(this.forward(h1, h2, items, b, 1), tf.tensor2d(y, [b, 2])))) as tf.Scalar;
  }
  lossValue(h1: Int32Array, h2: Int32Array, items: Int32Array, y: Float32Array): number {
    return this.read(() => this.loss(h1, h2, items, y))[0];
  }
  grad(h1: Int32Array, h2: Int32Array, items: Int32Array, y: Float32Array): Float32Array {
    return tf.tidy(() => {
      const { grads } = tf.variableGrads(() => this.loss(h1, h2, items, y), this.params.vars);
      return grads[this.params.vars[0].name].dataSync() as Float32Array;
    }).slice();
  }
}

test('interact body: shapes, JS candidate head = tensor path, paper layout untouched', async () => {
  await initBackend();
  const t = table(1);
  const rng = new Rng(2);
  const B = 5, C = 7;
  const h1 = hist(rng, B), h2 = hist(rng, B);
  const cands = Int32Array.from({ length: B * C }, () => rng.int(NI));
  const paper = new RewardNet(t, small, new Rng(3));
  const net = new RewardNet(t, { ...small, body: 'interact', rank: 4 }, new Rng(3));
  // the interact tensors come after the paper ones, drawn after them: same paper prefix
  assert.deepEqual(net.getWeights().net.subarray(0, paper.params.size), paper.getWeights().net);
  assert.equal(net.params.size - paper.params.size, E * 4 + 2 * (2 * N) + 8 * E + 8 * 4);
  // give the zero-initialised interaction weights values, then compare paths
  const w = net.getWeights();
  const r = new Rng(4);
  for (let j = paper.params.size; j < w.net.length; j++) w.net[j] = (r.random() - 0.5) * 0.5;
  net.setWeights(w);
  const sc = net.scoreCandidates(h1, h2, cands); // JS head
  assert.equal(sc.length, B * C);
  for (let k = 0; k < C; k++) {
    const items = Int32Array.from({ length: B }, (_, b) => cands[b * C + k]);
    const p = net.predict(h1, h2, items); // tensor head
    for (let b = 0; b < B; b++) assert.ok(Math.abs(p[b] - sc[b * C + k]) < 1e-4, `candidate ${k} of user ${b}: ${p[b]} vs ${sc[b * C + k]}`);
  }
  const fb = new FeedbackNet(t, { ...small, body: 'interact' }, new Rng(3));
  const pr = fb.scoreCandidates(h1, h2, cands);
  assert.equal(pr.length, B * C * 3);
  for (let r0 = 0; r0 < B * C; r0++) assert.ok(Math.abs(pr[r0 * 3] + pr[r0 * 3 + 1] + pr[r0 * 3 + 2] - 1) < 1e-5);
  for (const n of [paper, net, fb]) n.dispose();
});

test('interact body: gradient against central finite differences', async () => {
  await initBackend();
  const t = table(5);
  const rng = new Rng(6);
  const B = 6;
  const h1 = hist(rng, B), h2 = hist(rng, B);
  const items = Int32Array.from({ length: B }, () => rng.int(NI));
  const y = Float32Array.from({ length: 2 * B }, () => rng.random() * 2 - 1);
  const net = new Probe(t, { ...small, body: 'interact', rank: 3 }, 7);
  const w = net.getWeights();
  const r = new Rng(8);
  for (let j = 0; j < w.net.length; j++) if (w.net[j] === 0) w.net[j] = (r.random() - 0.5) * 0.6;
  net.setWeights(w);
  const g = net.grad(h1, h2, items, y);
  const base = w.net.slice();
  const names = ['ix/P', 'ix/Dr', 'ix/G', 'ix/Qe', 'ix/Qp', 'we/W', 'enc/gru2/Wx'];
  let checked = 0;
  for (const e of net.params.entries()) {
    if (!names.some((n) => e.name.startsWith(n))) continue;
    for (let q = 0; q < 3; q++) {
      const j = e.offset + r.int(e.size);
      const eps = 1e-2;
      const f = (d: number): number => {
        const x = base.slice();
        x[j] += d;
        net.setWeights({ ...w, net: x });
        return net.lossValue(h1, h2, items, y);
      };
      const num = (f(eps) - f(-eps)) / (2 * eps);
      assert.ok(Math.abs(num - g[j]) <= 2e-3 + 0.05 * Math.abs(num), `${e.name}[${j - e.offset}]: autodiff ${g[j]} vs finite difference ${num}`);
      checked++;
    }
  }
  assert.ok(checked >= 18, `checked ${checked} coordinates`);
  net.dispose();
});

test('interact body: save/load round trip; a paper net records no body', async () => {
  await initBackend();
  const t = table(9);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-body-'));
  try {
    const net = new RewardNet(t, { ...small, body: 'interact', rank: 5 }, new Rng(1));
    const rng = new Rng(2);
    const h1 = hist(rng, 4), h2 = hist(rng, 4);
    const items = Int32Array.from({ length: 4 }, () => rng.int(NI));
    net.trainStep(h1, h2, items, Float32Array.from([1, 0, 2, 1])); // nonzero interaction weights
    await net.save(path.join(dir, 'i'));
    const back = await RewardNet.load(path.join(dir, 'i'), t);
    assert.equal(back.cfg.body, 'interact');
    assert.equal(back.cfg.rank, 5);
    assert.deepEqual(back.getWeights().net, net.getWeights().net);
    assert.deepEqual(back.predict(h1, h2, items), net.predict(h1, h2, items));
    const paper = new RewardNet(t, small, new Rng(1));
    await paper.save(path.join(dir, 'p'));
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'p', 'model.json'), 'utf8')).userDefinedMetadata;
    assert.equal(meta.config.body, undefined); // same bytes as before the option existed
    assert.equal((await RewardNet.load(path.join(dir, 'p'), t)).cfg.body, 'paper');
    for (const n of [net, back, paper]) n.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('learning: the interact body fits a bilinear rule the additive body cannot in the same steps', async () => {
  await initBackend();
  const nItems = 200;
  const t = table(11, nItems);
  const cfg = { E, N, H: 16, hidden: 16, lr: 3e-3 };
  // target: 2 * cos(item, last clicked item) (rows are unit vectors): "matches what the user just clicked"
  const rule = (h2: Int32Array, items: Int32Array): Float32Array =>
    Float32Array.from(items, (it, b) => {
      const last = h2[b * N + N - 1] - 1;
      let c = 0;
      for (let k = 0; k < E; k++) c += t[it * E + k] * t[last * E + k];
      return 2 * c;
    });
  const batch = (rng: Rng, B: number) => {
    const h1 = hist(rng, B, nItems);
    const h2 = Int32Array.from({ length: B * N }, () => 1 + rng.int(nItems));
    const items = Int32Array.from({ length: B }, () => rng.int(nItems));
    return { h1, h2, items, y: rule(h2, items) };
  };
  const test0 = batch(new Rng(99), 512);
  let variance = 0;
  for (const v of test0.y) variance += v * v;
  variance /= test0.y.length;
  const mse: Record<string, number> = {};
  for (const body of ['paper', 'interact'] as const) {
    const net = new RewardNet(t, { ...cfg, body }, new Rng(12));
    const rng = new Rng(13);
    for (let s = 0; s < 250; s++) {
      const b = batch(rng, 64);
      net.trainStep(b.h1, b.h2, b.items, b.y);
    }
    const p = net.predict(test0.h1, test0.h2, test0.items);
    mse[body] = p.reduce((a, v, j) => a + (v - test0.y[j]) ** 2, 0) / p.length;
    net.dispose();
  }
  console.log(`bilinear rule, held-out MSE after 250 steps: paper ${mse.paper.toFixed(4)}, interact ${mse.interact.toFixed(4)} (target variance ${variance.toFixed(4)})`);
  assert.ok(mse.interact < 0.15 * variance, `interact MSE ${mse.interact} vs variance ${variance}`);
  assert.ok(mse.paper > 0.5 * variance, `paper MSE ${mse.paper} vs variance ${variance}`);
  assert.ok(mse.interact < 0.25 * mse.paper);
});

test('body options of the DNN and the simulator; old saves (no body) load as the paper body', async () => {
  await initBackend();
  const ds = tinyDataset({ E, N });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-oldbody-'));
  try {
    // the body is the DNN's own option (its network follows it)
    const a0 = createAgent('dnn', ds.embeddings, { E, N, H: 8, hidden: 8, body: 'interact' }, new Rng(1)) as DnnAgent;
    assert.equal(a0.net.cfg.body, 'interact');
    await a0.save(path.join(dir, 'dnn-i'));
    const a1 = (await loadAgent(path.join(dir, 'dnn-i'), ds.embeddings)) as DnnAgent;
    assert.equal(a1.config.body, 'interact');
    assert.deepEqual(a1.net.getWeights().net, a0.net.getWeights().net);
    a1.dispose();
    a0.dispose();
    const ag = createAgent('dnn', ds.embeddings, { E, N, H: 8, hidden: 8, body: 'paper' }, new Rng(1)) as DnnAgent;
    await ag.save(path.join(dir, 'dnn'));
    const jf = path.join(dir, 'dnn', 'agent.json');
    const j = JSON.parse(fs.readFileSync(jf, 'utf8'));
    delete j.config.body;
    delete j.config.rank;
    fs.writeFileSync(jf, JSON.stringify(j)); // as kit 0.1.0 wrote it
    const back = (await loadAgent(path.join(dir, 'dnn'), ds.embeddings)) as DnnAgent;
    assert.equal(back.config.body, 'paper');
    assert.deepEqual(back.net.getWeights().net, ag.net.getWeights().net);
    back.dispose();
    ag.dispose();

    const si = await fitSimulator(ds, { epochs: 1, H: 8, hidden: 8, body: 'interact', itemRates: false }, { progress: false });
    await si.save(path.join(dir, 'sim-i'));
    const si2 = await Simulator.load(path.join(dir, 'sim-i'));
    assert.equal(si2.net.cfg.body, 'interact');
    assert.equal(si2.config.body, 'interact');
    si2.dispose();
    si.dispose();
    const sim = await fitSimulator(ds, { epochs: 1, H: 8, hidden: 8, body: 'paper', itemRates: false }, { progress: false });
    assert.equal(sim.config.body, 'paper');
    await sim.save(path.join(dir, 'sim'));
    const sf = path.join(dir, 'sim', 'simulator.json');
    const m = JSON.parse(fs.readFileSync(sf, 'utf8'));
    assert.equal(m.config.body, undefined); // a paper simulator records no body (as kit 0.1.0)
    delete m.config.rank;
    const s2 = await Simulator.load(path.join(dir, 'sim'));
    assert.equal(s2.config.body, 'paper');
    assert.equal(s2.net.cfg.body, 'paper');
    s2.dispose();
    // a simulator.json whose body disagrees with the network: a clear error
    m.config.body = 'interact';
    fs.writeFileSync(sf, JSON.stringify(m));
    await assert.rejects(Simulator.load(path.join(dir, 'sim')), /network body 'paper' differs from simulator\.json's body 'interact'/);
    sim.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
