/**
 * One Algorithm-2 update written out by hand (the computation of notebook 03, section 6): the
 * networks' forward passes from their named weights with plain tfjs ops (Eq. 4-11), the TD target
 * (Eq. 16/19), the critic loss and its gradient (Eq. 17/20), the actor gradient at the proto-action
 * by the chain rule (Eq. 18/21), Adam, and the soft target update — against DdpgCore.update, to 1e-5.
 * Runs on a core that has already taken a few updates (non-trivial Adam state), with terminal rows,
 * padded histories, one head (LActor/LCritic) and M = 2 heads (HActor/HCritic).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { DdpgCore, DdpgBatch } from '../lib/agents/ddpgCore';
import type { ParamSet } from '../lib/nn/params';

before(async () => {
  await initBackend();
});

type W = Record<string, tf.Tensor>;

/** The named weights of a network as tensors (a copy of its flat vector). */
function weightsOf(ps: ParamSet): W {
  const flat = ps.getFlat();
  return Object.fromEntries(ps.entries().map((e) => [e.name, tf.tensor(flat.slice(e.offset, e.offset + e.size), e.shape)]));
}

/** Flatten named gradients back into the network's flat layout. */
function flatOf(ps: ParamSet, g: W): Float64Array {
  const out = new Float64Array(ps.size);
  for (const e of ps.entries()) out.set(g[e.name].dataSync(), e.offset);
  return out;
}

/** History column t as embeddings [batch, E] (0 rows for padding) and its mask [batch, 1]. */
function column(table: Float32Array, E: number, hist: Int32Array, N: number, t: number): { x: tf.Tensor2D; m: tf.Tensor2D } {
  const B = hist.length / N;
  const x = new Float32Array(B * E), m = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    const v = hist[b * N + t];
    if (v > 0) {
      x.set(table.subarray((v - 1) * E, v * E), b * E);
      m[b] = 1;
    }
  }
  return { x: tf.tensor2d(x, [B, E]), m: tf.tensor2d(m, [B, 1]) };
}

function gru(w: W, p: string, table: Float32Array, E: number, H: number, hist: Int32Array, N: number): tf.Tensor {
  let h: tf.Tensor = tf.zeros([hist.length / N, H]);
  for (let t = 0; t < N; t++) {
    const { x, m } = column(table, E, hist, N, t);
    const [ir, iz, inn] = tf.split(tf.add(tf.matMul(x, w[`${p}/Wi`]), w[`${p}/bi`]), 3, 1);
    const [hr, hz, hn] = tf.split(tf.add(tf.matMul(h as tf.Tensor2D, w[`${p}/Wh`] as tf.Tensor2D), w[`${p}/bh`]), 3, 1);
    const r = tf.sigmoid(tf.add(ir, hr));
    const z = tf.sigmoid(tf.add(iz, hz));
    const n = tf.tanh(tf.add(inn, tf.mul(r, hn)));
    const hNew = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    h = tf.add(tf.mul(m, hNew), tf.mul(tf.sub(1, m), h)); // padded rows keep their state
  }
  return h;
}

/** Eq. (4) / (8): s = GRU1(h1) W1 + GRU2(h2) W2 + b. */
function encode(w: W, table: Float32Array, E: number, H: number, N: number, s1: Int32Array, s2: Int32Array): tf.Tensor2D {
  const h1 = gru(w, 'enc/gru1', table, E, H, s1, N), h2 = gru(w, 'enc/gru2', table, E, H, s2, N);
  return tf.add(tf.matMul(h1 as tf.Tensor2D, w['enc/w1/W'] as tf.Tensor2D), tf.add(tf.matMul(h2 as tf.Tensor2D, w['enc/w2/W'] as tf.Tensor2D), w['enc/w2/b'])) as tf.Tensor2D;
}

/** Eq. (5) / (9): g_i = B tanh(s W_i + b_i) [batch, E]. */
function actorOut(w: W, s: tf.Tensor2D, K: number, bound: number): tf.Tensor2D[] {
  return Array.from({ length: K }, (_, i) => tf.mul(bound, tf.tanh(tf.add(tf.matMul(s, w[`head${i}/W`] as tf.Tensor2D), w[`head${i}/b`]))) as tf.Tensor2D);
}

/** Eq. (6)-(7) / (10)-(11), before the output ReLU: z_i = ReLU(s Ws_i + a_i Wa_i + b_i) w_i + b'_i [batch]. */
function criticZ(w: W, s: tf.Tensor2D, a: tf.Tensor2D[]): tf.Tensor[] {
  return a.map((ai, i) => {
    const hid = tf.relu(tf.add(tf.matMul(s, w[`head${i}/ws/W`] as tf.Tensor2D), tf.add(tf.matMul(ai, w[`head${i}/wa/W`] as tf.Tensor2D), w[`head${i}/wa/b`])));
    return tf.reshape(tf.add(tf.matMul(hid as tf.Tensor2D, w[`head${i}/wq/W`] as tf.Tensor2D), w[`head${i}/wq/b`]), [-1]);
  });
}

/** d(sum_ij c_ij z_ij)/dw for weights w (the backward pass of the by-hand forward). */
function gradsOf(w: W, f: (w: W) => tf.Tensor): W {
  const names = Object.keys(w);
  const g = tf.grads((...ts: tf.Tensor[]) => f(Object.fromEntries(names.map((n, i) => [n, ts[i]]))))(names.map((n) => w[n]));
  return Object.fromEntries(names.map((n, i) => [n, g[i]]));
}

/** Adam (the kit's form): p <- p - lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps). */
function adam(p: Float32Array, g: Float64Array, st: { step: number; m: Float32Array; v: Float32Array }, lr: number): Float64Array {
  const b1 = 0.9, b2 = 0.999, eps = 1e-8, t = st.step + 1;
  return Float64Array.from(p, (pk, k) => {
    const m = b1 * st.m[k] + (1 - b1) * g[k];
    const v = b2 * st.v[k] + (1 - b2) * g[k] * g[k];
    return pk - (lr / (1 - b1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps));
  });
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
  return d;
};

function byHandUpdate(core: DdpgCore, b: DdpgBatch, table: Float32Array) {
  const c = core.cfg, K = c.heads, E = c.E, H = c.H, N = c.N;
  const batch = b.s1.length / N;
  const w0 = core.getWeights();
  let out: ByHand | null = null;
  tf.tidy(() => {
    const A = weightsOf(core.actor.params), C = weightsOf(core.critic.params);
    const At = weightsOf(core.actorTarget.params), Ct = weightsOf(core.criticTarget.params);
    const enc = (w: W, s1: Int32Array, s2: Int32Array) => encode(w, table, E, H, N, s1, s2);
    const aStored = Array.from({ length: K }, (_, i) => tf.tensor2d(b.a.subarray(i * batch * E, (i + 1) * batch * E), [batch, E]));
    const done = b.done ?? new Float32Array(batch);
    // Eq. (16)/(19): y_i = r_i + gamma (1 - done) Q'_i(s', mu'_i(s'))
    const sNextT = enc(At, b.s1n, b.s2n);
    const qNext = criticZ(Ct, enc(Ct, b.s1n, b.s2n), actorOut(At, sNextT, K, c.B)).map((z) => tf.relu(z).dataSync());
    const y = qNext.map((q, i) => Array.from(q, (qj, j) => b.r[i * batch + j] + c.gamma * (1 - done[j]) * qj));
    // Eq. (17)/(20): L = sum_i mean_j (y_ij - Q_ij)^2, Q = relu(z); dL/dz = -2 (y - Q)/batch * relu'(z)
    const z = criticZ(C, enc(C, b.s1, b.s2), aStored).map((t) => t.dataSync());
    let criticLoss = 0;
    const dz = z.map((zi, i) => {
      const dead = zi.every((v) => v <= 0); // straight-through for a head dead on the whole minibatch
      return Float32Array.from(zi, (v, j) => {
        const err = y[i][j] - Math.max(v, 0);
        criticLoss += (err * err) / batch;
        return ((-2 * err) / batch) * (v > 0 || dead ? 1 : 0);
      });
    });
    const gC = gradsOf(C, (w) => tf.addN(criticZ(w, enc(w, b.s1, b.s2), aStored).map((zi, i) => tf.sum(tf.mul(zi, dz[i])))));
    const criticNew = adam(w0.critic, flatOf(core.critic.params, gC), w0.criticAdam, c.lrCritic);
    // Eq. (18)/(21) with the UPDATED critic: grad = -(1/batch) sum_j dQ/da|_{a=mu(s_j)} dmu/dtheta
    const C1 = Object.fromEntries(core.critic.params.entries().map((e) => [e.name, tf.tensor(Float32Array.from(criticNew.subarray(e.offset, e.offset + e.size)), e.shape)]));
    const sC1 = enc(C1, b.s1, b.s2);
    const mu = actorOut(A, enc(A, b.s1, b.s2), K, c.B);
    const zA = criticZ(C1, sC1, mu).map((t) => t.dataSync());
    let actorLoss = 0;
    for (const zi of zA) for (const v of zi) actorLoss -= Math.max(v, 0) / batch;
    for (const m of mu) for (const v of m.dataSync()) actorLoss += (c.actionPenalty * v * v) / batch; // + lambda mean ||mu||^2
    const dQda = mu.map((m, i) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(criticZ(C1, sC1, [...mu.slice(0, i), a as tf.Tensor2D, ...mu.slice(i + 1)])[i], tf.tensor1d(zA[i].map((v) => (v > 0 ? 1 : 0))))))(m));
    const dLdmu = dQda.map((d, i) => tf.add(tf.mul(-1 / batch, d), tf.mul((2 * c.actionPenalty) / batch, mu[i])));
    const gA = gradsOf(A, (w) => tf.addN(actorOut(w, enc(w, b.s1, b.s2), K, c.B).map((m, i) => tf.sum(tf.mul(m, dLdmu[i])))));
    const actorNew = adam(w0.actor, flatOf(core.actor.params, gA), w0.actorAdam, c.lrActor);
    // Algorithm 2 line 27: t <- tau w + (1 - tau) t
    const soft = (t: Float32Array, w: Float64Array) => Float64Array.from(t, (tk, k) => c.tau * w[k] + (1 - c.tau) * tk);
    out = {
      y, criticLoss, actorLoss, critic: criticNew, actor: actorNew,
      criticTarget: soft(w0.criticTarget, criticNew), actorTarget: soft(w0.actorTarget, actorNew),
    };
  });
  return out as unknown as ByHand;
}

interface ByHand {
  y: number[][];
  criticLoss: number;
  actorLoss: number;
  critic: Float64Array;
  actor: Float64Array;
  criticTarget: Float64Array;
  actorTarget: Float64Array;
}

function setup(seed: number, heads: number, engine: 'reference' | 'fast') {
  const E = 6, N = 4, H = 5, nItems = 15;
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
  const batchOf = (batch: number): DdpgBatch => ({
    s1: hist(batch), s2: hist(batch), s1n: hist(batch), s2n: hist(batch),
    a: rng.fillUniform(new Float32Array(heads * batch * E), -1, 1),
    r: Float32Array.from({ length: heads * batch }, () => [0, 1, 5][rng.int(3)]),
    done: Float32Array.from({ length: batch }, (_, j) => (j % 3 === 0 ? 1 : 0)),
  });
  const core = new DdpgCore(table, { E, N, H, heads, tau: 0.1, lrActor: 0.01, lrCritic: 0.01, actionPenalty: heads > 1 ? 0.05 : 0 }, rng.fork('core'), { engine });
  for (let k = 0; k < 3; k++) core.update(batchOf(7)); // non-trivial Adam state and targets
  return { core, table, batch: batchOf(7) };
}

for (const heads of [1, 2]) {
  for (const engine of ['reference', 'fast'] as const) {
    test(`one DDPG update by hand equals DdpgCore.update to 1e-5 (K = ${heads} heads, ${engine} engine)`, () => {
      const { core, table, batch } = setup(10 + heads, heads, engine);
      const before = core.getWeights();
      const hand = byHandUpdate(core, batch, table);
      const stats = core.update(batch);
      const w = core.getWeights();
      const diffs = {
        criticLoss: Math.abs(hand.criticLoss - stats.criticLoss),
        actorLoss: Math.abs(hand.actorLoss - stats.actorLoss),
        critic: maxDiff(hand.critic, w.critic),
        actor: maxDiff(hand.actor, w.actor),
        criticTarget: maxDiff(hand.criticTarget, w.criticTarget),
        actorTarget: maxDiff(hand.actorTarget, w.actorTarget),
      };
      for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-5, `${k}: by hand and DdpgCore.update differ by ${d}`);
      // the update moved every network by much more than the tolerance (else the check proves nothing)
      for (const k of ['critic', 'actor', 'criticTarget', 'actorTarget'] as const) {
        assert.ok(maxDiff(before[k], w[k]) > 1e-4, `${k} did not move: ${maxDiff(before[k], w[k])}`);
      }
      core.dispose();
    });
  }
}
