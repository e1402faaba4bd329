/**
 * A whole GRU sequence, forward and hand-written backward pass through time (the fast path; the
 * reference is `Gru.runReference`, plain ops + autodiff).
 *
 * Weight blocks (gathered from the flat vector once per change of the weights, see gru.ts):
 *   Wi [E, 3H], bi [3H], Wh [H, 3H], bh [3H], WhT [3H, H] (backward).
 * Forward: GI = X Wi + bi for all steps at once (one matmul), then per real step t (2 kernels):
 *   gh = h_{t-1} Wh                                   one matmul (none at step 0: h = 0)
 *   r, z, s, h_t from GI_t, gh, bh                    one fused SIMD kernel (kernels.ts HrlmgGruStep;
 *                                                     tanh(a) = 2 sigmoid(2a) - 1)
 * Backward per step (1 kernel + 1 matmul): with dh the gradient w.r.t. h_t,
 *   da_n = dh (1 - z)(1 - n^2),  da_z = dh (h - n) z (1 - z),  d ghn = da_n r,
 *   da_r = da_n ghn r (1 - r),   dh_{t-1} = z dh + (da_r | da_z | d ghn) WhT.
 * Weight gradients over all steps at once, steps on the columns (the long operand, X or Hprev, is
 * the right-hand one, read row by row):
 *   dWi^T = (da_r; da_z; da_n) X,  dWh^T = (da_r; da_z; d ghn) Hprev,  biases = row sums.
 * The inputs x are constants (no gradient).
 */
import * as tf from '@tensorflow/tfjs';
import type { SeqInput } from '../history';
import { gruB, gruStack, gruStep, mm, rowSums, zeros } from './kernels';

type T = tf.Tensor;

/** Tensors a fast forward pass keeps for its backward pass, by index (so a tf.customGrad can save() them and hand back clones in the same order). */
export class Saved {
  readonly ts: T[] = [];
  put(t: T): number {
    this.ts.push(t);
    return this.ts.length - 1;
  }
}

export interface GruBlocks {
  Wi: T;
  bi: T;
  Wh: T;
  bh: T;
  WhT: T;
}

export interface GruCache {
  T: number;
  B: number;
  H: number;
  Kp: number;
  X: number;
  M: number;
  Hp: number;
  bh: number;
  rz: number[];
  gh: number[];
  s: number[];
}

/** Final hidden state [1, B, H] of the GRU over `seq`; with `saved`, also what the backward pass needs. */
export function gruForward(seq: SeqInput, B: number, H: number, w: GruBlocks, saved: Saved | null): { h: T; cache: GruCache | null } {
  const { T: TT, Kp, X, M } = seq;
  const GI = mm(X, w.Wi, w.bi); // [1, Kp, 3H]
  // h_{t-1} of every step stacked (rows 0..B-1 = h_0 = 0), filled in place by the step kernel
  const Hp = saved ? zeros([[1, Kp, H]])[0] : null;
  const cache: GruCache | null = saved
    ? { T: TT, B, H, Kp, X: saved.put(X), M: M ? saved.put(M) : -1, Hp: -1, bh: saved.put(w.bh), rz: [], gh: [], s: [] }
    : null;
  let h: T | null = null;
  for (let t = 0; t < TT; t++) {
    const gh = h ? mm(h, w.Wh) : null; // [1, B, 3H]
    const last = t === TT - 1;
    const [rz, s, hNew] = gruStep(gh, GI, w.bh, h, last ? null : Hp, M, t, B, H);
    if (cache && saved) {
      cache.rz.push(saved.put(rz));
      cache.gh.push(gh ? saved.put(gh) : -1);
      cache.s.push(saved.put(s));
    }
    h = hNew;
  }
  if (cache && saved && Hp) cache.Hp = saved.put(Hp); // complete now
  return { h: h as T, cache };
}

/**
 * Backward pass from dh [1, B, H] (gradient w.r.t. the final state). Returns the gradient pieces
 *   [dWi^T [1, 3H, E], dWh^T [1, 3H, H], bias [1, 1, 6H] = (d bi | d bh)]; see `Gru.placements`.
 */
export function gruBackward(c: GruCache, ts: T[], dh: T, WhT: T): T[] {
  const { T: TT, B, H, Kp } = c;
  const Hp = ts[c.Hp], M = c.M >= 0 ? ts[c.M] : null;
  const G: T[] = new Array(TT), A: T[] = new Array(TT);
  let dhA = dh;
  let dhB: T | null = null;
  for (let t = TT - 1; t >= 0; t--) {
    const first = t === 0;
    const [g, a, d] = gruB(dhA, dhB, ts[c.rz[t]], first ? null : ts[c.gh[t]], ts[c.bh], ts[c.s[t]], first ? null : Hp, M, t, B, H);
    G[t] = g;
    A[t] = a;
    if (!first) {
      dhB = mm(g, WhT); // [1, B, H]
      dhA = d;
    }
  }
  const [DiT, DhT] = gruStack(G, A, B, H, Kp); // [1, 3H, Kp] each
  return [mm(DiT, ts[c.X]), mm(DhT, Hp), rowSums(DiT, DhT)];
}
