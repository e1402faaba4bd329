/**
 * Critic with K evaluation heads over one shared encoder (Eq. 6-7 high level, Eq. 10-11 low level):
 *   q^_i = ReLU(s Ws_i + a_i Wa_i + b_i)        [batch, H]   (Ws_i no bias, Wa_i with bias)
 *   q_i  = act(q^_i w_i + b'_i)                 [batch]      (act: see qOutput.ts; paper: ReLU)
 * Fast path: q^_i = relu((s | a_i) (Ws_i ; Wa_i) + b_i) as one fused matmul kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { Encoder, EncoderCache } from './encoder';
import { Dense } from './dense';
import { HistoryInput } from './history';
import { QOutput, qActivation } from './qOutput';
import { Rng } from '../util/rng';
import { UsageError } from '../util/errors';
import { Saved } from './engine/gruSeq';
import { add, mm, reluHeadBack, reshape, stateCat, transpose } from './engine/kernels';
import { Grads, place } from './engine/grads';
import type { Engine, EngineName } from './engine/engine';

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

export interface CriticCache {
  enc: EncoderCache | null;
  sa: number[];
  hid: number[];
}

export class Critic {
  readonly params: ParamSet;
  readonly enc: Encoder;
  readonly ws: Dense[] = [];
  readonly wa: Dense[] = [];
  readonly wq: Dense[] = [];
  /** Index of the first (Ws_i ; Wa_i) block. */
  private readonly bsa: number;

  /** `rng` null: weights start at zero (to be set by copy/setFlat). `engine`: see engine/engine.ts. */
  constructor(readonly cfg: CriticConfig, rng: Rng | null, trainable = true, engine?: Engine | EngineName) {
    this.params = new ParamSet(trainable, engine);
    this.enc = new Encoder(this.params, 'enc', cfg.E, cfg.H, rng);
    for (let i = 0; i < cfg.heads; i++) {
      this.ws.push(new Dense(this.params, `head${i}/ws`, cfg.H, cfg.H, rng, { bias: false }));
      this.wa.push(new Dense(this.params, `head${i}/wa`, cfg.E, cfg.H, rng));
      this.wq.push(new Dense(this.params, `head${i}/wq`, cfg.H, 1, rng, { biasInit: cfg.qBiasInit }));
    }
    const { H, E } = cfg;
    let bsa = -1;
    for (let i = 0; i < cfg.heads; i++) {
      const k = this.params.addBlock({
        shape: [1, H + E, H],
        cols: H,
        parts: [
          { rows: H, segs: [{ off: this.ws[i].W.offset, rs: H, cs: 1 }] },
          { rows: E, segs: [{ off: this.wa[i].W.offset, rs: H, cs: 1 }] },
        ],
        scale: 1,
      });
      if (bsa < 0) bsa = k;
    }
    this.bsa = bsa;
    this.params.seal();
  }

  /**
   * Fast forward: pre-activations z_i [1, batch, 1] for actions a_i [1, batch, E]. With `saved`,
   * also what `backwardFast` needs (the encoder's part only with `encoderGrad`).
   */
  forwardFast(x1: HistoryInput, x2: HistoryInput, a: tf.Tensor[], saved: Saved | null, encoderGrad = true): { z: tf.Tensor[]; cache: CriticCache | null } {
    const { y1, y2, cache: enc } = this.enc.forwardFast(x1, x2, encoderGrad ? saved : null);
    const [, ...sa] = stateCat(y1, y2, a); // s = y1 + y2 (Eq. 4 / 8); (s | a_i) [1, batch, H + E]
    const bl = this.params.blocks();
    const hid = sa.map((t, i) => mm(t, bl[this.bsa + i], this.wa[i].blocks().b, 'relu')); // Eq. (6) / (10)
    const z = hid.map((t, i) => {
      const w = this.wq[i].blocks();
      return mm(t, w.W, w.b); // [1, batch, 1]
    });
    const cache = saved ? { enc: enc, sa: sa.map((t) => saved.put(t)), hid: hid.map((t) => saved.put(t)) } : null;
    return { z, cache };
  }

  /**
   * Backward from dz_i [1, batch, 1]. With `params`, the critic's weight gradients go into
   * `grads` (needs the encoder's cache); with `action`, returns da_i [1, batch, E].
   */
  backwardFast(c: CriticCache, ts: tf.Tensor[], dz: tf.Tensor[], want: { params: Grads | null; action: boolean }): tf.Tensor[] | null {
    const { H } = this.cfg;
    const grads = want.params;
    const da: tf.Tensor[] = [];
    let ds: tf.Tensor | null = null;
    for (let i = 0; i < this.cfg.heads; i++) {
      const wq = this.wq[i].blocks();
      const [dpre, small] = reluHeadBack(dz[i], ts[c.hid[i]], wq.W); // [1, batch, H], [1, 1, 2H + 1]
      if (grads) {
        const [saT] = transpose(ts[c.sa[i]]); // [1, H + E, batch]
        grads.add(mm(saT, dpre), [this.ws[i].placeW(false, 0), this.wa[i].placeW(false, H)]);
        grads.add(small, [place(1, H, { off: this.wq[i].W.offset, rs: 0, cs: 1 }), this.wq[i].placeB(H), this.wa[i].placeB(H + 1)]);
        const dsi = mm(dpre, this.ws[i].blocks().WT);
        ds = ds ? add(ds, dsi) : dsi;
      }
      if (want.action) da.push(mm(dpre, this.wa[i].blocks().WT));
    }
    if (grads) {
      if (!c.enc) throw new UsageError('Critic.backwardFast: the forward pass kept no encoder cache');
      this.enc.backwardFast(c.enc, ts, ds as unknown as tf.Tensor, grads);
    }
    return want.action ? da : null;
  }

  /**
   * Q values and pre-activations. `a`: K tensors [batch, E]. `straightThrough`: use the dead-ReLU
   * straight-through gradient (qOutput 'relu' only; forward values are identical either way).
   */
  heads(x1: HistoryInput, x2: HistoryInput, a: tf.Tensor2D[], straightThrough = false): CriticHeads {
    const K = this.cfg.heads;
    if (a.length !== K) throw new UsageError(`Critic: expected ${K} action tensors, got ${a.length}`);
    let z: tf.Tensor1D[];
    if (!this.params.engine.fast) {
      const s = this.enc.apply(x1, x2); // [batch, H]
      z = [];
      for (let i = 0; i < K; i++) {
        const hid = tf.relu(tf.add(this.ws[i].apply(s), this.wa[i].apply(a[i]))); // Eq. (6) / (10)  [batch, H]
        z.push(tf.reshape(this.wq[i].apply(hid as tf.Tensor2D), [-1]) as tf.Tensor1D); // [batch]
      }
    } else {
      const batch = x1.batch, E = this.cfg.E;
      const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
        const acts = args.slice(1, 1 + K) as tf.Tensor[];
        const save = args[1 + K] as tf.GradSaveFunc;
        const saved = new Saved();
        const { z, cache } = this.forwardFast(x1, x2, acts.map((t) => reshape(t, [1, batch, E])), saved);
        save(saved.ts);
        return {
          value: reshape(tf.concat(z, 0), [K, batch]),
          gradFunc: (dy: tf.Tensor, st: tf.Tensor[]) => {
            const grads = new Grads();
            const dz = tf.split(dy, K, 0).map((t) => reshape(t, [1, batch, 1]));
            const da = this.backwardFast(cache!, st, dz, { params: grads, action: true }) as tf.Tensor[];
            return [grads.flat(this.params), ...da.map((t) => reshape(t, [batch, E]))];
          },
        };
      });
      z = tf.unstack(op(this.params.flat, ...a)) as tf.Tensor1D[];
    }
    const q = z.map((zi) => qActivation(zi, this.cfg.qOutput, straightThrough)); // Eq. (7) / (11)
    return { q, z };
  }

  /** Q_i [batch], one per head. */
  forward(x1: HistoryInput, x2: HistoryInput, a: tf.Tensor2D[]): tf.Tensor1D[] {
    return this.heads(x1, x2, a).q;
  }

  cloneFrozen(): Critic {
    const c = new Critic(this.cfg, null, false, this.params.engine);
    c.params.copyFrom(this.params);
    return c;
  }

  dispose(): void {
    this.params.dispose();
  }
}
