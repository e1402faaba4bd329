/**
 * Fully connected layer y = x W (+ b), W stored [in, out] (the transpose of PyTorch's Linear weight).
 * Init: W, b ~ U(-1/sqrt(in), 1/sqrt(in)) (PyTorch default), or a constant bias when given.
 * Fast path: blocks W [1, in, out], b [out], W^T [1, out, in]; the backward uses W^T and x^T as
 * explicit operands of plain matmuls (kernels.mm), and a JS column sum for the bias.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet, TensorEntry, torchUniform } from './params';
import { Rng } from '../util/rng';
import { Placement, colSum, mm, reshape, transpose } from './engine/kernels';
import { place } from './engine/grads';

export interface DenseOptions {
  bias?: boolean;
  /** Constant bias initialisation instead of the PyTorch default (e.g. a positive Q output bias). */
  biasInit?: number;
}

export class Dense {
  readonly W: TensorEntry; // [in, out]
  readonly b: TensorEntry | null; // [out]
  /** Index of the W block; then b (if any), then W^T. */
  private readonly b0: number;

  constructor(readonly ps: ParamSet, readonly name: string, readonly inDim: number, readonly outDim: number, rng: Rng | null, o: DenseOptions = {}) {
    const init = torchUniform(inDim);
    this.W = ps.add(`${name}/W`, [inDim, outDim], init, rng);
    this.b = o.bias === false ? null : ps.add(`${name}/b`, [outDim], o.biasInit === undefined ? init : { kind: 'const', value: o.biasInit }, rng);
    this.b0 = ps.addBlock({ shape: [1, inDim, outDim], cols: outDim, parts: [{ rows: inDim, segs: [{ off: this.W.offset, rs: outDim, cs: 1 }] }], scale: 1 });
    if (this.b) ps.addBlock({ shape: [outDim], cols: outDim, parts: [{ rows: 1, segs: [{ off: this.b.offset, rs: 0, cs: 1 }] }], scale: 1 });
    ps.addBlock({ shape: [1, outDim, inDim], cols: inDim, parts: [{ rows: outDim, segs: [{ off: this.W.offset, rs: 1, cs: outDim }] }], scale: 1, backward: true });
  }

  /** Current blocks: W [1, in, out], b [out] or null, WT [1, out, in]. */
  blocks(): { W: tf.Tensor; b: tf.Tensor | null; WT: tf.Tensor } {
    const bl = this.ps.blocks();
    const i = this.b0;
    return this.b ? { W: bl[i], b: bl[i + 1], WT: bl[i + 2] } : { W: bl[i], b: null, WT: bl[i + 1] };
  }

  /** Placement of dW [in, out] (or of dW^T [out, in] with `transposed`). */
  placeW(transposed = false, r0 = 0): Omit<Placement, 'piece'> {
    const I = this.inDim, O = this.outDim;
    return transposed ? place(O, I, { off: this.W.offset, rs: 1, cs: O }, r0) : place(I, O, { off: this.W.offset, rs: O, cs: 1 }, r0);
  }

  /** Placement of db from columns [c0, c0 + out) of a one-row piece. */
  placeB(c0 = 0): Omit<Placement, 'piece'> {
    return place(1, this.outDim, { off: (this.b as TensorEntry).offset, rs: 0, cs: 1 }, 0, c0);
  }

  /** x [rows, in] -> [rows, out]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.ps.engine.fast) {
      const y = tf.matMul(x, this.ps.refView(this.W.name) as tf.Tensor2D) as tf.Tensor2D;
      return this.b ? (tf.add(y, this.ps.refView(this.b.name)) as tf.Tensor2D) : y;
    }
    const rows = x.shape[0], I = this.inDim, O = this.outDim;
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const xx = args[0] as tf.Tensor;
      const save = args[2] as tf.GradSaveFunc;
      const x3 = reshape(xx, [1, rows, I]);
      save([x3]);
      const bl = this.blocks();
      return {
        value: reshape(mm(x3, bl.W, bl.b), [rows, O]),
        gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => {
          const d3 = reshape(dy, [1, rows, O]);
          const blk = this.blocks();
          const [xT] = transpose(xs);
          const pieces = [mm(xT, d3)];
          const places: Placement[] = [{ ...this.placeW(), piece: 0 }];
          if (this.b) {
            pieces.push(colSum(d3));
            places.push({ ...this.placeB(), piece: 1 });
          }
          return [reshape(mm(d3, blk.WT), [rows, I]), this.ps.scatter(pieces, places)];
        },
      };
    });
    return op(x, this.ps.flat) as tf.Tensor2D;
  }
}
