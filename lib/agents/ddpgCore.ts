/**
 * One DDPG core serving both HRL-MG levels, configured not copied (cf. stable-baselines3 TD3/DDPG):
 * an Actor and a Critic with K heads over their own shared encoders, frozen target copies, and one
 * Adam per online network.
 *
 *   high level: new DdpgCore(table, ddpgConfigOf('high', cfg), rng.fork('high'))   histories (clicked, ordered)
 *   low level : new DdpgCore(table, ddpgConfigOf('low', cfg), rng.fork('low'))     histories (browsed, clicked)
 *
 * `update` performs exactly one level's part of Algorithm 2 (lines 24/26 + 27), as the PyTorch peer:
 *   1. critic TD step: y_i = r_i + gamma (1 - done) Q'_i(s', mu'_i(s'))          (tdTarget.ts)
 *      loss = sum_i mean_batch (y_i - Q_i(s, a_i))^2, a = the stored (executed) action; Adam.
 *   2. actor step with the UPDATED critic: loss = -sum_i mean_batch Q_i(s, mu_i(s))
 *      [+ actionPenalty * sum_i mean_batch ||mu_i(s)||^2, off by default], gradient w.r.t. the
 *      actor only, taken at the actor's own proto-action output; Adam.        (ddpgLoss.ts)
 *   3. soft update of both targets: t <- tau w + (1 - tau) t                     (Alg. 2 line 27)
 * Targets change only in step 3. Rewards arrive per head; benefit assignment lives elsewhere.
 *
 * The loss algebra (TD target, Q activation, losses and their gradients) is written once, on the
 * host (tdTarget.ts, ddpgLoss.ts, nn/qOutput.ts); the networks' forward and backward passes come
 * from the engine the core is built with (`options.engine`, nn/engine/engine.ts): the fast engine's
 * explicit passes, or the plain-autodiff reference (nn/actorCriticPasses.ts), tested equal.
 */
import * as tf from '@tensorflow/tfjs';
import { Actor } from '../nn/actor';
import { Critic } from '../nn/critic';
import { Adam, AdamState } from '../nn/adam';
import { EmbeddingTable, embedHistory, HistoryInput } from '../nn/history';
import { qValue } from '../nn/qOutput';
import { resolveEngine, type Engine, type EngineName } from '../nn/engine/engine';
import { passesFor, type ActorCriticPasses } from '../nn/actorCriticPasses';
import { saveTensors, loadTensors, flatToNamed, namedToFlat, NamedArray } from '../nn/checkpoint';
import { resolveConfig } from '../util/config';
import { Rng } from '../util/rng';
import { InputError, UsageError } from '../util/errors';
import { ddpgSpec, DDPG_NEUTRAL, type DdpgConfig } from './ddpgConfig';
import { omitNeutral } from './agentConfig';
import { tdTarget } from './tdTarget';
import { actorStep, criticStep, type ActorStep, type CriticStep } from './ddpgLoss';

export { ddpgSpec, ddpgConfigOf } from './ddpgConfig';
export type { DdpgConfig } from './ddpgConfig';

export interface DdpgCoreOptions {
  /** The networks' engine (default: the fast engine when the backend has its kernels). */
  engine?: Engine | EngineName;
}

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

export class DdpgCore {
  readonly cfg: DdpgConfig;
  readonly table: EmbeddingTable;
  /** The networks' engine, fixed at construction. */
  readonly engine: Engine;
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
  private readonly passes: ActorCriticPasses;
  private disposed = false;

  /**
   * `table`: item embeddings Float32Array [nItems, E]. `config`: overrides of `ddpgSpec` (an
   * agent passes `ddpgConfigOf(level, agentConfig)`). `rng`: initialisation stream (forked into
   * 'actor' and 'critic'); targets start as exact copies. `options.engine`: see DdpgCoreOptions.
   */
  constructor(table: Float32Array, config: Partial<DdpgConfig> = {}, rng: Rng, options: DdpgCoreOptions = {}) {
    this.cfg = resolveConfig('ddpg', ddpgSpec, config);
    this.table = new EmbeddingTable(table, this.cfg.E);
    this.engine = resolveEngine(options.engine);
    this.passes = passesFor(this.engine);
    const c = this.cfg;
    this.actor = new Actor({ heads: c.heads, E: c.E, H: c.H, B: c.B }, rng.fork('actor'), true, this.engine);
    this.critic = new Critic({ heads: c.heads, E: c.E, H: c.H, qOutput: c.qOutput, qBiasInit: c.qBiasInit }, rng.fork('critic'), true, this.engine);
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
    return embedHistory(this.table, h, batch, this.cfg.N, what, this.engine);
  }

  /** Check host data [K, batch, cols] (actions cols = E, rewards cols = 1). */
  private checkHeads(x: Float32Array, batch: number, cols: number, what: string): void {
    const K = this.cfg.heads;
    if (!(x instanceof Float32Array) || x.length !== K * batch * cols) {
      throw new UsageError(`${what}: expected a Float32Array [${K}, ${batch}${cols > 1 ? `, ${cols}` : ''}] of length ${K * batch * cols}, got ${x?.length}`);
    }
  }

  /** Online actor, no gradient: proto-actions / goals [K, batch, E]. `batch` is checked against s1. */
  act(s1: Int32Array, s2: Int32Array, batch?: number): Float32Array {
    this.checkAlive();
    const n = this.batchOf(s1, 'act.s1');
    if (batch !== undefined && batch !== n) throw new UsageError(`act: batch ${batch} does not match s1 (batch ${n})`);
    // read inside the tidy but return outside it: tf.tidy walks a returned typed array element by element
    let out = new Float32Array(0);
    tf.tidy(() => {
      out = this.passes.act(this.actor, this.embed(s1, n, 'act.s1'), this.embed(s2, n, 'act.s2'));
    });
    return out;
  }

  /** Online critic, no gradient: Q_i(s, a_i) [K, batch] for actions a [K, batch, E]. */
  q(s1: Int32Array, s2: Int32Array, a: Float32Array): Float32Array {
    this.checkAlive();
    const n = this.batchOf(s1, 'q.s1');
    this.checkHeads(a, n, this.cfg.E, 'q.a');
    let z: Float32Array[] = [];
    tf.tidy(() => {
      z = this.passes.criticZ(this.critic, this.embed(s1, n, 'q.s1'), this.embed(s2, n, 'q.s2'), a);
    });
    const out = new Float32Array(this.cfg.heads * n);
    z.forEach((zi, i) => zi.forEach((v, j) => (out[i * n + j] = qValue(v, this.cfg.qOutput))));
    return out;
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
    this.checkHeads(b.a, batch, c.E, 'update.a');
    this.checkHeads(b.r, batch, 1, 'update.r');
    const done = b.done ?? new Float32Array(batch);
    const P = this.passes;
    const straightThrough = c.qOutput === 'relu' && c.deadReluFix;
    // the steps' host results leave the tidy through these (tf.tidy walks returned arrays)
    let cs: CriticStep | null = null;
    let as: ActorStep | null = null;
    tf.tidy(() => {
      const x1 = this.embed(b.s1, batch, 'update.s1');
      const x2 = this.embed(b.s2, batch, 'update.s2');
      const x1n = this.embed(b.s1n, batch, 'update.s1n');
      const x2n = this.embed(b.s2n, batch, 'update.s2n');

      // TD targets from the target networks (constants: no gradient flows into them)
      const qNext = P.criticZ(this.criticTarget, x1n, x2n, P.act(this.actorTarget, x1n, x2n)).map((z) => z.map((v) => qValue(v, c.qOutput)));
      const y = qNext.map((qn, i) => tdTarget(b.r.subarray(i * batch, (i + 1) * batch), qn, done, c.gamma, 1, new Float64Array(batch)));

      // 1. critic TD step
      this.criticOpt.applyFlat(P.criticGrad(this.critic, x1, x2, b.a, (z) => (cs = criticStep(z, y, c.qOutput, straightThrough)).dz));

      // 2. actor step with the updated critic; gradient w.r.t. the actor's weights only
      this.actorOpt.applyFlat(P.actorGrad(this.actor, this.critic, x1, x2, c.actionPenalty > 0, (z, mu) => (as = actorStep(z, mu, c.qOutput, c.actionPenalty))));
    });
    const stats = { critic: cs! as CriticStep, actor: as! as ActorStep };

    // 3. soft update of both targets (Algorithm 2 line 27)
    this.actorTarget.params.softUpdateFrom(this.actor.params, c.tau);
    this.criticTarget.params.softUpdateFrom(this.critic.params, c.tau);

    this.updates += 1;
    this.deadMinibatches += stats.critic.dead;
    return {
      criticLoss: stats.critic.loss,
      actorLoss: stats.actor.loss,
      qMean: stats.critic.qSum / (K * batch),
      deadFrac: c.qOutput === 'relu' ? stats.critic.dead / K : 0,
    };
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
      config: omitNeutral(this.cfg, DDPG_NEUTRAL), // options added later are recorded only when on
      nItems: this.table.nItems,
      adamSteps: { actor: w.actorAdam.step, critic: w.criticAdam.step },
      updates: w.updates,
      deadMinibatches: w.deadMinibatches,
    });
  }

  /** Load a core saved by `save`. The item table is world data, not part of the checkpoint. */
  static async load(dir: string, table: Float32Array, options: DdpgCoreOptions = {}): Promise<DdpgCore> {
    const L = loadTensors(dir, FORMAT);
    const meta = L.json.userDefinedMetadata as {
      config: DdpgConfig;
      adamSteps: { actor: number; critic: number };
      updates: number;
      deadMinibatches: number;
    };
    if (!meta || !meta.config || !meta.adamSteps) throw new InputError(`${dir}/model.json`, 0, 'userDefinedMetadata lacks config/adamSteps');
    // Weights are overwritten right away; the init stream is irrelevant.
    const core = new DdpgCore(table, meta.config, new Rng(0), options);
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
