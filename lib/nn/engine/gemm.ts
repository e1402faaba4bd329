/**
 * Matrix product C = act(A B + bias) as WebAssembly SIMD assembled at run time for each (K, N,
 * bias, relu), running on the tfjs wasm backend's heap:
 *   A [M, K], B [K, N], bias [N], C [M, N], all row-major float32; M is a call argument.
 *
 * Why: in this update the matmuls are small (K, N = 50-192, M = 64-2,576) and tfjs-wasm's XNNPACK
 * path pays for generality on each call (operator setup, packing B, a generic micro-kernel with
 * run-time strides): it ran at 7-12 G multiply-adds/s here, this specialised loop at 15-20
 * (docs/performance.md "Update speed"). No packing: B is read in place, row by row.
 *
 * Register tile: 4 rows of A x 8 columns of B (8 f32x4 accumulators); then a 4-column tile, a
 * 2-column tile (half a vector) and a single column as N requires; then the last M mod 4 rows one
 * at a time. Each output is
 * acc = bias (or 0); for k in 0..K-1: acc = acc + a[i,k] * b[k,j] (a multiply then an add, in k
 * order): the same operations in the same order as XNNPACK's f32 wasm SIMD GEMM, so the results
 * are the same bits (tested against _FusedMatMul).
 */
import {
  Code, FnDef, SIMD, WasmMemory, add, fadd, fmul, geU, get, i32, instantiate, mul, set, uleb, vload, vstore,
} from './wasmAsm';

const load32Splat = (addr: Code, off: number): Code => [...addr, ...SIMD(9), 2, ...uleb(off)];
const load64Zero = (addr: Code, off: number): Code => [...addr, ...SIMD(0x5d), 3, ...uleb(off)]; // lanes 0-1; 2-3 = 0
/** v128.store32_lane / store64_lane of lane 0: the low 1 or 2 floats. */
const storeLane = (bits: 32 | 64, addr: Code, off: number, v: Code): Code => [...addr, ...v, ...SIMD(bits === 32 ? 0x5a : 0x5b), bits === 32 ? 2 : 3, ...uleb(off), 0];
const vzero: Code = [...SIMD(12), ...Array<number>(16).fill(0)];
// relu as pmax(0, x) = (0 < x ? x : 0): one maxps
const relu = (v: Code): Code => [...vzero, ...v, ...SIMD(235)];
const gtU = (a: Code, b: Code): Code => [...a, ...b, 0x4b];

/** Shape-specialised kernel: gemm(a, b, bias, c, M) on byte offsets (bias ignored without a bias). */
export type GemmFn = (a: number, b: number, bias: number, c: number, M: number) => void;

function gemmDef(K: number, N: number, hasBias: boolean, act: boolean): FnDef {
  // params
  const A = 0, B = 1, BIAS = 2, C = 3, M = 4;
  // i32 locals
  const I = 5, J = 6, PA = 7, PB = 8, KEND = 9, AROW = 10, CROW = 11;
  const nI32 = 7;
  // v128 locals: 2 B vectors, 1 A broadcast, 8 accumulators
  const VB = 12, VA = 14, ACC = 15;
  const NT8 = Math.floor(N / 8), has4 = N % 8 >= 4, scalar0 = N - (N % 4);

  /**
   * One register tile: MR rows from row i; `kind` = 8 | 4 columns (2 | 1 vectors), 2 columns (the
   * low half of a vector: 64-bit loads and stores) or 1 column (lane 0); from column `col` (a
   * constant, or the local J when null).
   */
  const tile = (MR: number, kind: 8 | 4 | 2 | 1, col: number | null): Code => {
    const nv = kind === 8 ? 2 : 1, colBytes = (extra: number): Code => (col === null ? add(mul(get(J), i32(4)), i32(extra)) : i32(col * 4 + extra));
    const acc = (r: number, v: number) => ACC + r * nv + v;
    const load = (addr: Code, off: number): Code => (kind === 1 ? load32Splat(addr, off) : kind === 2 ? load64Zero(addr, off) : vload(addr, off));
    const code: Code = [];
    code.push(...add(get(B), colBytes(0)), ...set(PB));
    for (let r = 0; r < MR; r++) {
      for (let v = 0; v < nv; v++) code.push(...(hasBias ? load(add(get(BIAS), colBytes(0)), v * 16) : vzero), ...set(acc(r, v)));
    }
    code.push(...get(AROW), ...set(PA));
    code.push(0x03, 0x40); // loop over k
    for (let v = 0; v < nv; v++) code.push(...load(get(PB), v * 16), ...set(VB + v));
    for (let r = 0; r < MR; r++) {
      code.push(...load32Splat(get(PA), r * K * 4), ...set(VA));
      for (let v = 0; v < nv; v++) code.push(...fadd(get(acc(r, v)), fmul(get(VA), get(VB + v))), ...set(acc(r, v)));
    }
    code.push(...add(get(PB), i32(N * 4)), ...set(PB));
    code.push(...add(get(PA), i32(4)), 0x22, ...uleb(PA), ...get(KEND), 0x49, 0x0d, 0); // pa += 4; br_if pa < kend
    code.push(0x0b);
    for (let r = 0; r < MR; r++) {
      for (let v = 0; v < nv; v++) {
        const val = act ? relu(get(acc(r, v))) : get(acc(r, v));
        const addr = add(get(CROW), colBytes(0)), off = r * N * 4 + v * 16;
        code.push(...(kind === 1 ? storeLane(32, addr, off, val) : kind === 2 ? storeLane(64, addr, off, val) : vstore(addr, val, off)));
      }
    }
    return code;
  };

  /** All columns of MR rows starting at row i. */
  const rowBlock = (MR: number): Code => {
    const code: Code = [
      ...add(get(A), mul(get(I), i32(K * 4))), ...set(AROW),
      ...add(get(AROW), i32(K * 4)), ...set(KEND),
      ...add(get(C), mul(get(I), i32(N * 4))), ...set(CROW),
    ];
    if (NT8 > 0) {
      code.push(...i32(0), ...set(J), 0x03, 0x40, ...tile(MR, 8, null));
      code.push(...add(get(J), i32(8)), 0x22, ...uleb(J), ...i32(NT8 * 8), 0x49, 0x0d, 0, 0x0b); // j += 8; br_if j < NT8*8
    }
    if (has4) code.push(...tile(MR, 4, NT8 * 8));
    if (N - scalar0 >= 2) code.push(...tile(MR, 2, scalar0));
    if ((N - scalar0) % 2 === 1) code.push(...tile(MR, 1, N - 1));
    return code;
  };

  const code: Code = [
    ...i32(0), ...set(I),
    // rows in blocks of 4: while (i + 4 <= M)
    0x02, 0x40, 0x03, 0x40,
    ...gtU(add(get(I), i32(4)), get(M)), 0x0d, 1,
    ...rowBlock(4),
    ...add(get(I), i32(4)), ...set(I),
    0x0c, 0, 0x0b, 0x0b,
    // the last M mod 4 rows: while (i < M)
    0x02, 0x40, 0x03, 0x40,
    ...geU(get(I), get(M)), 0x0d, 1,
    ...rowBlock(1),
    ...add(get(I), i32(1)), ...set(I),
    0x0c, 0, 0x0b, 0x0b,
  ];
  return { name: 'gemm', params: 5, i32Locals: nI32, v128Locals: 3 + 8, code };
}

/** Switch for measurements and tests: false = tfjs's _FusedMatMul (XNNPACK) for every matmul. */
export const gemmImpl = { enabled: process.env.HRLMG_NO_GEMM !== '1' };

const modules = new WeakMap<WasmMemory, Map<string, GemmFn | null>>();

/**
 * The kernel for (K, N, bias, relu) bound to `memory` (assembled once per shape and memory), or
 * null when this runtime cannot build it (no wasm SIMD) or K, N are 0.
 */
export function gemmKernel(memory: WasmMemory, K: number, N: number, hasBias: boolean, act: boolean): GemmFn | null {
  if (!memory || K <= 0 || N <= 0) return null;
  let byShape = modules.get(memory);
  if (!byShape) modules.set(memory, (byShape = new Map()));
  const key = `${K},${N},${hasBias ? 1 : 0},${act ? 1 : 0}`;
  if (byShape.has(key)) return byShape.get(key) ?? null;
  let fn: GemmFn | null = null;
  try {
    fn = instantiate<{ gemm: GemmFn }>([gemmDef(K, N, hasBias, act)], memory).gemm;
  } catch {
    fn = null;
  }
  byShape.set(key, fn);
  return fn;
}
