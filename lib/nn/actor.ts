/**
 * Actor with K heads over one shared encoder: g_i = B tanh(s W_i + b_i), i = 1..K.
 * K = M: HActor over (clicked, ordered) (Eq. 5); K = 1: LActor over (browsed, clicked) (Eq. 9).
 * Fast path: tanh(u) = 2 sigmoid(2u) - 1, with 2 W_i and 2 b_i gathered as blocks (scaling by 2
 * is exact) so that sigmoid(2u) is one fused matmul kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { Encoder, EncoderCache } from './encoder';
import { Dense } from './dense';
import { HistoryInput } from './history';
import { Rng } from '../util/rng';
import { Saved } from './engine/gruSeq';
import { add, mm, tanhBack, tanhOut, transpose } from './engine/kernels';
import { Grads } from './engine/grads';
import type { Engine, EngineName } from './engine/engine';

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

export interface ActorCache {
  enc: EncoderCache;
  s: number;
  sig: number[];
}

export class Actor {
  readonly params: ParamSet;
  readonly enc: Encoder;
  readonly heads: Dense[];
  /** Index of the first doubled-head block (2W_i, 2b_i per head). */
  private readonly b2: number;

  /** `rng` null: weights start at zero (to be set by copy/setFlat). `engine`: see engine/engine.ts. */
  constructor(readonly cfg: ActorConfig, rng: Rng | null, trainable = true, engine?: Engine | EngineName) {
    this.params = new ParamSet(trainable, engine);
    this.enc = new Encoder(this.params, 'enc', cfg.E, cfg.H, rng);
    this.heads = [];
    for (let i = 0; i < cfg.heads; i++) this.heads.push(new Dense(this.params, `head${i}`, cfg.H, cfg.E, rng));
    const { H, E } = cfg;
    let b2 = -1;
    for (const h of this.heads) {
      const k = this.params.addBlock({ shape: [1, H, E], cols: E, parts: [{ rows: H, segs: [{ off: h.W.offset, rs: E, cs: 1 }] }], scale: 2 });
      this.params.addBlock({ shape: [E], cols: E, parts: [{ rows: 1, segs: [{ off: h.b!.offset, rs: 0, cs: 1 }] }], scale: 2 });
      if (b2 < 0) b2 = k;
    }
    this.b2 = b2;
    this.params.seal();
  }

  /** Fast forward: K tensors g_i [1, batch, E]; with `saved`, also what `backwardFast` needs. */
  forwardFast(x1: HistoryInput, x2: HistoryInput, saved: Saved | null): { g: tf.Tensor[]; cache: ActorCache | null } {
    const { y1, y2, cache: enc } = this.enc.forwardFast(x1, x2, saved);
    const s = add(y1, y2); // [1, batch, H]  Eq. (4) / Eq. (8)
    const bl = this.params.blocks();
    const sig = this.heads.map((_, i) => mm(s, bl[this.b2 + 2 * i], bl[this.b2 + 2 * i + 1], 'sigmoid')); // sigmoid(2u)
    const g = sig.map((t) => tanhOut(t, this.cfg.B)); // B tanh(u)  Eq. (5) / Eq. (9)
    const cache = saved ? { enc: enc!, s: saved.put(s), sig: sig.map((t) => saved.put(t)) } : null;
    return { g, cache };
  }

  /** Backward from dg_i [1, batch, E] into `grads` (the actor's own weights). */
  backwardFast(c: ActorCache, ts: tf.Tensor[], dg: tf.Tensor[], grads: Grads): void {
    const [sT] = transpose(ts[c.s]); // [1, H, batch]
    let ds: tf.Tensor | null = null;
    this.heads.forEach((h, i) => {
      const [du, db] = tanhBack(dg[i], ts[c.sig[i]], this.cfg.B); // d/du, u = s W + b
      grads.add(mm(sT, du), [h.placeW()]);
      grads.add(db, [h.placeB()]);
      const dsi = mm(du, h.blocks().WT);
      ds = ds ? add(ds, dsi) : dsi;
    });
    this.enc.backwardFast(c.enc, ts, ds as unknown as tf.Tensor, grads);
  }

  /** K tensors [batch, E] (proto-actions / goals). Call inside tf.tidy or a gradient function. */
  forward(x1: HistoryInput, x2: HistoryInput): tf.Tensor2D[] {
    const { heads: K, E } = this.cfg;
    const batch = x1.batch;
    if (!this.params.engine.fast) {
      const s = this.enc.apply(x1, x2); // [batch, H]
      const B = tf.scalar(this.cfg.B);
      return this.heads.map((h) => tf.mul(B, tf.tanh(h.apply(s))) as tf.Tensor2D); // Eq. (5) / Eq. (9)
    }
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const save = args[1] as tf.GradSaveFunc;
      const saved = new Saved();
      const { g, cache } = this.forwardFast(x1, x2, saved);
      save(saved.ts);
      return {
        value: tf.concat(g, 0), // [K, batch, E]
        gradFunc: (dy: tf.Tensor, st: tf.Tensor[]) => {
          const grads = new Grads();
          this.backwardFast(cache!, st, tf.split(dy, K, 0), grads);
          return [grads.flat(this.params)];
        },
      };
    });
    const all = op(this.params.flat);
    return tf.split(all, K, 0).map((t) => tf.reshape(t, [batch, E]) as tf.Tensor2D);
  }

  /** A non-trainable copy with the same weights (a target network). */
  cloneFrozen(): Actor {
    const c = new Actor(this.cfg, null, false, this.params.engine);
    c.params.copyFrom(this.params);
    return c;
  }

  dispose(): void {
    this.params.dispose();
  }
}
