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
import { ParamSet, TensorEntry, torchUniform } from './params';
import { HistoryInput, seqOf, stepsOf } from './history';
import { Rng } from '../util/rng';
import { GruBlocks, Saved, gruBackward, gruForward } from './engine/gruSeq';
import { Placement } from './engine/kernels';
import { place } from './engine/grads';
import { reshape } from './engine/kernels';

export class Gru {
  readonly Wi: TensorEntry; // [E, 3H]
  readonly bi: TensorEntry; // [3H]
  readonly Wh: TensorEntry; // [H, 3H]
  readonly bh: TensorEntry; // [3H]
  /** Index of the first of this GRU's 5 blocks in `ps.blocks()`. */
  private readonly b0: number;

  constructor(readonly ps: ParamSet, readonly name: string, readonly E: number, readonly H: number, rng: Rng | null) {
    const init = torchUniform(H);
    this.Wi = ps.add(`${name}/Wi`, [E, 3 * H], init, rng);
    this.bi = ps.add(`${name}/bi`, [3 * H], init, rng);
    this.Wh = ps.add(`${name}/Wh`, [H, 3 * H], init, rng);
    this.bh = ps.add(`${name}/bh`, [3 * H], init, rng);
    const H3 = 3 * H;
    const rows = (n: number, off: number, rs: number, cs = 1) => ({ rows: n, segs: [{ off, rs, cs }] });
    this.b0 = ps.addBlock({ shape: [1, E, H3], cols: H3, parts: [rows(E, this.Wi.offset, H3)], scale: 1 }); // Wi
    ps.addBlock({ shape: [H3], cols: H3, parts: [rows(1, this.bi.offset, 0)], scale: 1 }); // bi
    ps.addBlock({ shape: [1, H, H3], cols: H3, parts: [rows(H, this.Wh.offset, H3)], scale: 1 }); // Wh
    ps.addBlock({ shape: [H3], cols: H3, parts: [rows(1, this.bh.offset, 0)], scale: 1 }); // bh
    ps.addBlock({ shape: [1, H3, H], cols: H, parts: [rows(H3, this.Wh.offset, 1, H3)], scale: 1, backward: true }); // Wh^T
  }

  /** The current weight blocks (fast path). */
  blocks(): GruBlocks {
    const b = this.ps.blocks();
    const i = this.b0;
    return { Wi: b[i], bi: b[i + 1], Wh: b[i + 2], bh: b[i + 3], WhT: b[i + 4] };
  }

  /** Where the 3 gradient pieces of `gruBackward` go (dWi^T, dWh^T, (d bi | d bh)). */
  placements(): Omit<Placement, 'piece'>[][] {
    const E = this.E, H = this.H, H3 = 3 * H;
    return [
      [place(H3, E, { off: this.Wi.offset, rs: 1, cs: H3 })],
      [place(H3, H, { off: this.Wh.offset, rs: 1, cs: H3 })],
      [place(1, H3, { off: this.bi.offset, rs: 0, cs: 1 }), place(1, H3, { off: this.bh.offset, rs: 0, cs: 1 }, 0, H3)],
    ];
  }

  /** Final hidden state [batch, H] (fast path: gruSeq.ts as one differentiable op; else `runReference`). */
  run(input: HistoryInput): tf.Tensor2D {
    if (!this.ps.engine.fast) return this.runReference(input);
    const seq = seqOf(input);
    const B = input.batch, H = this.H;
    if (!seq) return tf.zeros([B, H]); // all padding: h = h0 = 0
    const ps = this.ps;
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args[1] as tf.GradSaveFunc;
      const saved = new Saved();
      const { h, cache } = gruForward(seq, B, H, this.blocks(), saved);
      save(saved.ts);
      return {
        value: reshape(h, [B, H]),
        gradFunc: (dy: tf.Tensor, st: tf.Tensor[]) => {
          const pieces = gruBackward(cache!, st, reshape(dy, [1, B, H]), this.blocks().WhT);
          const places = this.placements().flatMap((ps, k) => ps.map((p) => ({ ...p, piece: k })));
          return [this.ps.scatter(pieces, places)];
        },
      };
    });
    return op(ps.flat) as tf.Tensor2D;
  }

  /** Plain tfjs ops + autodiff, step by step (weights: differentiable views of the flat variable). */
  runReference(input: HistoryInput): tf.Tensor2D {
    const Wi = this.ps.refView(this.Wi.name) as tf.Tensor2D, bi = this.ps.refView(this.bi.name);
    const Wh = this.ps.refView(this.Wh.name) as tf.Tensor2D, bh = this.ps.refView(this.bh.name);
    let h: tf.Tensor2D = tf.zeros([input.batch, this.H]);
    for (const st of stepsOf(input)) {
      if (!st) continue; // padding on every row: state unchanged
      const gi = tf.add(tf.matMul(st.x, Wi), bi); // [batch, 3H]
      const gh = tf.add(tf.matMul(h, Wh), bh); // [batch, 3H]
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
