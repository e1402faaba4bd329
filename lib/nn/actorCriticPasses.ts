/**
 * The network side of a DDPG update, once per engine: forward values of an actor and critics, and
 * the parameter gradients for a given dL/dz (dL/dmu), with the loss algebra in between supplied by
 * the caller (lib/agents/ddpgLoss.ts) as a host function. Both implementations compute the same
 * thing; DdpgCore picks one when it is built (`passesFor(engine)`):
 *
 *   fast       explicit forward/backward passes (Actor/Critic forwardFast/backwardFast), no
 *              autodiff tape; gradients come out as one flat tensor per network
 *   reference  plain tfjs ops + autodiff of the surrogate sum_ij dz_ij z_ij (+ sum dmu mu), whose
 *              parameter gradient is exactly J^T dz: the reference for the fast passes
 *
 * Shapes: histories as HistoryInput (embedded for the networks' engine); actions host arrays
 * [K, batch, E] (head-major); z host arrays, one [batch] per head. Call inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs';
import type { Actor } from './actor';
import type { Critic } from './critic';
import type { HistoryInput } from './history';
import { Saved } from './engine/gruSeq';
import { Grads } from './engine/grads';
import { upload } from './engine/kernels';
import { FAST, REFERENCE, type Engine } from './engine/engine';

/** The loss algebra of the actor step: dL/dz per head, and dL/dmu per head when asked (else null). */
export type ActorAlgebra = (z: Float32Array[], mu: Float32Array[] | null) => { dz: Float32Array[]; dmu: Float32Array[] | null };

export interface ActorCriticPasses {
  readonly engine: Engine;
  /** mu(s) of `actor`, no gradient: [K, batch, E]. */
  act(actor: Actor, x1: HistoryInput, x2: HistoryInput): Float32Array;
  /** Pre-activations z_i [batch] of `critic` at actions a [K, batch, E], no gradient. */
  criticZ(critic: Critic, x1: HistoryInput, x2: HistoryInput, a: Float32Array): Float32Array[];
  /** Flat gradient of `critic`'s parameters for dL/dz = algebra(z) at actions a [K, batch, E]. */
  criticGrad(critic: Critic, x1: HistoryInput, x2: HistoryInput, a: Float32Array, algebra: (z: Float32Array[]) => Float32Array[]): tf.Tensor;
  /**
   * Flat gradient of `actor`'s parameters through `critic` at the actor's own actions mu(s), for
   * (dL/dz, dL/dmu) = algebra(z, needMu ? mu : null). The critic's weights are constants here.
   */
  actorGrad(actor: Actor, critic: Critic, x1: HistoryInput, x2: HistoryInput, needMu: boolean, algebra: ActorAlgebra): tf.Tensor;
}

/** Host copies of K tensors (one read each). */
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

/** [K, batch, cols] host data as K tensors of `shape(batch, cols)` (uploaded once, no device slicing). */
function heads(x: Float32Array, K: number, shape: number[]): tf.Tensor[] {
  const n = x.length / K;
  const out: tf.Tensor[] = [];
  for (let i = 0; i < K; i++) out.push(upload(x.subarray(i * n, (i + 1) * n), shape));
  return out;
}

export const FAST_PASSES: ActorCriticPasses = {
  engine: FAST,

  act(actor, x1, x2) {
    return concatHeads(readHeads(actor.forwardFast(x1, x2, null).g)); // [K, batch, E]
  },

  criticZ(critic, x1, x2, a) {
    const { heads: K, E } = critic.cfg;
    return readHeads(critic.forwardFast(x1, x2, heads(a, K, [1, x1.batch, E]), null).z);
  },

  criticGrad(critic, x1, x2, a, algebra) {
    const { heads: K, E } = critic.cfg;
    const batch = x1.batch;
    const saved = new Saved();
    const f = critic.forwardFast(x1, x2, heads(a, K, [1, batch, E]), saved);
    const dz = algebra(readHeads(f.z)).map((d) => upload(d, [1, batch, 1]));
    const grads = new Grads();
    critic.backwardFast(f.cache!, saved.ts, dz, { params: grads, action: false });
    return grads.flat(critic.params);
  },

  actorGrad(actor, critic, x1, x2, needMu, algebra) {
    const batch = x1.batch, E = actor.cfg.E;
    const savedA = new Saved();
    const fa = actor.forwardFast(x1, x2, savedA);
    const savedQ = new Saved();
    const fq = critic.forwardFast(x1, x2, fa.g, savedQ, false); // the critic's encoder output is a constant here
    const { dz, dmu } = algebra(readHeads(fq.z), needMu ? readHeads(fa.g) : null);
    let da = critic.backwardFast(fq.cache!, savedQ.ts, dz.map((d) => upload(d, [1, batch, 1])), { params: null, action: true })!;
    if (dmu) da = da.map((d, i) => tf.add(d, upload(dmu[i], [1, batch, E]))); // dL/dmu joins what flows back through Q
    const grads = new Grads();
    actor.backwardFast(fa.cache!, savedA.ts, da, grads);
    return grads.flat(actor.params);
  },
};

/** sum_i sum_j w_ij t_ij over heads: the surrogate whose gradient is J^T w. */
function weighted(ts: tf.Tensor[], w: Float32Array[]): tf.Scalar {
  let s = tf.scalar(0);
  ts.forEach((t, i) => (s = tf.add(s, tf.sum(tf.mul(t, tf.tensor(w[i], t.shape, 'float32'))))));
  return s;
}

export const REFERENCE_PASSES: ActorCriticPasses = {
  engine: REFERENCE,

  act(actor, x1, x2) {
    return concatHeads(readHeads(actor.forward(x1, x2))); // [K, batch, E]
  },

  criticZ(critic, x1, x2, a) {
    const { heads: K, E } = critic.cfg;
    return readHeads(critic.heads(x1, x2, heads(a, K, [x1.batch, E]) as tf.Tensor2D[]).z);
  },

  criticGrad(critic, x1, x2, a, algebra) {
    const { heads: K, E } = critic.cfg;
    const acts = heads(a, K, [x1.batch, E]) as tf.Tensor2D[];
    const { grads } = tf.variableGrads(() => {
      const { z } = critic.heads(x1, x2, acts);
      return weighted(z, algebra(readHeads(z)));
    }, critic.params.vars);
    return grads[critic.params.flat.name];
  },

  actorGrad(actor, critic, x1, x2, needMu, algebra) {
    const { grads } = tf.variableGrads(() => {
      const mu = actor.forward(x1, x2); // K x [batch, E]
      const { z } = critic.heads(x1, x2, mu);
      const { dz, dmu } = algebra(readHeads(z), needMu ? readHeads(mu) : null);
      const s = weighted(z, dz);
      return dmu ? tf.add(s, weighted(mu, dmu)) : s;
    }, actor.params.vars);
    return grads[actor.params.flat.name];
  },
};

/** The passes of `engine` (the networks they are given must be built for it). */
export function passesFor(engine: Engine): ActorCriticPasses {
  return engine.fast ? FAST_PASSES : REFERENCE_PASSES;
}
