/**
 * State encoder (Eq. 4 high level over (clicked, ordered); Eq. 8 low level over (browsed, clicked)):
 * two GRUs over two histories, final states merged linearly  s = h1 W1 + h2 W2 + b  -> [batch, H].
 * W1 has no bias, W2 carries b (as in the PyTorch peer).
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { Gru } from './gru';
import { Dense } from './dense';
import { HistoryInput } from './history';
import { Rng } from '../util/rng';

export class Encoder {
  readonly gru1: Gru;
  readonly gru2: Gru;
  readonly w1: Dense;
  readonly w2: Dense;

  constructor(ps: ParamSet, readonly name: string, readonly E: number, readonly H: number, rng: Rng | null) {
    this.gru1 = new Gru(ps, `${name}/gru1`, E, H, rng);
    this.gru2 = new Gru(ps, `${name}/gru2`, E, H, rng);
    this.w1 = new Dense(ps, `${name}/w1`, H, H, rng, { bias: false });
    this.w2 = new Dense(ps, `${name}/w2`, H, H, rng);
  }

  /** s [batch, H]. */
  apply(x1: HistoryInput, x2: HistoryInput): tf.Tensor2D {
    const h1 = this.gru1.run(x1);
    const h2 = this.gru2.run(x2);
    return tf.add(this.w1.apply(h1), this.w2.apply(h2)); // Eq. (4) / Eq. (8)
  }
}
