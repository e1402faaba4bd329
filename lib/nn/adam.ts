/**
 * Adam over one `ParamSet`, written out (not tf.train.adam) so that its whole state — first and
 * second moments plus the integer step — can be read and restored synchronously and exactly
 * (crash-safe checkpoints resume bit-identically).
 *
 * Same update as torch.optim.Adam (no weight decay, no amsgrad):
 *   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
 *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * Bias corrections are computed in JS doubles from the integer step t.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { UsageError } from '../util/errors';

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Full optimiser state; `m` and `v` are laid out like `ParamSet.getFlat()`. */
export interface AdamState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private t = 0;
  private readonly m: ParamSet;
  private readonly v: ParamSet;

  constructor(readonly params: ParamSet, o: AdamOptions) {
    this.lr = o.lr;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.m = new ParamSet(false);
    this.v = new ParamSet(false);
    for (const s of params.specs) {
      this.m.add(s.name, s.shape, { kind: 'const', value: 0 }, null);
      this.v.add(s.name, s.shape, { kind: 'const', value: 0 }, null);
    }
  }

  get step(): number {
    return this.t;
  }

  /**
   * One step. `grads[i]` is the gradient of `params.vars[i]`; null/undefined means "no path from the
   * loss" and counts as a zero gradient (as in PyTorch, where such a gradient would be exactly 0,
   * e.g. a GRU whose history is all padding on this minibatch).
   */
  apply(grads: (tf.Tensor | null | undefined)[]): void {
    const P = this.params.vars;
    if (grads.length !== P.length) throw new UsageError(`Adam: expected ${P.length} gradients, got ${grads.length}`);
    this.t += 1;
    const bc1 = 1 - Math.pow(this.beta1, this.t);
    const bc2 = 1 - Math.pow(this.beta2, this.t);
    tf.tidy(() => {
      const b1 = tf.scalar(this.beta1);
      const omb1 = tf.scalar(1 - this.beta1);
      const b2 = tf.scalar(this.beta2);
      const omb2 = tf.scalar(1 - this.beta2);
      const stepSize = tf.scalar(this.lr / bc1);
      const sqrtBc2 = tf.scalar(Math.sqrt(bc2));
      const eps = tf.scalar(this.eps);
      for (let i = 0; i < P.length; i++) {
        const g = grads[i] ?? tf.zerosLike(P[i]);
        const m = tf.add(tf.mul(this.m.vars[i], b1), tf.mul(g, omb1));
        const v = tf.add(tf.mul(this.v.vars[i], b2), tf.mul(tf.square(g), omb2));
        this.m.vars[i].assign(m);
        this.v.vars[i].assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), eps);
        P[i].assign(tf.sub(P[i], tf.mul(stepSize, tf.div(m, denom))));
      }
    });
  }

  getState(): AdamState {
    return { step: this.t, m: this.m.getFlat(), v: this.v.getFlat() };
  }

  setState(s: AdamState, what = 'adam'): void {
    if (!s || !Number.isInteger(s.step) || s.step < 0) throw new UsageError(`${what}.step: must be a non-negative integer`);
    this.m.setFlat(s.m, `${what}.m`);
    this.v.setFlat(s.v, `${what}.v`);
    this.t = s.step;
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
