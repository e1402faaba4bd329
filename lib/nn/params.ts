/**
 * `ParamSet`: the named, ordered weight tensors of one network (one tf.Variable per tensor).
 *
 * The flat view (`getFlat`/`setFlat`) concatenates the tensors in declaration order; it is the
 * representation used by checkpoints, `getWeights()/setWeights()`, soft updates in tests and the
 * manifest of saved models, so it stays stable even if the internal storage changes later.
 *
 * Initialisation (PyTorch-like, documented choice): every Dense weight and bias ~ U(-k, k) with
 * k = 1/sqrt(fan_in); every GRU tensor ~ U(-k, k) with k = 1/sqrt(H). Draws come from the `Rng`
 * passed in, tensor by tensor in declaration order (same seed => byte-identical weights).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { UsageError } from '../util/errors';

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
  readonly vars: tf.Variable[] = [];
  private readonly index = new Map<string, number>();
  private total = 0;
  private disposed = false;

  /** `trainable` false for target networks (never seen by autodiff). */
  constructor(readonly trainable = true) {}

  /**
   * Declare and create a tensor. With `rng` null the tensor starts at zero (used for copies whose
   * weights are set right after, e.g. target networks).
   */
  add(name: string, shape: number[], init: Init, rng: Rng | null): tf.Variable {
    if (this.index.has(name)) throw new UsageError(`ParamSet: duplicate tensor name '${name}'`);
    const n = sizeOf(shape);
    const data = new Float32Array(n);
    if (rng) {
      if (init.kind === 'uniform') rng.fillUniform(data, -init.k, init.k);
      else data.fill(init.value);
    }
    const t = tf.tensor(data, shape, 'float32');
    const v = tf.variable(t, this.trainable);
    t.dispose(); // tf.variable keeps its own reference
    this.index.set(name, this.vars.length);
    this.specs.push({ name, shape: shape.slice(), init });
    this.vars.push(v);
    this.total += n;
    return v;
  }

  get(name: string): tf.Variable {
    const i = this.index.get(name);
    if (i === undefined) throw new UsageError(`ParamSet: no tensor named '${name}'`);
    return this.vars[i];
  }

  /** Total number of floats. */
  get size(): number {
    return this.total;
  }

  /** Names, shapes and flat offsets in declaration order. */
  entries(): TensorEntry[] {
    let off = 0;
    return this.specs.map((s) => {
      const size = sizeOf(s.shape);
      const e = { name: s.name, shape: s.shape.slice(), offset: off, size };
      off += size;
      return e;
    });
  }

  /** All weights concatenated in declaration order (a copy). */
  getFlat(): Float32Array {
    const out = new Float32Array(this.total);
    let off = 0;
    for (const v of this.vars) {
      const d = v.dataSync() as Float32Array;
      out.set(d, off);
      off += d.length;
    }
    return out;
  }

  /** Overwrite all weights from a flat vector laid out as `getFlat()`. */
  setFlat(flat: Float32Array, what = 'weights'): void {
    if (!(flat instanceof Float32Array) || flat.length !== this.total) {
      throw new UsageError(`${what}: expected a Float32Array of length ${this.total}, got ${flat?.length}`);
    }
    let off = 0;
    for (let i = 0; i < this.vars.length; i++) {
      const s = this.specs[i];
      const n = sizeOf(s.shape);
      const t = tf.tensor(flat.subarray(off, off + n), s.shape, 'float32');
      this.vars[i].assign(t);
      t.dispose();
      off += n;
    }
  }

  /** Copy another set with the identical layout (e.g. online -> target at construction). */
  copyFrom(src: ParamSet): void {
    this.checkSameLayout(src);
    for (let i = 0; i < this.vars.length; i++) {
      const v = this.vars[i];
      tf.tidy(() => v.assign(src.vars[i].clone()));
    }
  }

  /** Soft update this (target) set toward `src`: t <- tau * w + (1 - tau) * t (Algorithm 2 line 27). */
  softUpdateFrom(src: ParamSet, tau: number): void {
    this.checkSameLayout(src);
    tf.tidy(() => {
      const a = tf.scalar(tau);
      const b = tf.scalar(1 - tau);
      for (let i = 0; i < this.vars.length; i++) {
        this.vars[i].assign(tf.add(tf.mul(src.vars[i], a), tf.mul(this.vars[i], b)));
      }
    });
  }

  private checkSameLayout(src: ParamSet): void {
    const ok =
      src.specs.length === this.specs.length &&
      src.specs.every((s, i) => s.name === this.specs[i].name && s.shape.join(',') === this.specs[i].shape.join(','));
    if (!ok) throw new UsageError('ParamSet: layouts differ (different network configs?)');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.vars) v.dispose();
  }
}

/** PyTorch's default U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
export function torchUniform(fanIn: number): Init {
  return { kind: 'uniform', k: 1 / Math.sqrt(fanIn) };
}
