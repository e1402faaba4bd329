/**
 * Fully connected layer y = x W (+ b), W stored [in, out] (the transpose of PyTorch's Linear weight).
 * Init: W, b ~ U(-1/sqrt(in), 1/sqrt(in)) (PyTorch default), or a constant bias when given.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet, torchUniform } from './params';
import { Rng } from '../util/rng';
import { nnImpl } from './impl';
import { linear } from './linear';

export interface DenseOptions {
  bias?: boolean;
  /** Constant bias initialisation instead of the PyTorch default (e.g. a positive Q output bias). */
  biasInit?: number;
}

export class Dense {
  readonly W: tf.Variable; // [in, out]
  readonly b: tf.Variable | null; // [out]

  constructor(ps: ParamSet, readonly name: string, readonly inDim: number, readonly outDim: number, rng: Rng | null, o: DenseOptions = {}) {
    const init = torchUniform(inDim);
    this.W = ps.add(`${name}/W`, [inDim, outDim], init, rng);
    this.b = o.bias === false ? null : ps.add(`${name}/b`, [outDim], o.biasInit === undefined ? init : { kind: 'const', value: o.biasInit }, rng);
  }

  /** x [rows, in] -> [rows, out]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (nnImpl.fast) return linear(x, this.W as tf.Tensor2D, this.b as tf.Tensor1D | null);
    const y = tf.matMul(x, this.W as tf.Tensor2D) as tf.Tensor2D;
    return this.b ? (tf.add(y, this.b) as tf.Tensor2D) : y;
  }
}
