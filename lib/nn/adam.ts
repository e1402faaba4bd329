/**
 * Adam over one `ParamSet` (its one flat variable), written out (not tf.train.adam, which runs
 * 15-20 kernels per variable) so that its whole state — first and second moments plus the integer
 * step — can be read and restored synchronously and exactly (crash-safe checkpoints resume
 * bit-identically). One step is 13 kernels over the flat vector.
 *
 * Same update as torch.optim.Adam (no weight decay, no amsgrad):
 *   m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2
 *   p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * Bias corrections are computed in JS doubles from the integer step t; every elementwise operation
 * is a float32 kernel, in the order written above.
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
  private m: tf.Tensor;
  private v: tf.Tensor;
  /** Constant scalars b1, 1-b1, b2, 1-b2, eps (created once: no per-step uploads). */
  private readonly c: tf.Tensor[];
  private disposed = false;

  constructor(readonly params: ParamSet, o: AdamOptions) {
    this.lr = o.lr;
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.m = tf.keep(tf.zeros([params.size]));
    this.v = tf.keep(tf.zeros([params.size]));
    this.c = [this.beta1, 1 - this.beta1, this.beta2, 1 - this.beta2, this.eps].map((x) => tf.keep(tf.scalar(x)));
  }

  get step(): number {
    return this.t;
  }

  /**
   * One step. `grads[0]` is the gradient of the flat variable (`params.vars[0]`); null/undefined
   * means "no path from the loss" and counts as a zero gradient (as in PyTorch, where such a
   * gradient would be exactly 0).
   */
  apply(grads: (tf.Tensor | null | undefined)[]): void {
    if (grads.length !== 1) throw new UsageError(`Adam: expected 1 gradient (the flat variable), got ${grads.length}`);
    this.applyFlat(grads[0] ?? null);
  }

  /** One step with the flat gradient g [size] (null: zero gradient). */
  applyFlat(g: tf.Tensor | null): void {
    this.checkAlive();
    const P = this.params;
    if (g && (g.size !== P.size || g.shape.length !== 1)) throw new UsageError(`Adam: gradient has shape [${g.shape}], expected [${P.size}]`);
    this.t += 1;
    const bc1 = 1 - Math.pow(this.beta1, this.t);
    const bc2 = 1 - Math.pow(this.beta2, this.t);
    const [b1, omb1, b2, omb2, eps] = this.c;
    const E = tf.engine();
    const k = (name: string, inputs: tf.NamedTensorMap) => E.runKernel(name, inputs) as tf.Tensor;
    const [m, v, p] = tf.tidy(() => {
      const grad = g ?? tf.zeros([P.size]);
      const stepSize = tf.scalar(this.lr / bc1);
      const sqrtBc2 = tf.scalar(Math.sqrt(bc2));
      const m = k('Add', { a: k('Multiply', { a: this.m, b: b1 }), b: k('Multiply', { a: grad, b: omb1 }) });
      const v = k('Add', { a: k('Multiply', { a: this.v, b: b2 }), b: k('Multiply', { a: k('Square', { x: grad }), b: omb2 }) });
      const denom = k('Add', { a: k('RealDiv', { a: k('Sqrt', { x: v }), b: sqrtBc2 }), b: eps });
      const p = k('Sub', { a: P.flat, b: k('Multiply', { a: stepSize, b: k('RealDiv', { a: m, b: denom }) }) });
      return [m, v, p];
    });
    this.m.dispose();
    this.v.dispose();
    this.m = tf.keep(m);
    this.v = tf.keep(v);
    P.assignFlat(p);
    p.dispose();
  }

  getState(): AdamState {
    this.checkAlive();
    return { step: this.t, m: (this.m.dataSync() as Float32Array).slice(), v: (this.v.dataSync() as Float32Array).slice() };
  }

  setState(s: AdamState, what = 'adam'): void {
    this.checkAlive();
    if (!s || !Number.isInteger(s.step) || s.step < 0) throw new UsageError(`${what}.step: must be a non-negative integer`);
    const n = this.params.size;
    for (const [key, arr] of [['m', s.m], ['v', s.v]] as const) {
      if (!(arr instanceof Float32Array) || arr.length !== n) throw new UsageError(`${what}.${key}: expected a Float32Array of length ${n}, got ${arr?.length}`);
    }
    this.m.dispose();
    this.v.dispose();
    this.m = tf.keep(tf.tensor1d(s.m, 'float32'));
    this.v = tf.keep(tf.tensor1d(s.v, 'float32'));
    this.t = s.step;
  }

  private checkAlive(): void {
    if (this.disposed) throw new UsageError('Adam: used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.m.dispose();
    this.v.dispose();
    for (const c of this.c) c.dispose();
  }
}
