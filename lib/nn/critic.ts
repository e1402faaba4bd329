/**
 * Critic with K evaluation heads over one shared encoder (Eq. 6-7 high level, Eq. 10-11 low level):
 *   q^_i = ReLU(s Ws_i + a_i Wa_i + b_i)        [batch, H]   (Ws_i no bias, Wa_i with bias)
 *   q_i  = act(q^_i w_i + b'_i)                 [batch]      (act: see qOutput.ts; paper: ReLU)
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { Encoder } from './encoder';
import { Dense } from './dense';
import { HistoryInput } from './history';
import { QOutput, qActivation } from './qOutput';
import { Rng } from '../util/rng';
import { UsageError } from '../util/errors';

export interface CriticConfig {
  heads: number;
  E: number;
  H: number;
  qOutput: QOutput;
  /** Constant initial bias b'_i of each Q output (a positive value keeps ReLU heads alive at init). */
  qBiasInit: number;
}

export interface CriticHeads {
  /** Q_i [batch], one per head. */
  q: tf.Tensor1D[];
  /** Pre-activations z_i [batch] of the output layer. */
  z: tf.Tensor1D[];
}

export class Critic {
  readonly params: ParamSet;
  readonly enc: Encoder;
  readonly ws: Dense[] = [];
  readonly wa: Dense[] = [];
  readonly wq: Dense[] = [];

  constructor(readonly cfg: CriticConfig, rng: Rng | null, trainable = true) {
    this.params = new ParamSet(trainable);
    this.enc = new Encoder(this.params, 'enc', cfg.E, cfg.H, rng);
    for (let i = 0; i < cfg.heads; i++) {
      this.ws.push(new Dense(this.params, `head${i}/ws`, cfg.H, cfg.H, rng, { bias: false }));
      this.wa.push(new Dense(this.params, `head${i}/wa`, cfg.E, cfg.H, rng));
      this.wq.push(new Dense(this.params, `head${i}/wq`, cfg.H, 1, rng, { biasInit: cfg.qBiasInit }));
    }
  }

  /**
   * Q values and pre-activations. `a`: K tensors [batch, E]. `straightThrough`: use the dead-ReLU
   * straight-through gradient (qOutput 'relu' only; forward values are identical either way).
   */
  heads(x1: HistoryInput, x2: HistoryInput, a: tf.Tensor2D[], straightThrough = false): CriticHeads {
    if (a.length !== this.cfg.heads) throw new UsageError(`Critic: expected ${this.cfg.heads} action tensors, got ${a.length}`);
    const s = this.enc.apply(x1, x2); // [batch, H]
    const q: tf.Tensor1D[] = [];
    const z: tf.Tensor1D[] = [];
    for (let i = 0; i < this.cfg.heads; i++) {
      const hid = tf.relu(tf.add(this.ws[i].apply(s), this.wa[i].apply(a[i]))); // Eq. (6) / (10)  [batch, H]
      const zi = tf.reshape(this.wq[i].apply(hid as tf.Tensor2D), [-1]) as tf.Tensor1D; // [batch]
      z.push(zi);
      q.push(qActivation(zi, this.cfg.qOutput, straightThrough)); // Eq. (7) / (11)
    }
    return { q, z };
  }

  /** Q_i [batch], one per head. */
  forward(x1: HistoryInput, x2: HistoryInput, a: tf.Tensor2D[]): tf.Tensor1D[] {
    return this.heads(x1, x2, a).q;
  }

  cloneFrozen(): Critic {
    const c = new Critic(this.cfg, null, false);
    c.params.copyFrom(this.params);
    return c;
  }

  dispose(): void {
    this.params.dispose();
  }
}
