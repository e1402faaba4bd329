/**
 * A whole GRU sequence as ONE tf.customGrad op with a hand-written backward pass through time
 * (the fast path on wasm; the reference is `Gru.runReference`, plain ops + autodiff).
 *
 * Stored layout stays Wi [E,3H], Wh [H,3H] (gates r | z | n); per call they are sliced ONCE into
 * per-gate blocks so no step slices or concatenates activations (slices copy the whole source and
 * last-axis concats loop over rows in JS on wasm). Forward per real step (tanh = 2 sig(2a) - 1,
 * much faster than wasm's Tanh):
 *   r = sig(x Wir + h Whr + bir + bhr);  z = sig(x Wiz + h Whz + biz + bhz)
 *   ghn = h Whn + bhn;  n = tanh(x Win + bin + r * ghn);  h' = n + z (h - n)
 *   masked rows: h <- m h' + (1 - m) h
 * Backward per step (t = T..1), with dh the gradient w.r.t. h_t:
 *   dh' = m dh;  dh_prev = (1 - m) dh + z dh'
 *   dn = (1 - z) dh';  dz = (h - n) dh';  da_n = (1 - n^2) dn
 *   da_r = r (1 - r) ghn da_n;  da_z = z (1 - z) dz;  dghn = r da_n
 *   dh_prev += da_r Whr^T + da_z Whz^T + dghn Whn^T
 * Weight gradients are summed over all steps with one matmul per gate (steps stacked on rows):
 *   dWi_g = X^T dA_g,  dWh_g = Hprev^T dA'_g,  biases = ones-row matmuls (no transposed matmuls).
 * The inputs x are constants (no gradient).
 */
import * as tf from '@tensorflow/tfjs';
import { StepInput } from './history';

type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/** tanh(a) = 2 sigmoid(2a) - 1. */
function tanhViaSigmoid(a: tf.Tensor, one: tf.Scalar, two: tf.Scalar): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(a, two)), two), one);
}

/**
 * Final hidden state [batch, H] of a GRU over the real steps `steps` (fully padded steps already
 * removed; at least one step). Gradients flow to Wi [E,3H], bi [3H], Wh [H,3H], bh [3H].
 */
export function gruSequence(steps: StepInput[], batch: number, H: number, Wi: tf.Tensor, bi: tf.Tensor, Wh: tf.Tensor, bh: tf.Tensor): tf.Tensor2D {
  const T = steps.length;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [wi, b_i, wh, b_h] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const one = tf.scalar(1), two = tf.scalar(2);
    const E = wi.shape[0];
    // per-gate blocks, sliced once per sequence: W*_g [*, H], b*_g [H]
    const wir = tf.slice(wi, [0, 0], [E, H]) as tf.Tensor2D, wiz = tf.slice(wi, [0, H], [E, H]) as tf.Tensor2D, win = tf.slice(wi, [0, 2 * H], [E, H]) as tf.Tensor2D;
    const whr = tf.slice(wh, [0, 0], [H, H]) as tf.Tensor2D, whz = tf.slice(wh, [0, H], [H, H]) as tf.Tensor2D, whn = tf.slice(wh, [0, 2 * H], [H, H]) as tf.Tensor2D;
    const bsum = tf.add(b_i, b_h);
    const br = tf.slice(bsum, [0], [H]), bz = tf.slice(bsum, [H], [H]);
    const bin = tf.slice(b_i, [2 * H], [H]), bhn = tf.slice(b_h, [2 * H], [H]);
    let h: tf.Tensor = tf.zeros([batch, H]);
    let first = true;
    // saved layout: whr, whz, whn, then per step: x, hPrev, r, z, n, ghn, [mask, keep]
    const keepers: tf.Tensor[] = [whr, whz, whn];
    for (const st of steps) {
      const x = st.x;
      let ar = tf.add(tf.matMul(x, wir), br);
      let az = tf.add(tf.matMul(x, wiz), bz);
      const gin = tf.add(tf.matMul(x, win), bin);
      let ghn: tf.Tensor;
      if (first) {
        ghn = tf.add(tf.zeros([batch, H]), bhn); // h = 0: h Wh = 0
      } else {
        ar = tf.add(ar, tf.matMul(h as tf.Tensor2D, whr));
        az = tf.add(az, tf.matMul(h as tf.Tensor2D, whz));
        ghn = tf.add(tf.matMul(h as tf.Tensor2D, whn), bhn);
      }
      first = false;
      const r = tf.sigmoid(ar);
      const z = tf.sigmoid(az);
      const n = tanhViaSigmoid(tf.add(gin, tf.mul(r, ghn)), one, two);
      let hNew = tf.add(n, tf.mul(z, tf.sub(h, n)));
      if (st.mask && st.keep) hNew = tf.add(tf.mul(st.mask, hNew), tf.mul(st.keep, h));
      keepers.push(x, h, r, z, n, ghn);
      if (st.mask && st.keep) keepers.push(st.mask, st.keep);
      h = hNew;
    }
    save(keepers);
    const gradFunc: GradFn = (dy, saved) => {
      const one = tf.scalar(1);
      const whrT = tf.transpose(saved[0] as tf.Tensor2D), whzT = tf.transpose(saved[1] as tf.Tensor2D), whnT = tf.transpose(saved[2] as tf.Tensor2D);
      const per: { x: tf.Tensor; hp: tf.Tensor; r: tf.Tensor; z: tf.Tensor; n: tf.Tensor; ghn: tf.Tensor; mask: tf.Tensor | null; keep: tf.Tensor | null }[] = [];
      let k = 3;
      for (const st of steps) {
        const [x, hp, r, z, n, ghn] = saved.slice(k, k + 6);
        k += 6;
        let mask: tf.Tensor | null = null, keep: tf.Tensor | null = null;
        if (st.mask && st.keep) {
          mask = saved[k];
          keep = saved[k + 1];
          k += 2;
        }
        per.push({ x, hp, r, z, n, ghn, mask, keep });
      }
      const dAr: tf.Tensor[] = new Array(T), dAz: tf.Tensor[] = new Array(T), dAn: tf.Tensor[] = new Array(T), dGhn: tf.Tensor[] = new Array(T);
      let dh: tf.Tensor = dy;
      for (let t = T - 1; t >= 0; t--) {
        const s = per[t];
        let dhp = dh;
        let dPrev: tf.Tensor | null = null;
        if (s.mask && s.keep) {
          dhp = tf.mul(s.mask, dh);
          dPrev = tf.mul(s.keep, dh);
        }
        const dn = tf.mul(dhp, tf.sub(one, s.z));
        const dz = tf.mul(dhp, tf.sub(s.hp, s.n));
        const dan = tf.mul(dn, tf.sub(one, tf.square(s.n)));
        const dar = tf.mul(tf.mul(dan, s.ghn), tf.mul(s.r, tf.sub(one, s.r)));
        const daz = tf.mul(dz, tf.mul(s.z, tf.sub(one, s.z)));
        const dghn = tf.mul(dan, s.r);
        dAr[t] = dar; dAz[t] = daz; dAn[t] = dan; dGhn[t] = dghn;
        if (t > 0) {
          const viaZ = tf.mul(dhp, s.z);
          const viaGates = tf.add(tf.add(tf.matMul(dar as tf.Tensor2D, whrT), tf.matMul(daz as tf.Tensor2D, whzT)), tf.matMul(dghn as tf.Tensor2D, whnT));
          dh = tf.add(dPrev ? tf.add(dPrev, viaZ) : viaZ, viaGates);
        }
      }
      const cat = (ts: tf.Tensor[]) => (ts.length === 1 ? ts[0] : tf.concat(ts, 0)) as tf.Tensor2D; // [T*batch, .]
      const Ar = cat(dAr), Az = cat(dAz), An = cat(dAn), Ghn = cat(dGhn);
      const Xt = tf.transpose(cat(per.map((p) => p.x))) as tf.Tensor2D; // [E, T*batch]
      const Ht = tf.transpose(cat(per.map((p) => p.hp))) as tf.Tensor2D; // [H, T*batch]
      const ones = tf.ones([1, T * batch]) as tf.Tensor2D;
      const colSum = (m: tf.Tensor2D) => tf.matMul(ones, m); // [1, H]
      const sr = colSum(Ar), sz = colSum(Az);
      return [
        tf.concat([tf.matMul(Xt, Ar), tf.matMul(Xt, Az), tf.matMul(Xt, An)], 1),
        tf.reshape(tf.concat([sr, sz, colSum(An)], 1), [3 * H]),
        tf.concat([tf.matMul(Ht, Ar), tf.matMul(Ht, Az), tf.matMul(Ht, Ghn)], 1),
        tf.reshape(tf.concat([sr, sz, colSum(Ghn)], 1), [3 * H]),
      ];
    };
    return { value: h, gradFunc };
  });
  return op(Wi, bi, Wh, bh) as tf.Tensor2D;
}
