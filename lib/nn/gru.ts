/**
 * GRU over a history, PyTorch cell (two bias vectors), h0 = 0, returns the final hidden state:
 *   r = sig(x W_ir + b_ir + h W_hr + b_hr);  z = sig(x W_iz + b_iz + h W_hz + b_hz)
 *   n = tanh(x W_in + b_in + r * (h W_hn + b_hn));  h' = (1 - z) * n + z * h
 * Gates are packed column-wise (r | z | n): Wi [E, 3H], bi [3H], Wh [H, 3H], bh [3H]
 * (= transpose of PyTorch's weight_ih_l0 / weight_hh_l0, same gate order).
 * Padded rows keep their state: h <- mask * h' + (1 - mask) * h (see history.ts).
 * Init: all tensors ~ U(-1/sqrt(H), 1/sqrt(H)) (PyTorch default).
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet, torchUniform } from './params';
import { HistoryInput, StepInput } from './history';
import { Rng } from '../util/rng';
import { nnImpl } from './impl';
import { gruSequence } from './gruSeq';

export class Gru {
  readonly Wi: tf.Variable; // [E, 3H]
  readonly bi: tf.Variable; // [3H]
  readonly Wh: tf.Variable; // [H, 3H]
  readonly bh: tf.Variable; // [3H]

  constructor(ps: ParamSet, readonly name: string, readonly E: number, readonly H: number, rng: Rng | null) {
    const init = torchUniform(H);
    this.Wi = ps.add(`${name}/Wi`, [E, 3 * H], init, rng);
    this.bi = ps.add(`${name}/bi`, [3 * H], init, rng);
    this.Wh = ps.add(`${name}/Wh`, [H, 3 * H], init, rng);
    this.bh = ps.add(`${name}/bh`, [3 * H], init, rng);
  }

  /** Final hidden state [batch, H] (fast path: gruSeq.ts; reference: `runReference`). */
  run(input: HistoryInput): tf.Tensor2D {
    if (!nnImpl.fast) return this.runReference(input);
    const steps = input.steps.filter((s): s is StepInput => s !== null);
    if (steps.length === 0) return tf.zeros([input.batch, this.H]); // all padding: h = h0 = 0
    return gruSequence(steps, input.batch, this.H, this.Wi, this.bi, this.Wh, this.bh);
  }

  /** Plain tfjs ops + autodiff, step by step. */
  runReference(input: HistoryInput): tf.Tensor2D {
    let h: tf.Tensor2D = tf.zeros([input.batch, this.H]);
    for (const st of input.steps) {
      if (!st) continue; // padding on every row: state unchanged
      const gi = tf.add(tf.matMul(st.x, this.Wi as tf.Tensor2D), this.bi); // [batch, 3H]
      const gh = tf.add(tf.matMul(h, this.Wh as tf.Tensor2D), this.bh); // [batch, 3H]
      const [ir, iz, inn] = tf.split(gi, 3, 1) as tf.Tensor2D[];
      const [hr, hz, hn] = tf.split(gh, 3, 1) as tf.Tensor2D[];
      const r = tf.sigmoid(tf.add(ir, hr));
      const z = tf.sigmoid(tf.add(iz, hz));
      const n = tf.tanh(tf.add(inn, tf.mul(r, hn)));
      const hNew = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D; // [batch, H]
      h = st.mask && st.keep ? (tf.add(tf.mul(st.mask, hNew), tf.mul(st.keep, h)) as tf.Tensor2D) : hNew;
    }
    return h;
  }
}
