/**
 * WebAssembly SIMD versions of the GRU step kernels, running directly on the memory of the tfjs
 * wasm backend (its WebAssembly.Memory is imported, tensors are addressed by their byte offsets).
 * JavaScript loops over Float32Arrays cost 3-8 ns per element here (float32 <-> double
 * conversions, no SIMD); these run 4 lanes at a time.
 *
 * The module is assembled at run time (wasmAsm.ts, no toolchain).
 * All pointers and sizes are i32 BYTE quantities; H must be a multiple of 4 (callers fall back to
 * the JS loops otherwise). Semantics are those of the JS kernels in kernels.ts (the reference for
 * these, see the tests).
 */

import {
  Code, V128, WasmMemory, I32, get, set, i32, f32, add, mul, geU, SIMD, vload, vstore, splat, lane, fadd, fsub, fmul, fstore, fload, feqz, fmin, fdiv, fabs, fge, bitselect, ishl4, vsplat, memcopy, memfill, ifElse, forUp, inc, FnDef, instantiate,
} from './wasmAsm';

/** Constants of `sigmoidInto`, splatted once per call into v128 locals (see `sigmoidConsts`). */
const SIG_CONSTS = [
  87.33654, // clamp of |x|: exp(-87.3) is the smallest normal float
  -1.44269504088896341, // -log2(e)
  12583039, // magic bias 1.5 * 2^23 + 127: rounds to an integer in the low mantissa bits (+ exponent bias)
  0.693359375, // ln 2 = C1 - C2 (Cephes)
  -2.12194440e-4,
  1.9875691500e-4, // Cephes expf polynomial P, highest degree first
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
  1,
  0,
];
const sigmoidConsts = (first: number): Code => SIG_CONSTS.flatMap((c, i) => [...vsplat(c), ...set(first + i)]);

/**
 * sigmoid(x) for f32x4 x, written to local `out`; `t` = 4 scratch v128 locals, `k` = the first of
 * the 13 constant locals (sigmoidConsts). z = -min(|x|, 87.3); e = exp(z) as in Cephes expf
 * (z = n ln2 + t, two-constant reduction, e^t = 1 + t + t^2 P(t), ~1 ulp) with n rounded by a
 * magic bias whose low mantissa bits then give 2^n directly (no float->int conversion);
 * sigmoid(x) = (x >= 0 ? 1 : e) / (1 + e). Max abs error vs double ~1e-7, like the tfjs kernel.
 */
function sigmoidInto(x: Code, out: number, t: number[], k: number): Code {
  const [xv, z, n, p] = t;
  const K = (i: number) => get(k + i);
  let pc: Code = fadd(fmul(K(5), get(z)), K(6));
  for (let i = 7; i <= 10; i++) pc = fadd(fmul(pc, get(z)), K(i));
  return [
    ...x, ...set(xv),
    ...fmin(fabs(get(xv)), K(0)), ...set(z), // -z
    ...fadd(fmul(get(z), K(1)), K(2)), ...set(n), // z log2e + magic
    ...ishl4(get(n), i32(23)), ...set(p), // 2^n
    ...fsub(get(n), K(2)), ...set(n), // n
    // t = z - n C1 - n C2 with z = -|x|  ->  t = -(|x|) - n C1 - n C2
    ...fsub(fsub(fsub(K(12), get(z)), fmul(get(n), K(3))), fmul(get(n), K(4))), ...set(z),
    // e = (1 + t + t^2 P(t)) 2^n
    ...fmul(fadd(fadd(fmul(fmul(get(z), get(z)), pc), get(z)), K(11)), get(p)), ...set(p),
    ...fdiv(bitselect(K(11), get(p), fge(get(xv), K(12))), fadd(K(11), get(p))), ...set(out),
  ];
}


// ---- kernels ----------------------------------------------------------------------------------

/**
 * gruStep(rz, s, ho, gh, gi, bh, h, hp, mask, B, H4): one GRU step after the matmuls
 *   gh = h Wh [B, 3H] (0: h = 0), gi = x Wi + bi [B, 3H] (this step's rows), bh [3H]:
 *   r = sig(gi_r + gh_r + bh_r), z = sig(gi_z + gh_z + bh_z), a = gi_n + r (gh_n + bh_n),
 *   s = sig(2a), n = 2s - 1, h' = n + z (h - n) (masked rows keep h).
 * Outputs rz [B, 2H] = (r | z), s [B, H], ho = h' [B, H]; hp != 0: also copies h' rows there.
 */
function gruStep(): FnDef {
  const [rz, s, ho, gh, gi, bh, h, hp, mask, B, H4] = Array.from({ length: 11 }, (_, i) => i);
  const [b, jb, H8] = [11, 12, 13];
  const [two, r, z, a, sv, ghn, t0, t1, t2, t3] = Array.from({ length: 10 }, (_, i) => 14 + i);
  const tmp = [t0, t1, t2, t3];
  const kc = 24; // 13 sigmoid constants
  const at = (p: number, off: Code = i32(0)) => add(get(p), get(jb), off);
  const ghAt = (off: Code) => ifElseV(get(gh), vload(at(gh, off)), vsplat(0));
  const masked = [...get(mask), 0x04, I32, ...feqz(fload(add(get(mask), mul(get(b), i32(4))))), 0x05, ...i32(0), 0x0b];
  return {
    name: 'gruStep', params: 11, i32Locals: 3, v128Locals: 10 + SIG_CONSTS.length,
    code: [
      ...sigmoidConsts(kc),
      ...vsplat(2), ...set(two), ...add(get(H4), get(H4)), ...set(H8),
      ...forUp(b, get(B), 1, [
        ...forUp(jb, get(H4), 16, [
          ...sigmoidInto(fadd(fadd(vload(at(gi)), ghAt(i32(0))), vload(add(get(bh), get(jb)))), r, tmp, kc),
          ...sigmoidInto(fadd(fadd(vload(at(gi, get(H4))), ghAt(get(H4))), vload(add(get(bh), get(H4), get(jb)))), z, tmp, kc),
          ...fadd(ghAt(get(H8)), vload(add(get(bh), get(H8), get(jb)))), ...set(ghn),
          ...fmul(get(two), fadd(vload(at(gi, get(H8))), fmul(get(r), get(ghn)))), ...set(a),
          ...sigmoidInto(get(a), sv, tmp, kc),
          ...vstore(add(get(rz), get(jb)), get(r)),
          ...vstore(add(get(rz), get(H4), get(jb)), get(z)),
          ...vstore(at(s), get(sv)),
          // n = 2 s - 1 (in a), h' = n + z (h - n)
          ...fsub(fmul(get(two), get(sv)), vsplat(1)), ...set(a),
          ...vstore(at(ho), ifElseV(get(h), fadd(get(a), fmul(get(z), fsub(vload(at(h)), get(a)))), fsub(get(a), fmul(get(z), get(a))))),
        ]),
        ...ifElse(masked, ifElse(get(h), memcopy(get(ho), get(h), get(H4)), memfill(get(ho), get(H4)))),
        ...ifElse(get(hp), [...memcopy(get(hp), get(ho), get(H4)), ...inc(hp, get(H4))]),
        ...inc(rz, get(H8)), ...inc(s, get(H4)), ...inc(ho, get(H4)),
        ...inc(gi, add(get(H8), get(H4))),
        ...ifElse(get(gh), inc(gh, add(get(H8), get(H4)))),
        ...ifElse(get(h), inc(h, get(H4))),
      ]),
    ],
  };
}
/** (if c then a else b) producing a v128. */
const ifElseV = (c: Code, a: Code, b: Code): Code => [...c, 0x04, V128, ...a, 0x05, ...b, 0x0b];

/**
 * gruB(G, A, dhz, dhA, dhB, rz, gh, bh, s, hp, mask, B, H4): backward of one step (see kernels.ts
 * HrlmgGruB): G [B, 3H] = (da_r | da_z | d ghn), A [B, H] = da_n, dhz [B, H];
 * ghn = gh_n + bh_n (gh [B, 3H], 0: h = 0; bh [3H]).
 */
function gruB(): FnDef {
  const [G, A, dhz, dhA, dhB, rz, gh, bh, s, hp, mask, B, H4] = Array.from({ length: 13 }, (_, i) => i);
  const [b, jb, zp, H8] = [13, 14, 15, 16];
  const [one, four, dh, r, z, sv, dA, dz] = Array.from({ length: 8 }, (_, i) => 17 + i);
  const at = (p: number) => add(get(p), get(jb));
  const masked = [...get(mask), 0x04, I32, ...feqz(fload(add(get(mask), mul(get(b), i32(4))))), 0x05, ...i32(0), 0x0b];
  const dhv = [...ifElse(get(dhB), [...fadd(vload(at(dhA)), vload(at(dhB))), ...set(dh)], [...vload(at(dhA)), ...set(dh)])];
  const H3 = [...get(H4), ...i32(3), 0x6c];
  const ghn = fadd(ifElseV(get(gh), vload(add(get(gh), get(H8), get(jb))), vsplat(0)), vload(add(get(bh), get(H8), get(jb))));
  return {
    name: 'gruB', params: 13, i32Locals: 4, v128Locals: 8,
    code: [
      ...splat(f32(1)), ...set(one), ...splat(f32(4)), ...set(four),
      ...add(get(rz), get(H4)), ...set(zp), ...add(get(H4), get(H4)), ...set(H8),
      ...forUp(b, get(B), 1, [
        ...ifElse(masked,
          [
            ...memfill(get(G), H3),
            ...memfill(get(A), get(H4)),
            ...forUp(jb, get(H4), 16, [...dhv, ...vstore(at(dhz), get(dh))]),
          ],
          forUp(jb, get(H4), 16, [
            ...dhv,
            ...vload(at(rz)), ...set(r), ...vload(at(zp)), ...set(z), ...vload(at(s)), ...set(sv),
            // da_n = dh (1 - z) 4 s (1 - s)
            ...fmul(fmul(fmul(get(dh), fsub(get(one), get(z))), get(four)), fmul(get(sv), fsub(get(one), get(sv)))), ...set(dA),
            // dz = dh (h - n), n = 2 s - 1  ->  h - n = h + 1 - 2 s
            ...ifElse(get(hp),
              [...fmul(get(dh), fsub(fadd(vload(at(hp)), get(one)), fadd(get(sv), get(sv)))), ...set(dz)],
              [...fmul(get(dh), fsub(get(one), fadd(get(sv), get(sv)))), ...set(dz)]),
            ...vstore(at(G), fmul(fmul(get(dA), ghn), fmul(get(r), fsub(get(one), get(r))))), // da_r
            ...vstore(add(get(G), get(H4), get(jb)), fmul(get(dz), fmul(get(z), fsub(get(one), get(z))))), // da_z
            ...vstore(add(get(G), get(H8), get(jb)), fmul(get(dA), get(r))), // d ghn
            ...vstore(at(A), get(dA)),
            ...vstore(at(dhz), fmul(get(dh), get(z))),
          ])),
        ...inc(G, H3), ...inc(A, get(H4)), ...inc(dhz, get(H4)), ...inc(dhA, get(H4)),
        ...ifElse(get(dhB), inc(dhB, get(H4))),
        ...inc(rz, get(H8)), ...inc(zp, get(H8)), ...inc(s, get(H4)),
        ...ifElse(get(hp), inc(hp, get(H4))),
        ...ifElse(get(gh), inc(gh, H3)),
      ]),
    ],
  };
}

/** sig(x) for a host check of the vectorised sigmoid: sigTest(out, x, n4) over n4 bytes. */
function sigTest(): FnDef {
  const [out, x, n4] = [0, 1, 2];
  const [i] = [3];
  const [v, t0, t1, t2, t3] = [4, 5, 6, 7, 8];
  return {
    name: 'sigTest', params: 3, i32Locals: 1, v128Locals: 5 + SIG_CONSTS.length,
    code: [...sigmoidConsts(9), ...forUp(i, get(n4), 16, [...sigmoidInto(vload(add(get(x), get(i))), v, [t0, t1, t2, t3], 9), ...vstore(add(get(out), get(i)), get(v))])],
  };
}
/** i8x16.shuffle of two f32x4 by f32 lanes (0-3 from a, 4-7 from b). */
const shuffle = (a: Code, b: Code, lanes: number[]): Code => [...a, ...b, ...SIMD(13), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];

/**
 * stackT(DiT, DhT, G, A, B, H4, K4, col4): one step's columns of the transposed stacks:
 * DiT [3H, K] rows = (da_r; da_z; da_n), DhT rows = (da_r; da_z; d ghn), columns col .. col+B-1,
 * from G [B, 3H] and A [B, H]. 4x4 blocks are transposed in registers so that every store writes
 * 16 consecutive bytes of one row (column-wise scalar stores thrash the TLB: rows are K*4 bytes apart).
 */
function stackT(): FnDef {
  const [DiT, DhT, G, A, B, H4, K4, col4] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [j4, b0, B4, rowG, dst, dst2, src, b, rs] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
  const [r0, r1, r2, r3, t0, t1, t2, t3] = Array.from({ length: 8 }, (_, i) => 17 + i);
  // transpose the 4x4 block at src (row stride rs bytes) and store its 4 columns at dst (+ dst2 if set), row stride K4
  const block = (withDst2: boolean): Code => [
    ...vload(get(src)), ...set(r0),
    ...vload(add(get(src), get(rs))), ...set(r1),
    ...vload(add(get(src), get(rs), get(rs))), ...set(r2),
    ...vload(add(get(src), get(rs), get(rs), get(rs))), ...set(r3),
    ...shuffle(get(r0), get(r1), [0, 4, 1, 5]), ...set(t0),
    ...shuffle(get(r0), get(r1), [2, 6, 3, 7]), ...set(t1),
    ...shuffle(get(r2), get(r3), [0, 4, 1, 5]), ...set(t2),
    ...shuffle(get(r2), get(r3), [2, 6, 3, 7]), ...set(t3),
    ...[[t0, t2, [0, 1, 4, 5]], [t0, t2, [2, 3, 6, 7]], [t1, t3, [0, 1, 4, 5]], [t1, t3, [2, 3, 6, 7]]].flatMap(([x, y, l], k) => {
      const v = shuffle(get(x as number), get(y as number), l as number[]);
      const row = (p: number) => add(get(p), mul(i32(k), get(K4)));
      return withDst2 ? [...v, ...set(r0), ...vstore(row(dst), get(r0)), ...vstore(row(dst2), get(r0))] : vstore(row(dst), v);
    }),
  ];
  // for each 4-feature block j4 (bytes, step 16) of a [B, W] source: rows b0..b0+3 -> columns col+b0.. of rows j of dst
  const pass = (srcBase: number, j4End: Code, dstRow0: (j: Code) => Code, dst2Row0: ((j: Code) => Code) | null): Code =>
    forUp(j4, j4End, 16, [
      ...add(dstRow0(get(j4)), get(col4)), ...set(dst),
      ...(dst2Row0 ? [...add(dst2Row0(get(j4)), get(col4)), ...set(dst2)] : []),
      ...add(get(srcBase), get(j4)), ...set(src),
      ...forUp(b0, get(B4), 4, [
        ...block(dst2Row0 !== null),
        ...inc(dst, i32(16)), ...(dst2Row0 ? inc(dst2, i32(16)) : []),
        ...inc(src, mul(get(rs), i32(4))),
      ]),
      // tail rows B4..B-1: scalar
      ...forUp(b, sub32(get(B), get(B4)), 1, [0, 1, 2, 3].flatMap((l) => {
        const v = fload(add(get(src), mul(get(b), get(rs)), i32(4 * l)));
        const at = (p: number) => add(get(p), mul(i32(l), get(K4)), mul(get(b), i32(4)));
        return dst2Row0 ? [...fstore(at(dst), v), ...fstore(at(dst2), fload(add(get(src), mul(get(b), get(rs)), i32(4 * l))))] : fstore(at(dst), v);
      })),
    ]);
  // row j (as bytes j4 = 4j) of a transposed matrix starts at base + j * K4 = base + j4 * (K4 / 4)
  const rowOf = (base: Code, j4: Code) => add(base, shr2(mul(j4, get(K4))));
  return {
    name: 'stackT', params: 8, i32Locals: 9, v128Locals: 8,
    code: [
      ...get(B), ...i32(-4), 0x71, ...set(B4),
      // (da_r | da_z): G columns 0..2H -> DiT and DhT rows 0..2H
      ...mul(get(H4), i32(3)), ...set(rowG), ...get(rowG), ...set(rs),
      ...pass(G, add(get(H4), get(H4)), (j) => rowOf(get(DiT), j), (j) => rowOf(get(DhT), j)),
      // d ghn: G columns 2H..3H -> DhT rows 2H..3H
      ...add(get(G), get(H4), get(H4)), ...set(G),
      ...pass(G, get(H4), (j) => rowOf(add(get(DhT), shr2(mul(add(get(H4), get(H4)), get(K4)))), j), null),
      // da_n: A [B, H] -> DiT rows 2H..3H
      ...get(H4), ...set(rs),
      ...pass(A, get(H4), (j) => rowOf(add(get(DiT), shr2(mul(add(get(H4), get(H4)), get(K4)))), j), null),
    ],
  };
}
const sub32 = (a: Code, b: Code): Code => [...a, ...b, 0x6b];
const shr2 = (a: Code): Code => [...a, ...i32(2), 0x76];

/** rowSum(out, x, R, C4): out[r] = sum of row r of x [R, C] (4 lane partial sums, then the tail). */
function rowSum(): FnDef {
  const [out, x, R, C4] = [0, 1, 2, 3];
  const [r, c, main] = [4, 5, 6];
  const acc = 7;
  const tail = 8; // i32 local reused as f32 bits is not allowed: keep the tail sum in lane 0 of a v128
  return {
    name: 'rowSum', params: 4, i32Locals: 3, v128Locals: 2,
    code: [
      // main = C4 & ~15
      ...get(C4), ...i32(-16), 0x71, ...set(main),
      ...forUp(r, get(R), 1, [
        ...splat(f32(0)), ...set(acc),
        ...forUp(c, get(main), 16, [...fadd(get(acc), vload(add(get(x), get(c)))), ...set(acc)]),
        ...splat(f32(0)), ...set(tail),
        // tail: c from main to C4 step 4
        ...get(main), ...set(c),
        0x02, 0x40, 0x03, 0x40,
        ...geU(get(c), get(C4)), 0x0d, 1,
        ...fadd(get(tail), splat(fload(add(get(x), get(c))))), ...set(tail),
        ...inc(c, i32(4)),
        0x0c, 0, 0x0b, 0x0b,
        ...fstore(add(get(out), mul(get(r), i32(4))),
          [...lane(get(acc), 0), ...lane(get(acc), 1), 0x92, ...lane(get(acc), 2), ...lane(get(acc), 3), 0x92, 0x92, ...lane(get(tail), 0), 0x92]),
        ...inc(x, get(C4)),
      ]),
    ],
  };
}


export interface SimdKernels {
  gruStep(rz: number, s: number, ho: number, gh: number, gi: number, bh: number, h: number, hp: number, mask: number, B: number, H4: number): void;
  gruB(G: number, A: number, dhz: number, dhA: number, dhB: number, rz: number, gh: number, bh: number, s: number, hp: number, mask: number, B: number, H4: number): void;
  sigTest(out: number, x: number, n4: number): void;
  stackT(DiT: number, DhT: number, G: number, A: number, B: number, H4: number, K4: number, col4: number): void;
  rowSum(out: number, x: number, R: number, C4: number): void;
}


/** Switch for measurements and tests: false = the JS loops in kernels.ts (same results to ~1e-6). */
export const simdImpl = { enabled: true };

const cache = new WeakMap<WasmMemory, SimdKernels | null>();

/** The kernels bound to `memory`, or null when this runtime lacks wasm SIMD / bulk memory (or HRLMG_NO_SIMD=1). */
export function simdKernels(memory: WasmMemory): SimdKernels | null {
  if (!simdImpl.enabled || !memory) return null; // no memory object: a tfjs build laid out differently
  if (cache.has(memory)) return cache.get(memory) ?? null;
  let k: SimdKernels | null = null;
  if (process.env.HRLMG_NO_SIMD !== '1') {
    try {
      k = instantiate<SimdKernels>([gruStep(), gruB(), stackT(), rowSum(), sigTest()], memory);
    } catch {
      k = null;
    }
  }
  cache.set(memory, k);
  return k;
}
