/**
 * Actor with K heads over one shared encoder: g_i = B tanh(s W_i + b_i), i = 1..K.
 * K = M: HActor over (clicked, ordered) (Eq. 5); K = 1: LActor over (browsed, clicked) (Eq. 9).
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { Encoder } from './encoder';
import { Dense } from './dense';
import { HistoryInput } from './history';
import { Rng } from '../util/rng';

export interface ActorConfig {
  /** Number of heads K. */
  heads: number;
  /** Item embedding / action dimension E. */
  E: number;
  /** GRU hidden size = state size H. */
  H: number;
  /** Output bound B. */
  B: number;
}

export class Actor {
  readonly params: ParamSet;
  readonly enc: Encoder;
  readonly heads: Dense[];

  /** `rng` null: weights start at zero (to be set by copy/setFlat). */
  constructor(readonly cfg: ActorConfig, rng: Rng | null, trainable = true) {
    this.params = new ParamSet(trainable);
    this.enc = new Encoder(this.params, 'enc', cfg.E, cfg.H, rng);
    this.heads = [];
    for (let i = 0; i < cfg.heads; i++) this.heads.push(new Dense(this.params, `head${i}`, cfg.H, cfg.E, rng));
  }

  /** K tensors [batch, E] (proto-actions / goals). Call inside tf.tidy or a gradient function. */
  forward(x1: HistoryInput, x2: HistoryInput): tf.Tensor2D[] {
    const s = this.enc.apply(x1, x2); // [batch, H]
    const B = tf.scalar(this.cfg.B);
    return this.heads.map((h) => tf.mul(B, tf.tanh(h.apply(s))) as tf.Tensor2D); // Eq. (5) / Eq. (9)
  }

  /** A non-trainable copy with the same weights (a target network). */
  cloneFrozen(): Actor {
    const c = new Actor(this.cfg, null, false);
    c.params.copyFrom(this.params);
    return c;
  }

  dispose(): void {
    this.params.dispose();
  }
}
