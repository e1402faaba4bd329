/**
 * `ParamSet`: the named, ordered weight tensors of one network, stored as ONE flat tf.Variable
 * (Adam, soft updates and copies run over the whole vector with a handful of kernels instead of
 * a dozen per tensor).
 *
 * The flat layout concatenates the tensors in declaration order (`entries()`); it is the
 * representation used by checkpoints, `getWeights()/setWeights()` and the manifest of saved models.
 *
 * Weight blocks (fast path): layers declare the blocks they multiply with (`addBlock`: a strided
 * 2-D window of the flat vector, possibly several stacked or summed, possibly scaled), and
 * `blocks()` returns them as tensors, gathered in ONE kernel right after every change of the
 * weights (so the number of live tensors stays constant). Gradients go the other way:
 * `scatter(pieces, placements)` builds the flat gradient in one kernel.
 * The reference engine reads differentiable views instead (`refView`: slices of the variable).
 *
 * Initialisation (PyTorch-like, documented choice): every Dense weight and bias ~ U(-k, k) with
 * k = 1/sqrt(fan_in); every GRU tensor ~ U(-k, k) with k = 1/sqrt(H). Draws come from the `Rng`
 * passed in, tensor by tensor in declaration order (same seed => byte-identical weights).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { UsageError } from '../util/errors';
import { BlockSpec, Placement, gather, scatter } from './engine/kernels';
import { Engine, EngineName, resolveEngine } from './engine/engine';

/** How a tensor is initialised: U(-k, k), or a constant. */
export type Init = { kind: 'uniform'; k: number } | { kind: 'const'; value: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
}

/** One named tensor in a manifest / flat layout. */
export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset (in floats) into the flat vector. */
  offset: number;
  size: number;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class ParamSet {
  readonly specs: ParamSpec[] = [];
  private readonly index = new Map<string, number>();
  private readonly ents: TensorEntry[] = [];
  private total = 0;
  /** Initial values, tensor by tensor, until the variable is created. */
  private pending: Float32Array[] | null = [];
  private flatVar: tf.Variable | null = null;
  private readonly blockSpecs: BlockSpec[] = [];
  private blockTensors: tf.Tensor[] | null = null;
  private readonly views = new Map<string, tf.Tensor>();
  private disposed = false;

  /** The engine every layer over this set runs on (engine/engine.ts), fixed at construction. */
  readonly engine: Engine;

  /**
   * `trainable` false for target networks (never seen by autodiff). `engine`: default the fast
   * engine when the backend has its kernels; the reference engine reads `refView`s, not blocks.
   */
  constructor(readonly trainable = true, engine?: Engine | EngineName) {
    this.engine = resolveEngine(engine);
  }

  /**
   * Declare a tensor. With `rng` null it starts at zero (used for copies whose weights are set
   * right after, e.g. target networks). Must precede the first use of the weights.
   */
  add(name: string, shape: number[], init: Init, rng: Rng | null): TensorEntry {
    if (this.index.has(name)) throw new UsageError(`ParamSet: duplicate tensor name '${name}'`);
    if (!this.pending) throw new UsageError(`ParamSet: cannot add '${name}' after the weights were first used`);
    const n = sizeOf(shape);
    const data = new Float32Array(n);
    if (rng) {
      if (init.kind === 'uniform') rng.fillUniform(data, -init.k, init.k);
      else data.fill(init.value);
    }
    const e: TensorEntry = { name, shape: shape.slice(), offset: this.total, size: n };
    this.index.set(name, this.ents.length);
    this.specs.push({ name, shape: shape.slice(), init });
    this.ents.push(e);
    this.pending.push(data);
    this.total += n;
    return e;
  }

  /** The layout entry of a tensor. */
  entry(name: string): TensorEntry {
    const i = this.index.get(name);
    if (i === undefined) throw new UsageError(`ParamSet: no tensor named '${name}'`);
    return this.ents[i];
  }

  /** Declare a weight block (see the header); returns its index into `blocks()`. */
  addBlock(spec: BlockSpec): number {
    this.blockSpecs.push(spec);
    if (this.flatVar) this.refresh();
    return this.blockSpecs.length - 1;
  }

  /** The flat variable [size] (created on first use). */
  get flat(): tf.Variable {
    this.checkAlive();
    if (!this.flatVar) {
      const data = new Float32Array(this.total);
      let off = 0;
      for (const d of this.pending ?? []) {
        data.set(d, off);
        off += d.length;
      }
      this.pending = null;
      this.flatVar = tf.tidy(() => tf.variable(tf.tensor1d(data, 'float32'), this.trainable));
      this.refresh();
    }
    return this.flatVar;
  }

  /** The variables to differentiate with respect to (the one flat variable). */
  get vars(): tf.Variable[] {
    return [this.flat];
  }

  /** Create the variable and the blocks now (call after the last `add`). */
  seal(): this {
    void this.flat;
    return this;
  }

  /**
   * Current weight blocks (fast path). Valid until the next change of the weights. Blocks marked
   * `backward` are null in a non-trainable set.
   */
  blocks(): tf.Tensor[] {
    void this.flat;
    if (!this.blockTensors) throw new UsageError(`ParamSet: weight blocks belong to the fast engine (this set runs on '${this.engine.name}')`);
    return this.blockTensors;
  }

  /** A differentiable view of one tensor (slices the variable; for the reference path). */
  refView(name: string): tf.Tensor {
    const e = this.entry(name);
    return tf.reshape(tf.slice(this.flat, [e.offset], [e.size]), e.shape);
  }

  /** The current value of one tensor (cached; valid until the next change of the weights). */
  get(name: string): tf.Tensor {
    const e = this.entry(name);
    let v = this.views.get(name);
    if (!v) {
      const flat = this.flat;
      v = tf.keep(tf.tidy(() => tf.reshape(tf.slice(flat, [e.offset], [e.size]), e.shape)));
      this.views.set(name, v);
    }
    return v;
  }

  /** Flat gradient [size] from gradient pieces and where they go (one kernel). */
  scatter(pieces: tf.Tensor[], places: Placement[]): tf.Tensor {
    return scatter(this.total, pieces, places);
  }

  /** Total number of floats. */
  get size(): number {
    return this.total;
  }

  /** Names, shapes and flat offsets in declaration order. */
  entries(): TensorEntry[] {
    return this.ents.map((e) => ({ ...e, shape: e.shape.slice() }));
  }

  /** All weights concatenated in declaration order (a copy). */
  getFlat(): Float32Array {
    return (this.flat.dataSync() as Float32Array).slice();
  }

  /** Overwrite all weights from a flat vector laid out as `getFlat()`. */
  setFlat(flat: Float32Array, what = 'weights'): void {
    if (!(flat instanceof Float32Array) || flat.length !== this.total) {
      throw new UsageError(`${what}: expected a Float32Array of length ${this.total}, got ${flat?.length}`);
    }
    const t = tf.tensor1d(flat, 'float32');
    this.assignFlat(t);
    t.dispose();
  }

  /** Replace the weights by `t` [size] (the caller keeps ownership of `t`). */
  assignFlat(t: tf.Tensor): void {
    this.flat.assign(t as tf.Tensor1D);
    this.refresh();
  }

  /** Copy another set with the identical layout (e.g. online -> target at construction). */
  copyFrom(src: ParamSet): void {
    this.checkSameLayout(src);
    this.assignFlat(src.flat);
  }

  /** Soft update this (target) set toward `src`: t <- tau * w + (1 - tau) * t (Algorithm 2 line 27). */
  softUpdateFrom(src: ParamSet, tau: number): void {
    this.checkSameLayout(src);
    const next = tf.tidy(() => {
      const a = tf.scalar(tau);
      const b = tf.scalar(1 - tau);
      const E = tf.engine();
      const wa = E.runKernel('Multiply', { a: src.flat, b: a }) as tf.Tensor;
      const tb = E.runKernel('Multiply', { a: this.flat, b }) as tf.Tensor;
      return E.runKernel('Add', { a: wa, b: tb }) as tf.Tensor;
    });
    this.assignFlat(next);
    next.dispose();
  }

  /** Re-gather the blocks and drop cached views after a change of the weights. */
  private refresh(): void {
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
    if (this.blockTensors) for (const b of this.blockTensors) b?.dispose();
    this.blockTensors = null;
    if (!this.flatVar || !this.engine.fast) return;
    const flat = this.flatVar;
    const need = this.blockSpecs.map((b, i) => (this.trainable || !b.backward ? i : -1)).filter((i) => i >= 0);
    const got = need.length ? gather(flat, need.map((i) => this.blockSpecs[i])).map((b) => tf.keep(b)) : [];
    this.blockTensors = new Array(this.blockSpecs.length).fill(null);
    need.forEach((i, k) => ((this.blockTensors as tf.Tensor[])[i] = got[k]));
  }

  private checkSameLayout(src: ParamSet): void {
    const ok =
      src.specs.length === this.specs.length &&
      src.specs.every((s, i) => s.name === this.specs[i].name && s.shape.join(',') === this.specs[i].shape.join(','));
    if (!ok) throw new UsageError('ParamSet: layouts differ (different network configs?)');
  }

  private checkAlive(): void {
    if (this.disposed) throw new UsageError('ParamSet: used after dispose()');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
    if (this.blockTensors) for (const b of this.blockTensors) b?.dispose();
    this.blockTensors = null;
    this.flatVar?.dispose();
    this.flatVar = null;
  }
}

/** PyTorch's default U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function torchUniform(fanIn: number): Init {
  return { kind: 'uniform', k: 1 / Math.sqrt(fanIn) };
}
