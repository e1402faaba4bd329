/**
 * One DDPG core serving both HRL-MG levels, configured not copied (cf. stable-baselines3 TD3/DDPG):
 * an Actor and a Critic with K heads over their own shared encoders, frozen target copies, and one
 * Adam per online network.
 *
 *   high level: new DdpgCore(table, { heads: M }, rng.fork('high'))   histories (clicked, ordered)
 *   low level : new DdpgCore(table, { heads: 1 }, rng.fork('low'))    histories (browsed, clicked)
 *
 * `update` performs exactly one level's part of Algorithm 2 (lines 24/26 + 27), as the PyTorch peer:
 *   1. critic TD step: y_i = r_i + gamma (1 - done) Q'_i(s', mu'_i(s'))          (Eq. 16 / 19)
 *      loss = sum_i mean_batch (y_i - Q_i(s, a_i))^2, a = the stored (executed) action; Adam.
 *   2. actor step with the UPDATED critic: loss = -sum_i mean_batch Q_i(s, mu_i(s)) (Eq. 18 / 21)
 *      [+ actionPenalty * sum_i mean_batch ||mu_i(s)||^2, off by default], gradient w.r.t. the
 *      actor only, taken at the actor's own proto-action output; Adam.
 *   3. soft update of both targets: t <- tau w + (1 - tau) t                     (Alg. 2 line 27)
 * Targets change only in step 3. Rewards arrive per head; benefit assignment lives elsewhere.
 *
 * Speed: with the fast path (nn/impl.ts) steps 1-2 run as explicit forward/backward passes with no
 * autodiff tape (updateFast); `nnImpl.fast = false` runs the plain-autodiff reference
 * (updateReference), which the fast path is tested against.
 */
import * as tf from '@tensorflow/tfjs';
import { Actor } from '../nn/actor';
import { Critic } from '../nn/critic';
import { Adam, AdamState } from '../nn/adam';
import { EmbeddingTable, embedHistory, HistoryInput } from '../nn/history';
import { Q_OUTPUTS, QOutput } from '../nn/qOutput';
import { fastEnabled } from '../nn/impl';
import { Saved } from '../nn/gruSeq';
import { Grads } from '../nn/grads';
import { upload } from '../nn/kernels';
import { saveTensors, loadTensors, flatToNamed, namedToFlat, NamedArray } from '../nn/checkpoint';
import { bool, ConfigOf, int, num, oneOf, resolveConfig } from '../util/config';
import { Rng } from '../util/rng';
import { InputError, UsageError } from '../util/errors';

export const ddpgSpec = {
  heads: int(1, 'number of heads K (goals M for the high level, 1 for the low level)', { min: 1 }),
  E: int(50, 'item embedding dimension = action/goal dimension', { min: 1 }),
  H: int(64, 'GRU hidden size = state size = critic hidden layer size', { min: 1 }),
  N: int(10, 'history length (items per history, left-padded with 0)', { min: 1 }),
  B: num(1, 'bound of actions/goals: outputs are B*tanh(.)', { gt: 0 }),
  gamma: num(0.95, 'discount factor', { min: 0, max: 1 }),
  tau: num(0.01, 'soft target update rate', { gt: 0, max: 1 }),
  lrActor: num(1e-3, 'Adam learning rate of the actor', { gt: 0 }),
  lrCritic: num(1e-3, 'Adam learning rate of the critic', { gt: 0 }),
  adamBeta1: num(0.9, 'Adam beta1', { min: 0, lt: 1 }),
  adamBeta2: num(0.999, 'Adam beta2', { min: 0, lt: 1 }),
  adamEps: num(1e-8, 'Adam epsilon', { gt: 0 }),
  qOutput: oneOf<QOutput>('relu', Q_OUTPUTS, "critic output activation: 'relu' (paper Eq. 7/11), 'softplus' or 'linear'"),
  qBiasInit: num(0.5, 'initial bias of every Q output unit (positive: ReLU heads start alive)'),
  deadReluFix: bool(true, "qOutput 'relu': straight-through gradient for a head whose Q is 0 on the whole minibatch"),
  actionPenalty: num(0, 'actor loss + actionPenalty * sum_i mean_batch ||mu_i(s)||^2 (0 = the paper: the actor may run into the corners of the B*tanh box)', { min: 0 }),
};
export type DdpgConfig = ConfigOf<typeof ddpgSpec>;

/** A minibatch for one level. Histories are Int32Array [batch * N] (item index + 1, 0 = padding). */
export interface DdpgBatch {
  s1: Int32Array;
  s2: Int32Array;
  /** Executed actions / goals [K, batch, E]. */
  a: Float32Array;
  /** Rewards per head [K, batch]. */
  r: Float32Array;
  s1n: Int32Array;
  s2n: Int32Array;
  /** 1 where s' is terminal (no bootstrap), [batch]; default all 0. */
  done?: Float32Array;
}

export interface UpdateStats {
  /** sum_i mean_batch (y_i - Q_i(s, a_i))^2 before the critic step. */
  criticLoss: number;
  /** -sum_i mean_batch Q_i(s, mu_i(s)) with the updated critic, before the actor step. */
  actorLoss: number;
  /** mean over heads and batch of Q_i(s, a_i) before the critic step. */
  qMean: number;
  /** Fraction of heads whose Q was 0 (pre-activation <= 0) on the whole minibatch ('relu' only). */
  deadFrac: number;
}

/** Everything needed to resume bit-identically. Flat vectors are laid out as `ParamSet.getFlat()`. */
export interface DdpgWeights {
  actor: Float32Array;
  critic: Float32Array;
  actorTarget: Float32Array;
  criticTarget: Float32Array;
  actorAdam: AdamState;
  criticAdam: AdamState;
  /** Counters (diagnostics). */
  updates: number;
  deadMinibatches: number;
}

const FORMAT = 'hrl-mg/ddpg-core';

/** Q = act(z) on the host (qOutput.ts), as float32. */
function qValue(z: number, kind: QOutput): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'softplus':
      return Math.fround(z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
    case 'linear':
      return z;
  }
}

/** dQ/dz (as tfjs differentiates it: relu' = [z > 0], softplus' = sigmoid(z)). */
function qSlope(z: number, kind: QOutput): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'softplus':
      return 1 / (1 + Math.exp(-z));
    case 'linear':
      return 1;
  }
}

/** Host copies of K tensors (one kernel-free read each). */
function readHeads(ts: tf.Tensor[]): Float32Array[] {
  return ts.map((t) => t.dataSync() as Float32Array);
}

function concatHeads(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** [K, batch, E] host data as K tensors [1, batch, E] (uploaded once, no device slicing). */
function headsOf(x: Float32Array, K: number, batch: number, E: number): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (let i = 0; i < K; i++) out.push(upload(x.subarray(i * batch * E, (i + 1) * batch * E), [1, batch, E]));
  return out;
}

export class DdpgCore {
  readonly cfg: DdpgConfig;
  readonly table: EmbeddingTable;
  readonly actor: Actor;
  readonly critic: Critic;
  readonly actorTarget: Actor;
  readonly criticTarget: Critic;
  readonly actorOpt: Adam;
  readonly criticOpt: Adam;
  /** Number of `update` calls. */
  updates = 0;
  /** Number of (update, head) pairs whose critic output was dead on the whole minibatch. */
  deadMinibatches = 0;
  private disposed = false;

  /**
   * `table`: item embeddings Float32Array [nItems, E]. `config`: overrides of `ddpgSpec`.
   * `rng`: initialisation stream (forked into 'actor' and 'critic'); targets start as exact copies.
   */
  constructor(table: Float32Array, config: Partial<DdpgConfig> = {}, rng: Rng) {
    this.cfg = resolveConfig('ddpg', ddpgSpec, config);
    this.table = new EmbeddingTable(table, this.cfg.E);
    const c = this.cfg;
    this.actor = new Actor({ heads: c.heads, E: c.E, H: c.H, B: c.B }, rng.fork('actor'));
    this.critic = new Critic({ heads: c.heads, E: c.E, H: c.H, qOutput: c.qOutput, qBiasInit: c.qBiasInit }, rng.fork('critic'));
    this.actorTarget = this.actor.cloneFrozen();
    this.criticTarget = this.critic.cloneFrozen();
    const adam = { beta1: c.adamBeta1, beta2: c.adamBeta2, eps: c.adamEps };
    this.actorOpt = new Adam(this.actor.params, { lr: c.lrActor, ...adam });
    this.criticOpt = new Adam(this.critic.params, { lr: c.lrCritic, ...adam });
  }

  private batchOf(s1: Int32Array, what: string): number {
    if (!(s1 instanceof Int32Array)) throw new UsageError(`${what}: expected an Int32Array [batch * N]`);
    const batch = s1.length / this.cfg.N;
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`${what}: length ${s1.length} is not a positive multiple of N=${this.cfg.N}`);
    return batch;
  }

  private embed(h: Int32Array, batch: number, what: string): HistoryInput {
    return embedHistory(this.table, h, batch, this.cfg.N, what);
  }

  /** Upload [K, batch, cols] as K tensors [batch, cols] (no slicing on the device). */
  private perHead(x: Float32Array, batch: number, cols: number, what: string): tf.Tensor2D[] {
    const K = this.cfg.heads;
    if (!(x instanceof Float32Array) || x.length !== K * batch * cols) {
      throw new UsageError(`${what}: expected a Float32Array [${K}, ${batch}${cols > 1 ? `, ${cols}` : ''}] of length ${K * batch * cols}, got ${x?.length}`);
    }
    const out: tf.Tensor2D[] = [];
    for (let i = 0; i < K; i++) out.push(tf.tensor2d(x.subarray(i * batch * cols, (i + 1) * batch * cols), [batch, cols]));
    return out;
  }

  /** Online actor, no gradient: proto-actions / goals [K, batch, E]. `batch` is checked against s1. */
  act(s1: Int32Array, s2: Int32Array, batch?: number): Float32Array {
    this.checkAlive();
    const n = this.batchOf(s1, 'act.s1');
    if (batch !== undefined && batch !== n) throw new UsageError(`act: batch ${batch} does not match s1 (batch ${n})`);
    if (fastEnabled()) {
      // read inside the tidy but return outside it: tf.tidy walks a returned typed array element by element
      let out = new Float32Array(0);
      tf.tidy(() => {
        out = concatHeads(readHeads(this.actor.forwardFast(this.embed(s1, n, 'act.s1'), this.embed(s2, n, 'act.s2'), null).g)); // [K, batch, E]
      });
      return out;
    }
    const out = tf.tidy(() => tf.stack(this.actor.forward(this.embed(s1, n, 'act.s1'), this.embed(s2, n, 'act.s2')))); // [K, batch, E]
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  /** Online critic, no gradient: Q_i(s, a_i) [K, batch] for actions a [K, batch, E]. */
  q(s1: Int32Array, s2: Int32Array, a: Float32Array): Float32Array {
    this.checkAlive();
    const n = this.batchOf(s1, 'q.s1');
    if (fastEnabled()) {
      let out = new Float32Array(0);
      tf.tidy(() => {
        const a3 = this.perHead(a, n, this.cfg.E, 'q.a').map((t) => t.reshape([1, n, this.cfg.E]));
        out = concatHeads(readHeads(this.critic.forwardFast(this.embed(s1, n, 'q.s1'), this.embed(s2, n, 'q.s2'), a3, null).z));
      });
      for (let i = 0; i < out.length; i++) out[i] = qValue(out[i], this.cfg.qOutput);
      return out;
    }
    const out = tf.tidy(() =>
      tf.stack(this.critic.forward(this.embed(s1, n, 'q.s1'), this.embed(s2, n, 'q.s2'), this.perHead(a, n, this.cfg.E, 'q.a'))),
    );
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  /** One DDPG update of this level (critic TD step, actor step, soft target update). */
  update(b: DdpgBatch): UpdateStats {
    this.checkAlive();
    const c = this.cfg;
    const K = c.heads;
    const batch = this.batchOf(b.s1, 'update.s1');
    if (b.done !== undefined && (!(b.done instanceof Float32Array) || b.done.length !== batch)) {
      throw new UsageError(`update.done: expected a Float32Array [${batch}]`);
    }
    const v = fastEnabled() ? this.updateFast(b, batch) : this.updateReference(b, batch);

    // 3. soft update of both targets (Algorithm 2 line 27)
    this.actorTarget.params.softUpdateFrom(this.actor.params, c.tau);
    this.criticTarget.params.softUpdateFrom(this.critic.params, c.tau);

    this.updates += 1;
    this.deadMinibatches += v[3];
    return { criticLoss: v[0], actorLoss: v[1], qMean: v[2], deadFrac: c.qOutput === 'relu' ? v[3] / K : 0 };
  }

  /**
   * Steps 1-2 with plain tfjs ops + autodiff (the reference, `nnImpl.fast = false`).
   * Returns [criticLoss, actorLoss, qMean, dead heads].
   */
  private updateReference(b: DdpgBatch, batch: number): number[] {
    const c = this.cfg;
    const K = c.heads;
    const straightThrough = c.qOutput === 'relu' && c.deadReluFix;
    const kept: tf.Tensor[] = [];
    const stats = tf.tidy(() => {
      const x1 = this.embed(b.s1, batch, 'update.s1');
      const x2 = this.embed(b.s2, batch, 'update.s2');
      const x1n = this.embed(b.s1n, batch, 'update.s1n');
      const x2n = this.embed(b.s2n, batch, 'update.s2n');
      const a = this.perHead(b.a, batch, c.E, 'update.a'); // K x [batch, E]
      const r = this.perHead(b.r, batch, 1, 'update.r').map((t) => t.reshape([batch]) as tf.Tensor1D); // K x [batch]
      const notDone = tf.tensor1d(b.done ? b.done.map((d) => 1 - d) : new Float32Array(batch).fill(1)); // [batch]
      const gamma = tf.scalar(c.gamma);

      // TD targets from the target networks (no gradient is taken through them).
      const qNext = this.criticTarget.forward(x1n, x2n, this.actorTarget.forward(x1n, x2n)); // K x [batch]
      const y = qNext.map((qn, i) => tf.add(r[i], tf.mul(gamma, tf.mul(notDone, qn)))); // Eq. (16) / (19)

      // 1. critic TD step
      const critic = tf.variableGrads(() => {
        const { q, z } = this.critic.heads(x1, x2, a, straightThrough);
        kept.push(tf.keep(tf.mean(tf.stack(q))));
        // dead head: every pre-activation <= 0 on this minibatch
        kept.push(tf.keep(tf.sum(tf.stack(z.map((zi) => tf.cast(tf.lessEqual(tf.max(zi), 0), 'float32'))))));
        let loss = tf.scalar(0);
        for (let i = 0; i < K; i++) loss = tf.add(loss, tf.mean(tf.square(tf.sub(y[i], q[i]))));
        return loss as tf.Scalar;
      }, this.critic.params.vars);
      this.criticOpt.apply(this.critic.params.vars.map((v) => critic.grads[v.name]));

      // 2. actor step with the updated critic; gradient w.r.t. the actor's variables only.
      const actor = tf.variableGrads(() => {
        const mu = this.actor.forward(x1, x2);
        const q = this.critic.forward(x1, x2, mu);
        let loss = tf.scalar(0);
        for (let i = 0; i < K; i++) loss = tf.sub(loss, tf.mean(q[i]));
        if (c.actionPenalty > 0) for (const m of mu) loss = tf.add(loss, tf.mul(c.actionPenalty, tf.mean(tf.sum(tf.square(m), 1))));
        return loss as tf.Scalar;
      }, this.actor.params.vars);
      this.actorOpt.apply(this.actor.params.vars.map((v) => actor.grads[v.name]));

      return tf.stack([critic.value, actor.value, kept[0], kept[1]]);
    });
    const v = Array.from(stats.dataSync());
    stats.dispose();
    for (const t of kept) t.dispose();
    return v;
  }

  /**
   * Steps 1-2 on the fast path: explicit forward/backward passes (no autodiff tape), the small
   * loss algebra on the host in double precision (q, TD targets, dL/dz per head: [batch] each).
   * Same math as `updateReference`. Returns [criticLoss, actorLoss, qMean, dead heads].
   */
  private updateFast(b: DdpgBatch, batch: number): number[] {
    const c = this.cfg;
    const K = c.heads, E = c.E;
    const straightThrough = c.qOutput === 'relu' && c.deadReluFix;
    for (const [x, n, what] of [[b.a, K * batch * E, 'update.a'], [b.r, K * batch, 'update.r']] as const) {
      if (!(x instanceof Float32Array) || x.length !== n) {
        throw new UsageError(`${what}: expected a Float32Array [${K}, ${batch}${what === 'update.a' ? `, ${E}` : ''}] of length ${n}, got ${x?.length}`);
      }
    }
    const q = (z: number) => qValue(z, c.qOutput);
    return tf.tidy(() => {
      const x1 = this.embed(b.s1, batch, 'update.s1');
      const x2 = this.embed(b.s2, batch, 'update.s2');
      const x1n = this.embed(b.s1n, batch, 'update.s1n');
      const x2n = this.embed(b.s2n, batch, 'update.s2n');
      const a = headsOf(b.a, K, batch, E);

      // TD targets from the target networks: y_i = r_i + gamma (1 - done) Q'_i(s', mu'(s'))  Eq. (16) / (19)
      const zNext = readHeads(this.criticTarget.forwardFast(x1n, x2n, this.actorTarget.forwardFast(x1n, x2n, null).g, null).z);
      const y = zNext.map((zn, i) => Float64Array.from(zn, (zv, j) => b.r[i * batch + j] + c.gamma * (b.done ? 1 - b.done[j] : 1) * q(zv)));

      // 1. critic TD step: loss = sum_i mean_batch (y_i - Q_i(s, a_i))^2
      const savedC = new Saved();
      const fc = this.critic.forwardFast(x1, x2, a, savedC);
      const z = readHeads(fc.z);
      let criticLoss = 0, qSum = 0, dead = 0;
      const dzC = z.map((zi, i) => {
        const isDead = zi.every((v) => v <= 0);
        if (isDead) dead += 1;
        const st = straightThrough && isDead; // straight-through gradient of a dead ReLU head (qOutput.ts)
        const dz = new Float32Array(batch);
        for (let j = 0; j < batch; j++) {
          const qv = q(zi[j]);
          const err = y[i][j] - qv;
          criticLoss += (err * err) / batch;
          qSum += qv;
          dz[j] = ((-2 * err) / batch) * (st ? 1 : qSlope(zi[j], c.qOutput));
        }
        return upload(dz, [1, batch, 1]);
      });
      const gradsC = new Grads();
      this.critic.backwardFast(fc.cache!, savedC.ts, dzC, { params: gradsC, action: false });
      this.criticOpt.applyFlat(gradsC.flat(this.critic.params));

      // 2. actor step with the updated critic: loss = -sum_i mean_batch Q_i(s, mu_i(s)),
      //    gradient w.r.t. the actor only (the critic's encoder output s is a constant here).
      const savedA = new Saved();
      const fa = this.actor.forwardFast(x1, x2, savedA);
      const savedQ = new Saved();
      const fq = this.critic.forwardFast(x1, x2, fa.g, savedQ, false);
      const zq = readHeads(fq.z);
      let actorLoss = 0;
      const dzA = zq.map((zi) => {
        const dz = new Float32Array(batch);
        for (let j = 0; j < batch; j++) {
          actorLoss -= q(zi[j]) / batch;
          dz[j] = (-1 / batch) * qSlope(zi[j], c.qOutput);
        }
        return upload(dz, [1, batch, 1]);
      });
      let da = this.critic.backwardFast(fq.cache!, savedQ.ts, dzA, { params: null, action: true })!;
      if (c.actionPenalty > 0) {
        // + actionPenalty * mean_batch ||mu_i||^2: its gradient 2 actionPenalty mu_i / batch joins dL/dmu_i
        const g = readHeads(fa.g);
        for (const gi of g) for (let j = 0; j < gi.length; j++) actorLoss += (c.actionPenalty * gi[j] * gi[j]) / batch;
        const scale = tf.scalar((2 * c.actionPenalty) / batch);
        da = da.map((d, i) => tf.add(d, tf.mul(fa.g[i], scale)));
      }
      const gradsA = new Grads();
      this.actor.backwardFast(fa.cache!, savedA.ts, da, gradsA);
      this.actorOpt.applyFlat(gradsA.flat(this.actor.params));

      return [criticLoss, actorLoss, qSum / (K * batch), dead];
    });
  }

  getWeights(): DdpgWeights {
    this.checkAlive();
    return {
      actor: this.actor.params.getFlat(),
      critic: this.critic.params.getFlat(),
      actorTarget: this.actorTarget.params.getFlat(),
      criticTarget: this.criticTarget.params.getFlat(),
      actorAdam: this.actorOpt.getState(),
      criticAdam: this.criticOpt.getState(),
      updates: this.updates,
      deadMinibatches: this.deadMinibatches,
    };
  }

  setWeights(w: DdpgWeights): void {
    this.checkAlive();
    this.actor.params.setFlat(w.actor, 'weights.actor');
    this.critic.params.setFlat(w.critic, 'weights.critic');
    this.actorTarget.params.setFlat(w.actorTarget, 'weights.actorTarget');
    this.criticTarget.params.setFlat(w.criticTarget, 'weights.criticTarget');
    this.actorOpt.setState(w.actorAdam, 'weights.actorAdam');
    this.criticOpt.setState(w.criticAdam, 'weights.criticAdam');
    this.updates = w.updates ?? 0;
    this.deadMinibatches = w.deadMinibatches ?? 0;
  }

  /** Save everything (config, 4 networks, Adam state, counters) to folder `dir`, atomically. */
  async save(dir: string): Promise<void> {
    const w = this.getWeights();
    const A = this.actor.params.entries();
    const C = this.critic.params.entries();
    const tensors: NamedArray[] = [
      ...flatToNamed('actor', A, w.actor),
      ...flatToNamed('critic', C, w.critic),
      ...flatToNamed('actorTarget', A, w.actorTarget),
      ...flatToNamed('criticTarget', C, w.criticTarget),
      ...flatToNamed('actorAdam/m', A, w.actorAdam.m),
      ...flatToNamed('actorAdam/v', A, w.actorAdam.v),
      ...flatToNamed('criticAdam/m', C, w.criticAdam.m),
      ...flatToNamed('criticAdam/v', C, w.criticAdam.v),
    ];
    await saveTensors(dir, FORMAT, tensors, {
      kind: 'DdpgCore',
      config: this.cfg,
      nItems: this.table.nItems,
      adamSteps: { actor: w.actorAdam.step, critic: w.criticAdam.step },
      updates: w.updates,
      deadMinibatches: w.deadMinibatches,
    });
  }

  /** Load a core saved by `save`. The item table is world data, not part of the checkpoint. */
  static async load(dir: string, table: Float32Array): Promise<DdpgCore> {
    const L = loadTensors(dir, FORMAT);
    const meta = L.json.userDefinedMetadata as {
      config: DdpgConfig;
      adamSteps: { actor: number; critic: number };
      updates: number;
      deadMinibatches: number;
    };
    if (!meta || !meta.config || !meta.adamSteps) throw new InputError(`${dir}/model.json`, 0, 'userDefinedMetadata lacks config/adamSteps');
    // Weights are overwritten right away; the init stream is irrelevant.
    const core = new DdpgCore(table, meta.config, new Rng(0));
    const A = core.actor.params.entries();
    const C = core.critic.params.entries();
    const nA = core.actor.params.size;
    const nC = core.critic.params.size;
    core.setWeights({
      actor: namedToFlat(dir, L, 'actor', A, nA),
      critic: namedToFlat(dir, L, 'critic', C, nC),
      actorTarget: namedToFlat(dir, L, 'actorTarget', A, nA),
      criticTarget: namedToFlat(dir, L, 'criticTarget', C, nC),
      actorAdam: { step: meta.adamSteps.actor, m: namedToFlat(dir, L, 'actorAdam/m', A, nA), v: namedToFlat(dir, L, 'actorAdam/v', A, nA) },
      criticAdam: { step: meta.adamSteps.critic, m: namedToFlat(dir, L, 'criticAdam/m', C, nC), v: namedToFlat(dir, L, 'criticAdam/v', C, nC) },
      updates: meta.updates ?? 0,
      deadMinibatches: meta.deadMinibatches ?? 0,
    });
    return core;
  }

  private checkAlive(): void {
    if (this.disposed) throw new UsageError('DdpgCore: used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const x of [this.actor, this.critic, this.actorTarget, this.criticTarget, this.actorOpt, this.criticOpt]) x.dispose();
  }
}
