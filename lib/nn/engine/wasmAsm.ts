/**
 * A tiny WebAssembly assembler: LEB128 encoding, the instructions the SIMD kernels use (simd.ts,
 * gemm.ts) and a module builder whose functions take i32 parameters and import the memory they
 * work on as env.memory (the tfjs wasm backend's heap). No toolchain: modules are assembled at run
 * time, so they can be specialised to shapes known only then.
 */
// ---- encoding helpers ------------------------------------------------------------------------
export type Code = number[];
export const uleb = (n: number): Code => {
  const o: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    o.push(b);
  } while (n);
  return o;
};
export const sleb = (n: number): Code => {
  const o: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};
export const str = (s: string): Code => [...uleb(s.length), ...Array.from(Buffer.from(s, 'utf8'))];
export const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: Code): Code => [id, ...uleb(body.length), ...body];
export const I32 = 0x7f, V128 = 0x7b;

// ---- instructions ----------------------------------------------------------------------------
export const get = (i: number): Code => [0x20, ...uleb(i)];
export const set = (i: number): Code => [0x21, ...uleb(i)];
export const i32 = (v: number): Code => [0x41, ...sleb(v)];
export const f32 = (v: number): Code => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return [0x43, ...b];
};
export const add = (...xs: Code[]): Code => [...xs.flat(), ...Array(xs.length - 1).fill(0x6a)];
export const mul = (a: Code, b: Code): Code => [...a, ...b, 0x6c];
export const geU = (a: Code, b: Code): Code => [...a, ...b, 0x4f];
export const SIMD = (op: number): Code => [0xfd, ...uleb(op)];
/** v128.load / v128.store at addr + off (off: a constant byte offset in the memory argument). */
export const vload = (addr: Code, off = 0): Code => [...addr, ...SIMD(0), 4, ...uleb(off)];
export const vstore = (addr: Code, v: Code, off = 0): Code => [...addr, ...v, ...SIMD(11), 4, ...uleb(off)];
export const splat = (x: Code): Code => [...x, ...SIMD(19)];
export const lane = (v: Code, l: number): Code => [...v, ...SIMD(31), l];
export const fadd = (a: Code, b: Code): Code => [...a, ...b, ...SIMD(228)];
export const fsub = (a: Code, b: Code): Code => [...a, ...b, ...SIMD(229)];
export const fmul = (a: Code, b: Code): Code => [...a, ...b, ...SIMD(230)];
export const fstore = (addr: Code, x: Code): Code => [...addr, ...x, 0x38, 2, 0];
export const fload = (addr: Code): Code => [...addr, 0x2a, 2, 0];
export const feqz = (x: Code): Code => [...x, ...f32(0), 0x5b];
// pmin = (b < a ? b : a): one x86 minps (f32x4.min has NaN/-0 semantics that cost a multi-instruction sequence)
export const fmin = (a: Code, b: Code): Code => [...a, ...b, ...SIMD(234)];
export const fdiv = (a: Code, b: Code): Code => [...a, ...b, ...SIMD(231)];
export const fabs = (a: Code): Code => [...a, ...SIMD(224)];
export const fge = (a: Code, b: Code): Code => [...a, ...b, ...SIMD(70)];
export const bitselect = (a: Code, b: Code, c: Code): Code => [...a, ...b, ...c, ...SIMD(82)];
export const ishl4 = (a: Code, n: Code): Code => [...a, ...n, ...SIMD(171)];
export const vsplat = (v: number): Code => splat(f32(v));

export const memcopy = (dst: Code, src: Code, n: Code): Code => [...dst, ...src, ...n, 0xfc, 10, 0, 0];
export const memfill = (dst: Code, n: Code): Code => [...dst, ...i32(0), ...n, 0xfc, 11, 0];
export const ifElse = (cond: Code, then: Code, els: Code = []): Code => [...cond, 0x04, 0x40, ...then, ...(els.length ? [0x05, ...els] : []), 0x0b];
/** for (i = 0; i < end; i += step) body  (body must not branch out). */
export const forUp = (i: number, end: Code, step: number, body: Code): Code => [
  ...i32(0), ...set(i),
  0x02, 0x40, 0x03, 0x40,
  ...geU(get(i), end), 0x0d, 1,
  ...body,
  ...add(get(i), i32(step)), ...set(i),
  0x0c, 0, 0x0b, 0x0b,
];
export const inc = (p: number, by: Code): Code => [...add(get(p), by), ...set(p)];

export interface FnDef {
  name: string;
  params: number;
  i32Locals: number;
  v128Locals: number;
  code: Code;
}

// ---- module -----------------------------------------------------------------------------------

export function assemble(fns: FnDef[]): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), 0]);
  const bodies = fns.map((f) => {
    const locals = vec([
      [...uleb(f.i32Locals), I32],
      [...uleb(f.v128Locals), V128],
    ]);
    const body = [...locals, ...f.code, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x00]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

/** A WebAssembly.Memory (the global WebAssembly API is not in this project's TypeScript lib). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function instantiate<E>(fns: FnDef[], memory: WasmMemory): E {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  return new WA.Instance(new WA.Module(assemble(fns)), { env: { memory } }).exports as E;
}
