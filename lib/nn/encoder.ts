/**
 * State encoder (Eq. 4 high level over (clicked, ordered); Eq. 8 low level over (browsed, clicked)):
 * two GRUs over two histories, final states merged linearly  s = h1 W1 + h2 W2 + b  -> [batch, H].
 * W1 has no bias, W2 carries b (as in the PyTorch peer).
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { Gru } from './gru';
import { Dense } from './dense';
import { HistoryInput, seqOf } from './history';
import { Rng } from '../util/rng';
import { GruCache, Saved, gruBackward, gruForward } from './engine/gruSeq';
import { add, mm, reshape, transpose } from './engine/kernels';
import { Grads } from './engine/grads';

export interface EncoderCache {
  g1: GruCache | null;
  g2: GruCache | null;
  h1: number;
  h2: number;
}

export class Encoder {
  readonly gru1: Gru;
  readonly gru2: Gru;
  readonly w1: Dense;
  readonly w2: Dense;

  constructor(readonly ps: ParamSet, readonly name: string, readonly E: number, readonly H: number, rng: Rng | null) {
    this.gru1 = new Gru(ps, `${name}/gru1`, E, H, rng);
    this.gru2 = new Gru(ps, `${name}/gru2`, E, H, rng);
    this.w1 = new Dense(ps, `${name}/w1`, H, H, rng, { bias: false });
    this.w2 = new Dense(ps, `${name}/w2`, H, H, rng);
  }

  /**
   * Fast forward: y1 = h1 W1, y2 = h2 W2 + b, each [1, batch, H] (s = y1 + y2 is formed by the
   * caller, fused with what follows). With `saved`, also what `backwardFast` needs.
   */
  forwardFast(x1: HistoryInput, x2: HistoryInput, saved: Saved | null): { y1: tf.Tensor; y2: tf.Tensor; cache: EncoderCache | null } {
    const B = x1.batch, H = this.H;
    const run = (g: Gru, x: HistoryInput) => {
      const seq = seqOf(x);
      return seq ? gruForward(seq, B, H, g.blocks(), saved) : { h: tf.zeros([1, B, H]), cache: null }; // all padding: h = 0
    };
    const r1 = run(this.gru1, x1), r2 = run(this.gru2, x2);
    const b1 = this.w1.blocks(), b2 = this.w2.blocks();
    const y1 = mm(r1.h, b1.W), y2 = mm(r2.h, b2.W, b2.b);
    const cache = saved ? { g1: r1.cache, g2: r2.cache, h1: saved.put(r1.h), h2: saved.put(r2.h) } : null;
    return { y1, y2, cache };
  }

  /** Backward from ds [1, batch, H] into `grads`. */
  backwardFast(c: EncoderCache, ts: tf.Tensor[], ds: tf.Tensor, grads: Grads): void {
    const [dsT, db] = transpose(ds, true); // [1, H, batch], [1, 1, H]
    grads.add(mm(dsT, ts[c.h1]), [this.w1.placeW(true)]);
    grads.add(mm(dsT, ts[c.h2]), [this.w2.placeW(true)]);
    grads.add(db, [this.w2.placeB()]);
    for (const [g, gc, w] of [[this.gru1, c.g1, this.w1], [this.gru2, c.g2, this.w2]] as const) {
      if (!gc) continue; // all padding: no path to the GRU's weights
      const pieces = gruBackward(gc, ts, mm(ds, w.blocks().WT), g.blocks().WhT);
      const places = g.placements();
      pieces.forEach((p, k) => grads.add(p, places[k]));
    }
  }

  /** s [batch, H]. */
  apply(x1: HistoryInput, x2: HistoryInput): tf.Tensor2D {
    if (!this.ps.engine.fast) {
      const h1 = this.gru1.runReference(x1);
      const h2 = this.gru2.runReference(x2);
      return tf.add(this.w1.apply(h1), this.w2.apply(h2)); // Eq. (4) / Eq. (8)
    }
    const B = x1.batch, H = this.H;
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args[1] as tf.GradSaveFunc;
      const saved = new Saved();
      const { y1, y2, cache } = this.forwardFast(x1, x2, saved);
      save(saved.ts);
      return {
        value: reshape(add(y1, y2), [B, H]), // Eq. (4) / Eq. (8)
        gradFunc: (dy: tf.Tensor, st: tf.Tensor[]) => {
          const grads = new Grads();
          this.backwardFast(cache!, st, reshape(dy, [1, B, H]), grads);
          return [grads.flat(this.ps)];
        },
      };
    });
    return op(this.ps.flat) as tf.Tensor2D;
  }
}
