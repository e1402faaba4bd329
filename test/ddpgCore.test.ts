import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { DdpgCore, DdpgBatch, DdpgConfig, DdpgWeights } from '../lib/agents/ddpgCore';

before(async () => {
  await initBackend();
});

const E = 6, N = 3, H = 5, nItems = 12;

function setup(seed: number) {
  const rng = new Rng(seed);
  const table = rng.fillNormal(new Float32Array(nItems * E));
  const hist = (batch: number) => {
    const h = new Int32Array(batch * N);
    for (let b = 0; b < batch; b++) {
      const len = rng.int(N + 1);
      for (let t = N - len; t < N; t++) h[b * N + t] = 1 + rng.int(nItems);
    }
    return h;
  };
  const batchOf = (K: number, batch: number, rewardOf?: (a: Float32Array, i: number, b: number) => number): DdpgBatch => {
    const a = rng.fillUniform(new Float32Array(K * batch * E), -1, 1);
    const r = new Float32Array(K * batch);
    for (let i = 0; i < K; i++) for (let b = 0; b < batch; b++) r[i * batch + b] = rewardOf ? rewardOf(a, i, b) : rng.random();
    return { s1: hist(batch), s2: hist(batch), a, r, s1n: hist(batch), s2n: hist(batch) };
  };
  return { rng, table, hist, batchOf };
}

const small = (o: Partial<DdpgConfig> = {}): Partial<DdpgConfig> => ({ E, N, H, ...o });

function bytes(w: DdpgWeights): Buffer {
  const parts = [w.actor, w.critic, w.actorTarget, w.criticTarget, w.actorAdam.m, w.actorAdam.v, w.criticAdam.m, w.criticAdam.v];
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
}

test('act and q shapes; config validation names the key', () => {
  const { table, rng, batchOf } = setup(1);
  const core = new DdpgCore(table, small({ heads: 2, B: 0.5 }), rng.fork('core'));
  const b = batchOf(2, 4);
  const g = core.act(b.s1, b.s2, 4);
  assert.equal(g.length, 2 * 4 * E);
  assert.ok(g.every((x) => Math.abs(x) < 0.5));
  assert.equal(core.q(b.s1, b.s2, b.a).length, 2 * 4);
  assert.throws(() => core.act(b.s1, b.s2, 5), /batch 5 does not match/);
  assert.throws(() => core.update({ ...b, r: new Float32Array(3) }), /update.r: expected a Float32Array \[2, 4\]/);
  assert.throws(() => new DdpgCore(table, { E, heads: 0 }, rng), /ddpg\.heads/);
  assert.throws(() => new DdpgCore(table, { E, qOutput: 'tanh' as never }, rng), /ddpg\.qOutput/);
  core.dispose();
});

test('update follows the peer: criticLoss from the TD target (with done), actorLoss from the updated critic', () => {
  const { table, rng, batchOf } = setup(2);
  const K = 2, batch = 5, gamma = 0.9;
  const core = new DdpgCore(table, small({ heads: K, gamma }), rng.fork('core'));
  const b = { ...batchOf(K, batch), done: new Float32Array([0, 1, 0, 0, 1]) };
  // At construction targets equal the online nets, so Q'(s', mu'(s')) = q(s', act(s')).
  const qn = core.q(b.s1n, b.s2n, core.act(b.s1n, b.s2n));
  const q0 = core.q(b.s1, b.s2, b.a);
  const mu0 = core.act(b.s1, b.s2);
  let critic = 0, qMean = 0;
  for (let i = 0; i < K; i++) {
    let se = 0;
    for (let j = 0; j < batch; j++) {
      const y = b.r[i * batch + j] + gamma * (1 - b.done[j]) * qn[i * batch + j];
      se += (y - q0[i * batch + j]) ** 2;
      qMean += q0[i * batch + j] / (K * batch);
    }
    critic += se / batch;
  }
  const w0 = core.getWeights();
  const st = core.update(b);
  assert.ok(Math.abs(st.criticLoss - critic) < 1e-5, `${st.criticLoss} vs ${critic}`);
  assert.ok(Math.abs(st.qMean - qMean) < 1e-5);
  // actor loss = -sum_i mean Q_i(s, mu_i(s)) with the UPDATED critic and the OLD actor
  const w1 = core.getWeights();
  core.setWeights({ ...w1, actor: w0.actor });
  const qa = core.q(b.s1, b.s2, mu0);
  assert.deepEqual(core.act(b.s1, b.s2), mu0);
  let actor = 0;
  for (let i = 0; i < K * batch; i++) actor -= qa[i] / batch;
  assert.ok(Math.abs(st.actorLoss - actor) < 1e-5, `${st.actorLoss} vs ${actor}`);
  assert.equal(st.deadFrac, 0);
  assert.notDeepEqual(w1.actor, w0.actor);
  assert.notDeepEqual(w1.critic, w0.critic);
  core.dispose();
});

test('targets change only by the soft update t <- tau w + (1 - tau) t', () => {
  const { table, rng, batchOf } = setup(3);
  const core = new DdpgCore(table, small({ heads: 2, tau: 0.01 }), rng.fork('core'));
  const b = batchOf(2, 4);
  core.update(b); // make targets differ from the online nets
  for (let k = 0; k < 2; k++) {
    const before = core.getWeights();
    core.update(b);
    const after = core.getWeights();
    for (const [on, tg] of [['actor', 'actorTarget'], ['critic', 'criticTarget']] as const) {
      const w = after[on], t0 = before[tg], t1 = after[tg];
      assert.notDeepEqual(t1, t0);
      for (let i = 0; i < w.length; i++) {
        const expect = Math.fround(Math.fround(w[i] * Math.fround(0.01)) + Math.fround(t0[i] * Math.fround(0.99)));
        assert.ok(Math.abs(t1[i] - expect) <= 1e-7 * Math.max(1, Math.abs(expect)), `${tg}[${i}] ${t1[i]} vs ${expect}`);
      }
    }
  }
  core.dispose();
});

test('critic reduces its TD loss on a fixed regression problem (gamma = 0)', () => {
  const { table, rng, batchOf } = setup(4);
  const core = new DdpgCore(table, small({ heads: 2, gamma: 0, lrCritic: 1e-2 }), rng.fork('core'));
  const b = batchOf(2, 16, (a, i, j) => 1 + a[(i * 16 + j) * E] + 0.5 * i);
  const first = core.update(b).criticLoss;
  let last = first;
  for (let k = 0; k < 60; k++) last = core.update(b).criticLoss;
  assert.ok(last < first * 0.1, `TD loss ${first} -> ${last}`);
  core.dispose();
});

/** Overwrite named critic tensors in a flat critic vector. */
function setCritic(core: DdpgCore, flat: Float32Array, name: string, f: (i: number) => number) {
  const e = core.critic.params.entries().find((x) => x.name === name)!;
  for (let i = 0; i < e.size; i++) flat[e.offset + i] = f(i);
}

test('actor moves toward the maximum of a fixed toy critic Q = relu(relu(a.u + 1) + 0.5)', () => {
  const { table, rng, batchOf } = setup(5);
  const core = new DdpgCore(table, small({ heads: 1, lrCritic: 1e-12, lrActor: 3e-2 }), rng.fork('core'));
  const u = Array.from({ length: E }, (_, j) => (j % 2 ? -1 : 1) * (1 + j / E));
  const w = core.getWeights();
  const crit = new Float32Array(w.critic.length); // everything 0 ...
  setCritic(core, crit, 'head0/wa/W', (i) => (i % H === 0 ? u[Math.floor(i / H)] : 0)); // [E, H]: hidden 0 = a.u
  setCritic(core, crit, 'head0/wa/b', (i) => (i === 0 ? 1 : 0));
  setCritic(core, crit, 'head0/wq/W', (i) => (i === 0 ? 1 : 0));
  setCritic(core, crit, 'head0/wq/b', () => 0.5);
  core.setWeights({ ...w, critic: crit, criticTarget: crit });
  const b = batchOf(1, 8);
  const score = () => {
    const a = core.act(b.s1, b.s2);
    let s = 0;
    for (let k = 0; k < 8; k++) for (let j = 0; j < E; j++) s += (a[k * E + j] * Math.sign(u[j])) / (8 * E);
    return s; // 1 at the maximum a = sign(u)
  };
  const s0 = score();
  let st = core.update(b);
  const l0 = st.actorLoss;
  for (let k = 0; k < 50; k++) st = core.update(b);
  const s1 = score();
  assert.ok(s0 < 0.3 && s1 > 0.8, `alignment ${s0} -> ${s1}`);
  assert.ok(st.actorLoss < l0, `actor loss ${l0} -> ${st.actorLoss}`);
  core.dispose();
});

test('action penalty: with Q = a.u + 1.5 (a fixed toy critic) the actor settles at a = u / (2 lambda), not in a corner', () => {
  // Actor loss -Q + lambda ||a||^2 is minimised at a = u / (2 lambda): with lambda = 5 and |u_j| <= 2,
  // |a_j| <= 0.2, well inside the tanh box. Without the penalty the actor runs to a = sign(u) (test above).
  const { table, rng, batchOf } = setup(5);
  const lambda = 5;
  const core = new DdpgCore(table, small({ heads: 1, lrCritic: 1e-12, lrActor: 3e-2, actionPenalty: lambda }), rng.fork('core'));
  const u = Array.from({ length: E }, (_, j) => (j % 2 ? -1 : 1) * (1 + j / E));
  const w = core.getWeights();
  const crit = new Float32Array(w.critic.length);
  setCritic(core, crit, 'head0/wa/W', (i) => (i % H === 0 ? u[Math.floor(i / H)] : 0));
  setCritic(core, crit, 'head0/wa/b', (i) => (i === 0 ? 1 : 0));
  setCritic(core, crit, 'head0/wq/W', (i) => (i === 0 ? 1 : 0));
  setCritic(core, crit, 'head0/wq/b', () => 0.5);
  core.setWeights({ ...w, critic: crit, criticTarget: crit });
  const b = batchOf(1, 8);
  for (let k = 0; k < 300; k++) core.update(b);
  const a = core.act(b.s1, b.s2);
  for (let k = 0; k < 8; k++) {
    for (let j = 0; j < E; j++) {
      const want = u[j] / (2 * lambda);
      assert.ok(Math.abs(a[k * E + j] - want) < 0.03, `row ${k} coordinate ${j}: ${a[k * E + j]} vs u/(2 lambda) = ${want}`);
    }
  }
  core.dispose();
});

test('dead ReLU: a critic with Q = 0 everywhere still learns positive targets (and is stuck without the fix)', () => {
  const { table, rng, batchOf } = setup(6);
  const run = (fix: boolean) => {
    const core = new DdpgCore(table, small({ heads: 2, gamma: 0, deadReluFix: fix, lrCritic: 3e-2 }), rng.fork('core'));
    const w = core.getWeights();
    const crit = w.critic.slice();
    for (const i of [0, 1]) setCritic(core, crit, `head${i}/wq/b`, () => -5); // z << 0 for all inputs
    core.setWeights({ ...w, critic: crit, criticTarget: crit });
    const b = batchOf(2, 8, () => 1);
    const first = core.update(b);
    assert.equal(first.qMean, 0);
    assert.equal(first.deadFrac, 1);
    let st = first;
    for (let k = 0; k < 30; k++) st = core.update(b);
    const res = { st, dead: core.deadMinibatches, critic: core.getWeights().critic, crit };
    core.dispose();
    return res;
  };
  const fixed = run(true);
  assert.ok(fixed.st.qMean > 0.25, `qMean ${fixed.st.qMean}`);
  assert.equal(fixed.st.deadFrac, 0);
  assert.ok(fixed.dead >= 2 && fixed.dead < 2 * 31, `dead minibatches ${fixed.dead}`);
  const stuck = run(false);
  assert.equal(stuck.st.qMean, 0);
  assert.equal(stuck.dead, 2 * 31);
  assert.deepEqual(stuck.critic, stuck.crit); // zero gradients: Adam never moves it
});

test('softplus and linear outputs train without error', () => {
  const { table, rng, batchOf } = setup(7);
  for (const qOutput of ['softplus', 'linear'] as const) {
    const core = new DdpgCore(table, small({ heads: 1, qOutput, gamma: 0 }), rng.fork(qOutput));
    const b = batchOf(1, 8, () => 2);
    const first = core.update(b).criticLoss;
    let st = core.update(b);
    for (let k = 0; k < 30; k++) st = core.update(b);
    assert.ok(st.criticLoss < first && Number.isFinite(st.actorLoss) && st.deadFrac === 0, `${qOutput}: ${first} -> ${st.criticLoss}`);
    core.dispose();
  }
});

test('determinism: same seed and batches give byte-identical weights', () => {
  const build = () => {
    const { table, rng, batchOf } = setup(8);
    const core = new DdpgCore(table, small({ heads: 2 }), new Rng(99));
    for (let k = 0; k < 5; k++) core.update(batchOf(2, 6));
    const w = bytes(core.getWeights());
    core.dispose();
    return w;
  };
  assert.ok(build().equals(build()));
});

test('no tensor leak over 200 updates and acts', () => {
  const { table, rng, batchOf } = setup(9);
  const core = new DdpgCore(table, small({ heads: 2, H: 3 }), rng.fork('core'));
  const b = batchOf(2, 2);
  const n0 = tf.memory().numTensors;
  for (let k = 0; k < 200; k++) {
    core.update(b);
    core.act(b.s1, b.s2);
  }
  core.q(b.s1, b.s2, b.a);
  assert.equal(tf.memory().numTensors, n0);
  core.dispose();
});

test('save -> load and setWeights(getWeights()) resume bit-identically', async () => {
  const { table, rng, batchOf } = setup(10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ddpg-test-'));
  try {
    const a = new DdpgCore(table, small({ heads: 2, qOutput: 'softplus', tau: 0.05 }), rng.fork('a'));
    const b1 = batchOf(2, 4), b2 = batchOf(2, 4);
    a.update(b1);
    await a.save(path.join(dir, 'core'));
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'core', 'model.json'), 'utf8'));
    assert.equal(json.weightsManifest[0].paths[0], 'weights.bin');
    assert.ok(json.weightsManifest[0].weights.some((w: { name: string }) => w.name === 'criticAdam/v/enc/gru2/Wh'));
    assert.equal(json.userDefinedMetadata.config.qOutput, 'softplus');
    const fromDisk = await DdpgCore.load(path.join(dir, 'core'), table);
    const viaSet = new DdpgCore(table, small({ heads: 2, qOutput: 'softplus', tau: 0.05 }), rng.fork('other'));
    viaSet.setWeights(a.getWeights());
    assert.deepEqual(fromDisk.act(b2.s1, b2.s2), a.act(b2.s1, b2.s2));
    assert.deepEqual(fromDisk.q(b2.s1, b2.s2, b2.a), a.q(b2.s1, b2.s2, b2.a));
    const sa = a.update(b2), sd = fromDisk.update(b2), sv = viaSet.update(b2);
    assert.deepEqual(sd, sa);
    assert.deepEqual(sv, sa);
    assert.ok(bytes(fromDisk.getWeights()).equals(bytes(a.getWeights())));
    assert.ok(bytes(viaSet.getWeights()).equals(bytes(a.getWeights())));
    assert.equal(fromDisk.getWeights().criticAdam.step, 2);
    for (const c of [a, fromDisk, viaSet]) c.dispose();
    assert.throws(() => a.act(b2.s1, b2.s2), /after dispose/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fast update (explicit passes) matches the plain-autodiff reference: losses, qMean, deadFrac over 6 updates', () => {
  // H = 8: SIMD step kernels; H = 5: the JS kernels. Padded histories, terminal flags, both outputs.
  // The third case adds the action penalty (its gradient is added by hand on the fast path).
  for (const [H, qOutput, K, actionPenalty] of [[8, 'relu', 2, 0], [5, 'softplus', 1, 0], [8, 'relu', 2, 0.7]] as const) {
    const run = (fast: boolean) => {
      const { table, batchOf } = setup(11);
      const core = new DdpgCore(table, { E, N, H, heads: K, qOutput, lrCritic: 3e-3, lrActor: 3e-3, actionPenalty }, new Rng(5), { engine: fast ? 'fast' : 'reference' });
      assert.equal(core.engine.name, fast ? 'fast' : 'reference');
      const out = [];
      for (let k = 0; k < 6; k++) out.push(core.update({ ...batchOf(K, 7), done: new Float32Array([0, 0, 1, 0, 0, 0, 1]) }));
      const w = core.getWeights();
      core.dispose();
      return { out, w };
    };
    const ref = run(false), fast = run(true);
    ref.out.forEach((r, k) => {
      const f = fast.out[k];
      for (const key of ['criticLoss', 'actorLoss', 'qMean'] as const) {
        assert.ok(Math.abs(r[key] - f[key]) <= 1e-4 * Math.max(1, Math.abs(r[key])), `H=${H} update ${k} ${key}: ${r[key]} vs ${f[key]}`);
      }
      assert.equal(f.deadFrac, r.deadFrac);
    });
    let maxDiff = 0;
    for (const key of ['actor', 'critic', 'actorTarget', 'criticTarget'] as const) {
      for (let i = 0; i < ref.w[key].length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.w[key][i] - fast.w[key][i]));
    }
    assert.ok(maxDiff < 1e-3, `H=${H}: max weight difference after 6 updates ${maxDiff}`);
    assert.ok(maxDiff > 0); // different float32 rounding, as documented (not the same code path)
  }
});
