/**
 * Kernels of the fast path (docs/performance.md "Update speed" gives the measurements behind them).
 *
 * 1. Thin wrappers that call built-in kernels directly through the engine (`runKernel`): an op
 *    such as tf.add wraps every call in a named scope and costs ~2x a bare kernel call.
 *    `mm` takes 3-D operands a [1, M, K], b [1, K, N], no transpose. On wasm it runs gemm.ts's
 *    shape-specialised SIMD kernel (HrlmgMatMul below: the same bits as XNNPACK, ~2x its speed at
 *    these sizes); otherwise, and for a sigmoid activation, `_FusedMatMul`, whose wasm XNNPACK path
 *    needs exactly that form (a transpose or a batch > 1 falls back to a scalar loop that also
 *    applies the bias wrongly to every row after the first; b is the operand XNNPACK packs).
 * 2. Custom kernels over the backend's memory (registered with tf.registerKernel for 'wasm' and
 *    'cpu'): the elementwise math of a GRU step (fused with its sigmoids) and of its backward
 *    pass, gather/scatter between a network's flat parameter vector and its weight blocks, small
 *    transposes and sums. One such kernel replaces 5-15 elementwise kernels, each of which costs a
 *    call overhead and a pass over memory. The GRU kernels run as WebAssembly SIMD on the wasm
 *    backend when H % 4 = 0 (simd.ts), else as the JS loops here (3-8 ns per element; JS
 *    Math.exp is slow: the JS step kernel is a fallback, not a fast path).
 *    On wasm, outputs are allocated BEFORE any view of the heap is taken (allocation may grow
 *    and detach the heap buffer); the SIMD code addresses tensors by byte offset instead.
 * These kernels have no gradients: they are used inside explicit backward passes and inside
 * tf.customGrad forwards (never recorded on a tape).
 */
import * as tf from '@tensorflow/tfjs';
import { SimdKernels, simdKernels } from './simd';
import type { WasmMemory } from './wasmAsm';
import { gemmImpl, gemmKernel } from './gemm';

type T = tf.Tensor;
type Info = tf.TensorInfo;

// ---------------------------------------------------------------------------------------------
// Backend memory access

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: 'float32'): Info;
  typedArrayFromHeap(t: Info): Float32Array;
  dataIdMap: { get(id: unknown): { memoryOffset: number } };
  wasm: { asm: { memory: WasmMemory } };
}
interface CpuBackendLike {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): Info;
  data: { get(id: unknown): { values: unknown } };
}

/** Allocates outputs, then hands out views or byte offsets (in that order: see the header). */
class IO {
  private readonly outs: { shape: number[]; info: Info | null; arr: Float32Array | null }[] = [];
  constructor(private readonly backend: unknown, readonly wasmBackend: boolean) {}
  out(shape: number[]): number {
    this.outs.push({ shape, info: null, arr: null });
    return this.outs.length - 1;
  }
  /** Allocate all declared outputs; returns their writable views. */
  alloc(): Float32Array[] {
    for (const o of this.outs) {
      const size = o.shape.reduce((a, b) => a * b, 1);
      if (this.wasmBackend) {
        o.info = (this.backend as WasmBackendLike).makeOutput(o.shape, 'float32');
      } else {
        o.arr = new Float32Array(size);
        o.info = (this.backend as CpuBackendLike).makeTensorInfo(o.shape, 'float32', o.arr);
      }
    }
    return this.outViews();
  }
  /** Views of the allocated outputs (take them after the last allocation). */
  outViews(): Float32Array[] {
    return this.outs.map((o) => (this.wasmBackend ? (this.backend as WasmBackendLike).typedArrayFromHeap(o.info as Info) : (o.arr as Float32Array)));
  }
  view(t: Info): Float32Array {
    if (this.wasmBackend) return (this.backend as WasmBackendLike).typedArrayFromHeap(t);
    return (this.backend as CpuBackendLike).data.get(t.dataId).values as Float32Array;
  }
  /** Byte offset of a tensor in the wasm heap. */
  ptr(t: Info): number {
    return (this.backend as WasmBackendLike).dataIdMap.get(t.dataId).memoryOffset;
  }
  wasmMemory(): WasmMemory {
    return (this.backend as WasmBackendLike).wasm?.asm?.memory;
  }
  infos(): Info[] {
    return this.outs.map((o) => o.info as Info);
  }
}

type KernelBody = (inputs: Record<string, Info>, attrs: Record<string, unknown>, io: IO) => Info | Info[];

const BACKENDS = ['wasm', 'cpu'] as const;

function register(name: string, body: KernelBody, backends: readonly string[] = BACKENDS): void {
  for (const backendName of backends) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({
      kernelName: name,
      backendName,
      kernelFunc: (({ inputs, backend, attrs }: { inputs: Record<string, Info>; backend: unknown; attrs: Record<string, unknown> }) => {
        const out = body(inputs, attrs, new IO(backend, backendName === 'wasm'));
        return Array.isArray(out) && out.length === 1 ? out[0] : out; // one output: a tensor, not a list
      }) as unknown as tf.KernelFunc,
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

/**
 * act(a b + bias): a [1, M, K], b [1, K, N], bias [N] or null -> [1, M, N]. On wasm: the
 * shape-specialised SIMD kernel (gemm.ts, same bits as XNNPACK, ~2x faster at these sizes) unless
 * the activation is a sigmoid; else tfjs's _FusedMatMul (XNNPACK on wasm).
 */
export function mm(a: T, b: T, bias: T | null = null, activation: Act = 'linear'): T {
  const inputs: Record<string, T> = bias ? { a, b, bias } : { a, b };
  if (activation !== 'sigmoid' && useGemm()) return run('HrlmgMatMul', inputs, { relu: activation === 'relu' }) as T;
  return run('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 }) as T;
}

let gemmFor: { backend: unknown; enabled: boolean; ok: boolean } | null = null;
/** Whether the active backend is wasm and can build the SIMD matmul (checked once per backend instance and switch setting). */
function useGemm(): boolean {
  const backend = ENGINE().backend;
  if (gemmFor?.backend !== backend || gemmFor.enabled !== gemmImpl.enabled) {
    const memory = (backend as Partial<WasmBackendLike>).wasm?.asm?.memory;
    const ok = gemmImpl.enabled && tf.getBackend() === 'wasm' && !!memory && gemmKernel(memory, 4, 8, false, false) !== null;
    gemmFor = { backend, enabled: gemmImpl.enabled, ok };
  }
  return gemmFor.ok;
}

/** a [1, M, K] x b [1, K, N] (+ bias [N]) (relu) -> [1, M, N], on the wasm heap (see gemm.ts). */
register(
  'HrlmgMatMul',
  (inputs, attrs, io) => {
    const { a, b, bias } = inputs;
    const [M, K] = a.shape.slice(-2), [K2, N] = b.shape.slice(-2);
    if (a.shape.length !== 3 || b.shape.length !== 3 || a.shape[0] !== 1 || b.shape[0] !== 1 || K !== K2 || (bias && bias.shape.reduce((p, q) => p * q, 1) !== N)) {
      throw new Error(`HrlmgMatMul: expected a [1, M, K], b [1, K, N], bias [N]; got a [${a.shape}], b [${b.shape}]${bias ? `, bias [${bias.shape}]` : ''}`);
    }
    io.out([1, M, N]);
    io.alloc();
    const [c] = io.infos();
    if (M > 0 && N > 0) {
      if (K === 0) {
        // empty product: every row is act(bias), or 0 without a bias
        const [o] = io.outViews();
        const bv = bias ? io.view(bias) : null;
        for (let r = 0; r < M; r++) for (let j = 0; j < N; j++) o[r * N + j] = bv ? (attrs.relu === true ? Math.max(0, bv[j]) : bv[j]) : 0;
      } else {
        const fn = gemmKernel(io.wasmMemory(), K, N, !!bias, attrs.relu === true);
        if (!fn) throw new Error('HrlmgMatMul: wasm SIMD is not available in this runtime');
        fn(io.ptr(a), io.ptr(b), bias ? io.ptr(bias) : 0, io.ptr(c), M);
      }
    }
    return io.infos();
  },
  ['wasm'],
);

export function add(a: T, b: T): T {
  return run('Add', { a, b }) as T;
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
  /** Used only by backward passes: not gathered for non-trainable sets (target networks). */
  backward?: boolean;
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
// GRU step kernels. Layouts: rz [B, 2H] = (r | z); gh, GI rows [3H] = (r | z | n); all 3-D [1, ., .].
// X [1, T*B, E]: the real steps' inputs stacked (step t = rows t*B .. t*B+B-1).
// M [1, T, B] float (1 = real item, 0 = padding), absent when every step is real on every row.
// With H a multiple of 4 on wasm they run as WebAssembly SIMD (simd.ts), else as the JS loops here.
//
// Stacking in place: the forward writes h_t into rows (t+1)*B.. of Hp [K, H] (rows 0..B-1 stay
// 0 = h_0). Hp is allocated zero-filled by `zeros` right before and only read after the last write
// (tfjs never sees the writes; nothing else holds it).

function simdFor(io: IO, H: number): SimdKernels | null {
  if (!io.wasmBackend || H % 4 !== 0) return null;
  return simdKernels(io.wasmMemory());
}

/** Zero-filled tensors of the given shapes. */
register('HrlmgZeros', (_inputs, attrs, io) => {
  for (const s of attrs.shapes as number[][]) io.out(s);
  for (const o of io.alloc()) o.fill(0);
  return io.infos();
});

/**
 * One GRU step after its matmuls: gh = h Wh [B, 3H] (absent at h = 0), GI = X Wi + bi [K, 3H]
 * (this step = rows t*B..), bh [3H]:
 *   r = sig(gi_r + gh_r + bh_r), z = sig(gi_z + gh_z + bh_z), a = gi_n + r (gh_n + bh_n),
 *   s = sig(2a), n = tanh(a) = 2s - 1, h' = n + z (h - n); masked rows keep h.
 * Outputs rz [B, 2H] = (r | z), s [B, H], h' [B, H]; with Hp (not at the last step), h' also
 * into rows (t+1)*B.. of Hp (in place).
 */
register('HrlmgGruStep', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number, t = attrs.t as number;
  io.out([1, B, 2 * H]);
  io.out([1, B, H]);
  io.out([1, B, H]);
  io.alloc();
  const simd = simdFor(io, H);
  if (simd) {
    const [rz, s, ho] = io.infos();
    const p = (k: string) => (inputs[k] ? io.ptr(inputs[k]) : 0);
    simd.gruStep(
      io.ptr(rz), io.ptr(s), io.ptr(ho), p('gh'), io.ptr(inputs.GI) + t * B * 3 * H * 4, io.ptr(inputs.bh), p('h'),
      inputs.Hp ? io.ptr(inputs.Hp) + (t + 1) * B * H * 4 : 0,
      inputs.M ? io.ptr(inputs.M) + t * B * 4 : 0,
      B, H * 4,
    );
    return io.infos();
  }
  const [RZ, S, O] = io.outViews();
  const GI = io.view(inputs.GI), bh = io.view(inputs.bh);
  const gh = inputs.gh ? io.view(inputs.gh) : null;
  const h = inputs.h ? io.view(inputs.h) : null;
  const Hp = inputs.Hp ? io.view(inputs.Hp) : null;
  const M = inputs.M ? io.view(inputs.M) : null;
  const H2 = 2 * H, H3 = 3 * H;
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  for (let b = 0; b < B; b++) {
    const gb = (t * B + b) * H3, hb = b * H3, ob = b * H, rb = b * H2;
    for (let j = 0; j < H; j++) {
      const r = sig(GI[gb + j] + (gh ? gh[hb + j] : 0) + bh[j]);
      const z = sig(GI[gb + H + j] + (gh ? gh[hb + H + j] : 0) + bh[H + j]);
      const ghn = (gh ? gh[hb + H2 + j] : 0) + bh[H2 + j];
      const sv = sig(2 * (GI[gb + H2 + j] + r * ghn));
      const n = 2 * sv - 1;
      const hv = h ? h[ob + j] : 0;
      RZ[rb + j] = r;
      RZ[rb + H + j] = z;
      S[ob + j] = sv;
      O[ob + j] = M && M[t * B + b] === 0 ? hv : n + z * (hv - n);
    }
  }
  if (Hp) Hp.set(O, (t + 1) * B * H);
  return io.infos();
});

/**
 * Backward of one GRU step. dh = dhA + dhB (gradient w.r.t. h'_t). Outputs G [B, 3H] = (da_r |
 * da_z | d ghn), A [B, H] = da_n (w.r.t. the tanh argument a) and dhz [B, H] = the part of
 * dh_{t-1} that does not go through the gates (z dh, or dh on masked rows).
 * n = 2s - 1, ghn = gh_n + bh_n (gh absent: h = 0), h_{t-1} = rows t*B.. of Hp (absent: h = 0),
 * 1 - n^2 = 4 s (1 - s).
 */
register('HrlmgGruB', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number, t = attrs.t as number;
  io.out([1, B, 3 * H]);
  io.out([1, B, H]);
  io.out([1, B, H]);
  io.alloc();
  const simd = simdFor(io, H);
  if (simd) {
    const [g, a, d] = io.infos();
    const p = (k: string) => (inputs[k] ? io.ptr(inputs[k]) : 0);
    simd.gruB(
      io.ptr(g), io.ptr(a), io.ptr(d), io.ptr(inputs.dhA), p('dhB'),
      io.ptr(inputs.rz), p('gh'), io.ptr(inputs.bh), io.ptr(inputs.s), inputs.Hp ? io.ptr(inputs.Hp) + t * B * H * 4 : 0,
      inputs.M ? io.ptr(inputs.M) + t * B * 4 : 0,
      B, H * 4,
    );
    return io.infos();
  }
  const [G, A, D] = io.outViews();
  const dA = io.view(inputs.dhA);
  const dB = inputs.dhB ? io.view(inputs.dhB) : null;
  const rz = io.view(inputs.rz), s = io.view(inputs.s), bh = io.view(inputs.bh);
  const gh = inputs.gh ? io.view(inputs.gh) : null;
  const hp = inputs.Hp ? io.view(inputs.Hp) : null;
  const h0 = t * B * H; // h_{t-1} = rows t*B.. of Hp
  const M = inputs.M ? io.view(inputs.M) : null;
  const H2 = 2 * H, H3 = 3 * H;
  for (let b = 0; b < B; b++) {
    const ob = b * H, rb = b * H2, gb = b * H3;
    if (M && M[t * B + b] === 0) {
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
      const hv = hp ? hp[h0 + ob + j] : 0;
      const da = dh * (1 - z) * 4 * sv * (1 - sv);
      const dz = dh * (hv - n);
      const ghn = (gh ? gh[gb + H2 + j] : 0) + bh[H2 + j];
      G[gb + j] = da * ghn * r * (1 - r);
      G[gb + H + j] = dz * z * (1 - z);
      G[gb + H2 + j] = da * r;
      A[ob + j] = da;
      D[ob + j] = dh * z;
    }
  }
  return io.infos();
});

/**
 * The per-step backward outputs stacked for the weight gradients, steps on the columns:
 * DiT [3H, K] = (da_r; da_z; da_n), DhT [3H, K] = (da_r; da_z; d ghn), step t in columns
 * t*B .. t*B+B-1, columns from T*B to K zero. Inputs G0.., A0.. (see HrlmgGruB).
 */
register('HrlmgGruStack', (inputs, attrs, io) => {
  const B = attrs.B as number, H = attrs.H as number, T = attrs.T as number, K = attrs.K as number;
  const H2 = 2 * H, H3 = 3 * H;
  io.out([1, H3, K]);
  io.out([1, H3, K]);
  const [Di, Dh] = io.alloc();
  if (K > T * B) {
    for (let j = 0; j < H3; j++) {
      Di.fill(0, j * K + T * B, (j + 1) * K);
      Dh.fill(0, j * K + T * B, (j + 1) * K);
    }
  }
  const simd = simdFor(io, H);
  if (simd) {
    const [di, dh] = io.infos();
    for (let t = 0; t < T; t++) simd.stackT(io.ptr(di), io.ptr(dh), io.ptr(inputs['G' + t]), io.ptr(inputs['A' + t]), B, H * 4, K * 4, t * B * 4);
    return io.infos();
  }
  const TILE = 16; // transpose in row tiles: column-strided writes one at a time thrash the cache
  for (let t = 0; t < T; t++) {
    const G = io.view(inputs['G' + t]), A = io.view(inputs['A' + t]);
    const c0 = t * B;
    for (let b0 = 0; b0 < B; b0 += TILE) {
      const b1 = Math.min(B, b0 + TILE);
      for (let j = 0; j < H3; j++) {
        const ob = j * K + c0;
        for (let b = b0; b < b1; b++) {
          const v = G[b * H3 + j];
          if (j < H2) Di[ob + b] = v;
          Dh[ob + b] = v;
        }
      }
      for (let j = 0; j < H; j++) {
        const ob = (H2 + j) * K + c0;
        for (let b = b0; b < b1; b++) Di[ob + b] = A[b * H + j];
      }
    }
  }
  return io.infos();
});

/** Row sums of a [R, C] and b [R, C] -> [1, 1, 2R] (d bi | d bh). */
register('HrlmgRowSums', (inputs, _attrs, io) => {
  const a = inputs.a, R = a.shape[a.shape.length - 2], C = a.shape[a.shape.length - 1];
  io.out([1, 1, 2 * R]);
  io.alloc();
  const simd = io.wasmBackend ? simdKernels(io.wasmMemory()) : null;
  const [o] = io.infos();
  if (simd) {
    simd.rowSum(io.ptr(o), io.ptr(inputs.a), R, C * 4);
    simd.rowSum(io.ptr(o) + R * 4, io.ptr(inputs.b), R, C * 4);
    return io.infos();
  }
  const [out] = io.outViews();
  [io.view(inputs.a), io.view(inputs.b)].forEach((v, k) => {
    for (let r = 0; r < R; r++) {
      let acc = 0;
      for (let c = 0, i = r * C; c < C; c++, i++) acc += v[i];
      out[k * R + r] = acc;
    }
  });
  return io.infos();
});

export function zeros(shapes: number[][]): T[] {
  const out = run('HrlmgZeros', {}, { shapes });
  return Array.isArray(out) ? out : [out];
}

/** Returns [rz, s, h']; writes h' into Hp (if given) in place. gh: null at h = 0. */
export function gruStep(gh: T | null, GI: T, bh: T, h: T | null, Hp: T | null, M: T | null, t: number, B: number, H: number): T[] {
  const inputs: Record<string, T> = { GI, bh };
  if (gh) inputs.gh = gh;
  if (h) inputs.h = h;
  if (Hp) inputs.Hp = Hp;
  if (M) inputs.M = M;
  return run('HrlmgGruStep', inputs, { t, B, H }) as T[];
}

/** Returns [G, A, dhz]. gh, Hp: null at t = 0 (h_{t-1} = 0). */
export function gruB(dhA: T, dhB: T | null, rz: T, gh: T | null, bh: T, s: T, Hp: T | null, M: T | null, t: number, B: number, H: number): T[] {
  const inputs: Record<string, T> = { dhA, rz, bh, s };
  if (dhB) inputs.dhB = dhB;
  if (gh) inputs.gh = gh;
  if (Hp) inputs.Hp = Hp;
  if (M) inputs.M = M;
  return run('HrlmgGruB', inputs, { t, B, H }) as T[];
}

/** The wasm SIMD sigmoid on x (for tests); null when the SIMD kernels are not in use. */
export function simdSigmoid(x: T): T | null {
  return tf.getBackend() === 'wasm' && x.size % 4 === 0 ? (run('HrlmgSigTest', { x }) as T) : null;
}

register('HrlmgSigTest', (inputs, _attrs, io) => {
  io.out(inputs.x.shape);
  io.alloc();
  const simd = io.wasmBackend ? simdKernels(io.wasmMemory()) : null;
  if (!simd) throw new Error('HrlmgSigTest: no SIMD kernels');
  simd.sigTest(io.ptr(io.infos()[0]), io.ptr(inputs.x), inputs.x.shape.reduce((a, b) => a * b, 1) * 4);
  return io.infos();
});

/** Returns [DiT, DhT] [1, 3H, K] from the per-step G_t, A_t. */
export function gruStack(G: T[], A: T[], B: number, H: number, K: number): T[] {
  const inputs: Record<string, T> = {};
  G.forEach((g, t) => {
    inputs['G' + t] = g;
    inputs['A' + t] = A[t];
  });
  return run('HrlmgGruStack', inputs, { B, H, T: G.length, K }) as T[];
}

export function rowSums(a: T, b: T): T {
  return run('HrlmgRowSums', { a, b }) as T;
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
  for (let i0 = 0; i0 < R; i0 += 16) {
    const i1 = Math.min(R, i0 + 16); // row tiles: column-strided writes one at a time thrash the cache
    for (let j = 0; j < C; j++) {
      const ob = j * R;
      for (let i = i0; i < i1; i++) o[ob + i] = v[i * C + j];
    }
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
