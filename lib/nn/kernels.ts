/**
 * Kernels of the fast path (see shared/notes/tfjs-wasm.md for the measurements behind them).
 *
 * 1. Thin wrappers that call built-in kernels directly through the engine (`runKernel`): an op
 *    such as tf.add wraps every call in a named scope and costs ~2x a bare kernel call.
 *    `mm` always calls `_FusedMatMul` with 3-D operands a [1, M, K], b [1, K, N], no transpose, so
 *    the wasm backend takes its XNNPACK path (a transpose or a batch > 1 falls back to a scalar loop
 *    that also applies the bias wrongly to every row after the first). b is the operand XNNPACK
 *    packs (and caches per tensor): keep weights there.
 * 2. Custom kernels written in JavaScript over the backend's memory (registered with
 *    tf.registerKernel for 'wasm' and 'cpu'): the elementwise parts of a GRU step, gather/scatter
 *    between a network's flat parameter vector and its weight blocks, small transposes and sums.
 *    One such kernel replaces 5-15 elementwise kernels, each of which costs a call overhead and a
 *    pass over memory. Transcendentals stay in wasm (Sigmoid), JS Math.exp is ~20x slower.
 *    On wasm, outputs are allocated BEFORE any view of the heap is taken (allocation may grow
 *    and detach the heap buffer).
 * These kernels have no gradients: they are used inside explicit backward passes and inside
 * tf.customGrad forwards (never recorded on a tape).
 */
import * as tf from '@tensorflow/tfjs';

type T = tf.Tensor;
type Info = tf.TensorInfo;

// ---------------------------------------------------------------------------------------------
// Backend memory access

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(t: Info): Float32Array;
}
interface CpuBackendLike {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): Info;
  data: { get(id: unknown): { values: unknown } };
}

/** Allocates outputs, then hands out views (in that order: see the header). */
class IO {
  private readonly outs: { shape: number[]; info: Info | null; arr: Float32Array | null }[] = [];
  constructor(private readonly backend: unknown, private readonly wasm: boolean) {}
  out(shape: number[]): number {
    this.outs.push({ shape, info: null, arr: null });
    return this.outs.length - 1;
  }
  /** Allocate all declared outputs; returns their writable views. */
  alloc(): Float32Array[] {
    for (const o of this.outs) {
      const size = o.shape.reduce((a, b) => a * b, 1);
      if (this.wasm) {
        o.info = (this.backend as WasmBackendLike).makeOutput(o.shape, 'float32');
      } else {
        o.arr = new Float32Array(size);
        o.info = (this.backend as CpuBackendLike).makeTensorInfo(o.shape, 'float32', o.arr);
      }
    }
    return this.outs.map((o) => (this.wasm ? (this.backend as WasmBackendLike).typedArrayFromHeap(o.info as Info) : (o.arr as Float32Array)));
  }
  view(t: Info): Float32Array {
    if (this.wasm) return (this.backend as WasmBackendLike).typedArrayFromHeap(t);
    return (this.backend as CpuBackendLike).data.get(t.dataId).values as Float32Array;
  }
  infos(): Info[] {
    return this.outs.map((o) => o.info as Info);
  }
}

type KernelBody = (inputs: Record<string, Info>, attrs: Record<string, unknown>, io: IO) => Info | Info[];

const BACKENDS = ['wasm', 'cpu'] as const;

function register(name: string, body: KernelBody): void {
  for (const backendName of BACKENDS) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: (({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: unknown; attrs: Record<string, unknown> }) =>
        body(inputs, attrs, new IO(backend, backendName === 'wasm'))) as unknown as tf.KernelFunc,
    });
  }
}

/** Whether the custom kernels exist for the active backend (wasm or cpu). */
export function customKernelsAvailable(): boolean {
  const b = tf.getBackend();
  return b === 'wasm' || b === 'cpu';
}

const ENGINE = () => tf.engine();
function run(name: string, inputs: Record<string, T>, attrs: Record<string, unknown> = {}): T | T[] {
  return ENGINE().runKernel(name, inputs as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap);
}

// ---------------------------------------------------------------------------------------------
// Built-in kernels, called directly

export type Act = 'linear' | 'relu' | 'sigmoid';

/** act(a b + bias): a [1, M, K], b [1, K, N], bias [N] or null -> [1, M, N] (XNNPACK path). */
export function mm(a: T, b: T, bias: T | null = null, activation: Act = 'linear'): T {
  const inputs: Record<string, T> = bias ? { a, b, bias } : { a, b };
  return run('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 }) as T;
}

export function add(a: T, b: T): T {
  return run('Add', { a, b }) as T;
}

export function sigmoid(x: T): T {
  return run('Sigmoid', { x }) as T;
}

export function reshape(x: T, shape: number[]): T {
  return run('Reshape', { x }, { shape }) as T;
}

// ---------------------------------------------------------------------------------------------
// Flat parameter vector <-> weight blocks

/** A strided 2-D pattern over a flat vector: element (i, j) <-> flat[off + i*rs + j*cs]. */
export interface Seg {
  off: number;
  rs: number;
  cs: number;
}

/** One block [rows, cols] read from the flat vector: parts stacked vertically, each the sum of its segments, times `scale`. */
export interface BlockSpec {
  shape: number[];
  cols: number;
  parts: { rows: number; segs: Seg[] }[];
  scale: number;
}

/** Adds `scale * piece[r0 + i, c0 + j]` (i < rows, j < cols) into flat[seg(i, j)]. */
export interface Placement {
  piece: number;
  r0: number;
  rows: number;
  c0: number;
  cols: number;
  seg: Seg;
  scale: number;
}

register('HrlmgGather', (inputs, attrs, io) => {
  const blocks = attrs.blocks as BlockSpec[];
  for (const b of blocks) io.out(b.shape);
  const outs = io.alloc();
  const x = io.view(inputs.x);
  blocks.forEach((b, k) => {
    const o = outs[k];
    const C = b.cols;
    const sc = b.scale;
    let row = 0;
    for (const p of b.parts) {
      const segs = p.segs;
      if (segs.length === 1) {
        const { off, rs, cs } = segs[0];
        for (let i = 0; i < p.rows; i++, row++) {
          const ob = row * C, xb = off + i * rs;
          if (cs === 1 && sc === 1) o.set(x.subarray(xb, xb + C), ob);
          else for (let j = 0; j < C; j++) o[ob + j] = sc * x[xb + j * cs];
        }
      } else {
        for (let i = 0; i < p.rows; i++, row++) {
          const ob = row * C;
          for (let j = 0; j < C; j++) {
            let v = 0;
            for (let s = 0; s < segs.length; s++) v += x[segs[s].off + i * segs[s].rs + j * segs[s].cs];
            o[ob + j] = sc * v;
          }
        }
      }
    }
  });
  return io.infos();
});

register('HrlmgScatter', (inputs, attrs, io) => {
  const total = attrs.total as number;
  const places = attrs.places as Placement[];
  const pieceCols = attrs.pieceCols as number[];
  io.out([total]);
  const [o] = io.alloc();
  o.fill(0);
  const pieces = pieceCols.map((_, k) => io.view(inputs[String(k)]));
  for (const p of places) {
    const src = pieces[p.piece];
    const pc = pieceCols[p.piece];
    const { off, rs, cs } = p.seg;
    for (let i = 0; i < p.rows; i++) {
      const sb = (p.r0 + i) * pc + p.c0;
      const ob = off + i * rs;
      if (p.scale === 1) for (let j = 0; j < p.cols; j++) o[ob + j * cs] += src[sb + j];
      else for (let j = 0; j < p.cols; j++) o[ob + j * cs] += p.scale * src[sb + j];
    }
  }
  return io.infos();
});

/** All blocks of a flat vector (one kernel). */
export function gather(flat: T, blocks: BlockSpec[]): T[] {
  const out = run('HrlmgGather', { x: flat }, { blocks });
  return Array.isArray(out) ? out : [out];
}

/** A flat gradient [total] from pieces and where they go (one kernel). */
export function scatter(total: number, pieces: T[], places: Placement[]): T {
  const inputs: Record<string, T> = {};
  pieces.forEach((p, k) => (inputs[String(k)] = p));
  return run('HrlmgScatter', inputs, { total, places, pieceCols: pieces.map((p) => p.shape[p.shape.length - 1]) }) as T;
}

// ---------------------------------------------------------------------------------------------
// GRU step kernels. Layouts: rz [B, 2H] = (r | z); hx [B, H + E] = (h | x); all 3-D [1, ., .].
// X [1, T*B, E]: the real steps' inputs stacked (step t = rows t*B .. t*B+B-1).
// mask: Uint8Array [B] (1 = real item) or null when the step is real on every row.

/** hx0 = (0 | x_0). */
register('HrlmgGruInit', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number, E = attrs.E as number;
  io.out([1, B, H + E]);
  const [o] = io.alloc();
  const X = io.view(inputs.X);
  const W = H + E;
  for (let b = 0; b < B; b++) {
    const ob = b * W;
    for (let j = 0; j < H; j++) o[ob + j] = 0;
    const xb = b * E;
    for (let e = 0; e < E; e++) o[ob + H + e] = X[xb + e];
  }
  return io.infos();
});

/** a2 = 2 (gin_t + r * ghn): the doubled argument of n = tanh(a) = 2 sig(2a) - 1. ghn is [B, H] or the bias row [H] (h = 0). */
register('HrlmgGruA', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number, t = attrs.t as number;
  const rowGhn = attrs.rowGhn as boolean;
  io.out([1, B, H]);
  const [o] = io.alloc();
  const gin = io.view(inputs.gin), rz = io.view(inputs.rz), ghn = io.view(inputs.ghn);
  const H2 = 2 * H;
  const g0 = t * B * H;
  for (let b = 0; b < B; b++) {
    const ob = b * H, rb = b * H2, gb = rowGhn ? 0 : ob;
    for (let j = 0; j < H; j++) o[ob + j] = 2 * (gin[g0 + ob + j] + rz[rb + j] * ghn[gb + j]);
  }
  return io.infos();
});

/** h' = n + z (h - n), n = 2 s - 1 (masked rows keep h); also hx' = (h' | x_{t+1}) unless last. */
register('HrlmgGruH', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number, E = attrs.E as number, t = attrs.t as number;
  const last = attrs.last as boolean;
  const mask = attrs.mask as Uint8Array | null;
  io.out([1, B, H]);
  if (!last) io.out([1, B, H + E]);
  const outs = io.alloc();
  const o = outs[0];
  const ox = last ? null : outs[1];
  const s = io.view(inputs.s), rz = io.view(inputs.rz);
  const h = inputs.h ? io.view(inputs.h) : null;
  const X = ox ? io.view(inputs.X) : null;
  const H2 = 2 * H, W = H + E;
  for (let b = 0; b < B; b++) {
    const ob = b * H, zb = b * H2 + H;
    if (mask && mask[b] === 0) {
      if (h) for (let j = 0; j < H; j++) o[ob + j] = h[ob + j];
      else for (let j = 0; j < H; j++) o[ob + j] = 0;
    } else if (h) {
      for (let j = 0; j < H; j++) {
        const n = 2 * s[ob + j] - 1;
        o[ob + j] = n + rz[zb + j] * (h[ob + j] - n);
      }
    } else {
      for (let j = 0; j < H; j++) {
        const n = 2 * s[ob + j] - 1;
        o[ob + j] = n - rz[zb + j] * n;
      }
    }
    if (ox && X) {
      const xb = b * W;
      for (let j = 0; j < H; j++) ox[xb + j] = o[ob + j];
      const xs = ((t + 1) * B + b) * E;
      for (let e = 0; e < E; e++) ox[xb + H + e] = X[xs + e];
    }
  }
  return io.infos();
});

/**
 * Backward of one GRU step. dh = dhA + dhB (gradient w.r.t. h'_t). Outputs
 *   G [B, 3H] = (da_r | da_z | d ghn), dA [B, H] = da_n (w.r.t. the tanh argument a), dhz [B, H]
 *   = the part of dh_{t-1} that does not go through the gates (z dh, or dh on masked rows).
 * n = 2s - 1, h - n from hprev (null: h = 0); 1 - n^2 = 4 s (1 - s).
 */
register('HrlmgGruB', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number;
  const rowGhn = attrs.rowGhn as boolean;
  const mask = attrs.mask as Uint8Array | null;
  io.out([1, B, 3 * H]);
  io.out([1, B, H]);
  io.out([1, B, H]);
  const [G, A, D] = io.alloc();
  const dA = io.view(inputs.dhA);
  const dB = inputs.dhB ? io.view(inputs.dhB) : null;
  const rz = io.view(inputs.rz), ghn = io.view(inputs.ghn), s = io.view(inputs.s);
  const hp = inputs.hprev ? io.view(inputs.hprev) : null;
  const H2 = 2 * H, H3 = 3 * H;
  for (let b = 0; b < B; b++) {
    const ob = b * H, rb = b * H2, gb = b * H3, hb = rowGhn ? 0 : ob;
    if (mask && mask[b] === 0) {
      for (let j = 0; j < H; j++) {
        D[ob + j] = dB ? dA[ob + j] + dB[ob + j] : dA[ob + j];
        A[ob + j] = 0;
        G[gb + j] = 0;
        G[gb + H + j] = 0;
        G[gb + H2 + j] = 0;
      }
      continue;
    }
    for (let j = 0; j < H; j++) {
      const dh = dB ? dA[ob + j] + dB[ob + j] : dA[ob + j];
      const r = rz[rb + j], z = rz[rb + H + j], sv = s[ob + j];
      const n = 2 * sv - 1;
      const hv = hp ? hp[ob + j] : 0;
      const da = dh * (1 - z) * 4 * sv * (1 - sv);
      const dz = dh * (hv - n);
      G[gb + j] = da * ghn[hb + j] * r * (1 - r);
      G[gb + H + j] = dz * z * (1 - z);
      G[gb + H2 + j] = da * r;
      A[ob + j] = da;
      D[ob + j] = dh * z;
    }
  }
  return io.infos();
});

/**
 * Stack the per-step backward outputs for the weight gradients (steps on columns, transposed):
 *   DrzT [2H, T*B] (da_r | da_z)^T, DanT [H, T*B], DghnT [H, T*B], Hprev [T*B, H] (h_{t-1}; 0 for t = 0),
 *   bias [1, 4H] = column sums (d b_rz | d b_in | d b_hn), summed in double precision.
 * Inputs: G0..G{T-1}, A0..A{T-1}, P1..P{T-1} (= h_0 .. h_{T-2}).
 */
register('HrlmgGruAssemble', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number, T = attrs.T as number;
  const K = T * B, H2 = 2 * H, H3 = 3 * H;
  io.out([1, H2, K]);
  io.out([1, H, K]);
  io.out([1, H, K]);
  io.out([1, K, H]);
  io.out([1, 1, 4 * H]);
  const [Drz, Dan, Dgh, Hp, bias] = io.alloc();
  const sums = new Float64Array(4 * H);
  for (let t = 0; t < T; t++) {
    const G = io.view(inputs['G' + t]), A = io.view(inputs['A' + t]);
    const c0 = t * B;
    for (let b = 0; b < B; b++) {
      const gb = b * H3, ab = b * H, col = c0 + b;
      for (let j = 0; j < H2; j++) {
        const v = G[gb + j];
        Drz[j * K + col] = v;
        sums[j] += v;
      }
      for (let j = 0; j < H; j++) {
        const v = G[gb + H2 + j];
        Dgh[j * K + col] = v;
        sums[H3 + j] += v;
        const a = A[ab + j];
        Dan[j * K + col] = a;
        sums[H2 + j] += a;
      }
    }
    if (t === 0) Hp.fill(0, 0, B * H);
    else Hp.set(io.view(inputs['P' + t]).subarray(0, B * H), t * B * H);
  }
  for (let j = 0; j < 4 * H; j++) bias[j] = sums[j];
  return io.infos();
});

export function gruInit(X: T, B: number, H: number, E: number): T {
  return run('HrlmgGruInit', { X }, { B, H, E }) as T;
}

export function gruA(gin: T, rz: T, ghn: T, t: number, B: number, H: number, rowGhn: boolean): T {
  return run('HrlmgGruA', { gin, rz, ghn }, { t, B, H, rowGhn }) as T;
}

/** Returns [h'] or [h', hx']. */
export function gruH(s: T, rz: T, h: T | null, X: T, t: number, B: number, H: number, E: number, last: boolean, mask: Uint8Array | null): T[] {
  const inputs: Record<string, T> = { s, rz, X };
  if (h) inputs.h = h;
  const out = run('HrlmgGruH', inputs, { t, B, H, E, last, mask });
  return Array.isArray(out) ? out : [out];
}

/** Returns [G, dA, dhz]. */
export function gruB(dhA: T, dhB: T | null, rz: T, ghn: T, s: T, hprev: T | null, B: number, H: number, rowGhn: boolean, mask: Uint8Array | null): T[] {
  const inputs: Record<string, T> = { dhA, rz, ghn, s };
  if (dhB) inputs.dhB = dhB;
  if (hprev) inputs.hprev = hprev;
  return run('HrlmgGruB', inputs, { B, H, rowGhn, mask }) as T[];
}

/** Returns [DrzT, DanT, DghnT, Hprev, bias]. */
export function gruAssemble(G: T[], A: T[], hs: T[], B: number, H: number): T[] {
  const T = G.length;
  const inputs: Record<string, T> = {};
  for (let t = 0; t < T; t++) {
    inputs['G' + t] = G[t];
    inputs['A' + t] = A[t];
    if (t > 0) inputs['P' + t] = hs[t - 1];
  }
  return run('HrlmgGruAssemble', inputs, { B, H, T }) as T[];
}

// ---------------------------------------------------------------------------------------------
// Dense-layer helpers

/** x [1, R, C] -> x^T [1, C, R]; with `sum`, also the column sums [1, 1, C] (double precision). */
register('HrlmgTranspose', (inputs, attrs, io) => {
  const x = inputs.x;
  const R = x.shape[x.shape.length - 2], C = x.shape[x.shape.length - 1];
  const withSum = attrs.sum as boolean;
  io.out([1, C, R]);
  if (withSum) io.out([1, 1, C]);
  const outs = io.alloc();
  const o = outs[0];
  const v = io.view(x);
  for (let i = 0; i < R; i++) {
    const ib = i * C;
    for (let j = 0; j < C; j++) o[j * R + i] = v[ib + j];
  }
  if (withSum) {
    const s = outs[1];
    for (let j = 0; j < C; j++) {
      let acc = 0;
      for (let i = 0; i < R; i++) acc += v[i * C + j];
      s[j] = acc;
    }
  }
  return io.infos();
});

/** Column sums [1, 1, C] of x [1, R, C] (double precision). */
register('HrlmgColSum', (inputs, _attrs, io) => {
  const x = inputs.x;
  const R = x.shape[x.shape.length - 2], C = x.shape[x.shape.length - 1];
  io.out([1, 1, C]);
  const [o] = io.alloc();
  const v = io.view(x);
  const acc = new Float64Array(C);
  for (let i = 0; i < R; i++) {
    const ib = i * C;
    for (let j = 0; j < C; j++) acc[j] += v[ib + j];
  }
  for (let j = 0; j < C; j++) o[j] = acc[j];
  return io.infos();
});

/** s = y1 + y2 [1, B, H] and, per action a_k [1, B, E], (s | a_k) [1, B, H + E]. */
register('HrlmgStateCat', (inputs, attrs, io) => {
  const K = attrs.K as number;
  const y1 = inputs.y1;
  const B = y1.shape[1], H = y1.shape[2];
  const E = K > 0 ? inputs.a0.shape[2] : 0;
  io.out([1, B, H]);
  for (let k = 0; k < K; k++) io.out([1, B, H + E]);
  const outs = io.alloc();
  const s = outs[0];
  const v1 = io.view(y1), v2 = io.view(inputs.y2);
  const n = B * H;
  for (let i = 0; i < n; i++) s[i] = v1[i] + v2[i];
  const W = H + E;
  for (let k = 0; k < K; k++) {
    const o = outs[k + 1];
    const a = io.view(inputs['a' + k]);
    for (let b = 0; b < B; b++) {
      o.set(s.subarray(b * H, b * H + H), b * W);
      o.set(a.subarray(b * E, b * E + E), b * W + H);
    }
  }
  return io.infos();
});

/** g = bound (2 sig - 1) = bound tanh(u), from sig = sigmoid(2u). */
register('HrlmgTanhOut', (inputs, attrs, io) => {
  const bound = attrs.bound as number;
  io.out(inputs.sig.shape);
  const [o] = io.alloc();
  const v = io.view(inputs.sig);
  for (let i = 0; i < v.length; i++) o[i] = bound * (2 * v[i] - 1);
  return io.infos();
});

/** du = dg * bound * (1 - tanh(u)^2) = dg * bound * 4 sig (1 - sig); also colsum(du) [1, 1, E]. */
register('HrlmgTanhBack', (inputs, attrs, io) => {
  const bound = attrs.bound as number;
  const shape = inputs.sig.shape;
  const R = shape[shape.length - 2], C = shape[shape.length - 1];
  io.out(shape);
  io.out([1, 1, C]);
  const [o, sum] = io.alloc();
  const v = io.view(inputs.sig), dg = io.view(inputs.dg);
  const acc = new Float64Array(C);
  for (let i = 0; i < R; i++) {
    const ib = i * C;
    for (let j = 0; j < C; j++) {
      const sv = v[ib + j];
      const d = dg[ib + j] * bound * 4 * sv * (1 - sv);
      o[ib + j] = d;
      acc[j] += d;
    }
  }
  for (let j = 0; j < C; j++) sum[j] = acc[j];
  return io.infos();
});

/**
 * Critic head backward from dz [1, B, 1]: dpre = (dz wq^T) * [hid > 0] [1, B, H], and
 * small [1, 1, 2H + 1] = (d wq | d bq | d b) with d wq = hid^T dz, d bq = sum dz, d b = colsum(dpre).
 */
register('HrlmgReluHeadBack', (inputs, _attrs, io) => {
  const hidT = inputs.hid;
  const B = hidT.shape[1], H = hidT.shape[2];
  io.out([1, B, H]);
  io.out([1, 1, 2 * H + 1]);
  const [o, small] = io.alloc();
  const hid = io.view(hidT), dz = io.view(inputs.dz), wq = io.view(inputs.wq);
  const dwq = new Float64Array(H), db = new Float64Array(H);
  let dbq = 0;
  for (let b = 0; b < B; b++) {
    const d = dz[b];
    dbq += d;
    const ob = b * H;
    for (let j = 0; j < H; j++) {
      const hv = hid[ob + j];
      dwq[j] += hv * d;
      const g = hv > 0 ? d * wq[j] : 0;
      o[ob + j] = g;
      db[j] += g;
    }
  }
  for (let j = 0; j < H; j++) {
    small[j] = dwq[j];
    small[H + 1 + j] = db[j];
  }
  small[H] = dbq;
  return io.infos();
});

/** Returns [x^T] or [x^T, colsum]. */
export function transpose(x: T, sum = false): T[] {
  const out = run('HrlmgTranspose', { x }, { sum });
  return Array.isArray(out) ? out : [out];
}

export function colSum(x: T): T {
  return run('HrlmgColSum', { x }) as T;
}

/** Returns [s, (s | a_0), ..., (s | a_{K-1})]. */
export function stateCat(y1: T, y2: T, a: T[]): T[] {
  const inputs: Record<string, T> = { y1, y2 };
  a.forEach((t, k) => (inputs['a' + k] = t));
  const out = run('HrlmgStateCat', inputs, { K: a.length });
  return Array.isArray(out) ? out : [out];
}

export function tanhOut(sig: T, bound: number): T {
  return run('HrlmgTanhOut', { sig }, { bound }) as T;
}

/** Returns [du, colsum(du)]. */
export function tanhBack(dg: T, sig: T, bound: number): T[] {
  return run('HrlmgTanhBack', { dg, sig }, { bound }) as T[];
}

/** Returns [dpre, small (d wq | d bq | d b)]. */
export function reluHeadBack(dz: T, hid: T, wq: T): T[] {
  return run('HrlmgReluHeadBack', { dz, hid, wq }) as T[];
}

/** A [1, R, C] float32 tensor from host data (no op wrapper). */
export function upload(data: Float32Array, shape: number[]): T {
  return tf.tensor(data, shape, 'float32');
}
