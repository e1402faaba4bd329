/**
 * Fixed-capacity experience replay (Algorithm 2 lines 3, 17, 20, 23, 25) stored as typed-array
 * columns: each named field has a fixed width and element type, so a sampled minibatch is a set of
 * contiguous [batch, width] arrays ready for tf.tensor2d.
 *
 *   const buf = new ReplayBuffer({ capacity: 100000, fields: {
 *     hist: { len: 10, type: 'i32' }, action: { len: 50, type: 'f32' }, reward: { len: 1, type: 'f32' } } });
 *   buf.push({ hist: [...], action: a, reward: 1 });
 *   const batch = buf.sample(64, rng);   // batch.action: Float32Array [64*50]
 *
 * When full, the oldest record is overwritten (ring buffer). Sampling is uniform with replacement
 * from the seeded Rng. serialize()/deserialize() give a byte-exact snapshot for checkpoints
 * (write it with writeFileAtomic).
 */
import { UsageError } from '../util/errors';
import type { Rng } from '../util/rng';

export type FieldType = 'f32' | 'i32' | 'u8';
export interface FieldDef {
  /** Number of elements per record (>= 1). */
  len: number;
  type: FieldType;
}
export type FieldDefs = Record<string, FieldDef>;
export type ArrayOf<T extends FieldType> = T extends 'f32' ? Float32Array : T extends 'i32' ? Int32Array : Uint8Array;
/** Columnar batch: field -> [n * len] typed array, record-major. */
export type Columns<F extends FieldDefs> = { [K in keyof F]: ArrayOf<F[K]['type']> };
/** One record: field -> its `len` values (a plain number is accepted for len = 1). */
export type ReplayRecord<F extends FieldDefs> = { [K in keyof F]: ArrayLike<number> | number };

export interface ReplayBufferOptions<F extends FieldDefs> {
  capacity: number;
  fields: F;
}

const CTORS = { f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
const MAGIC = 'HRLMG-RB1\n';

function checkFields(fields: FieldDefs, where: string): void {
  if (fields === null || typeof fields !== 'object') throw new UsageError(`${where}: fields must be an object`);
  const names = Object.keys(fields);
  if (names.length === 0) throw new UsageError(`${where}: at least one field is required`);
  for (const n of names) {
    const f = fields[n];
    if (!f || !Number.isInteger(f.len) || f.len < 1) throw new UsageError(`${where}: field '${n}' len must be an integer >= 1, got ${f?.len}`);
    if (!(f.type in CTORS)) throw new UsageError(`${where}: field '${n}' type must be f32, i32 or u8, got ${JSON.stringify(f.type)}`);
  }
}

export class ReplayBuffer<const F extends FieldDefs> {
  readonly capacity: number;
  readonly fields: F;
  private readonly cols: Columns<F>;
  private readonly names: (keyof F & string)[];
  /** Records ever pushed; the next write goes to slot pushed % capacity. */
  private pushed = 0;

  constructor(opts: ReplayBufferOptions<F>) {
    if (!Number.isInteger(opts?.capacity) || opts.capacity < 1) {
      throw new UsageError(`ReplayBuffer: capacity must be an integer >= 1, got ${opts?.capacity}`);
    }
    checkFields(opts.fields, 'ReplayBuffer');
    this.capacity = opts.capacity;
    this.fields = opts.fields;
    this.names = Object.keys(opts.fields) as (keyof F & string)[];
    const cols: Record<string, Float32Array | Int32Array | Uint8Array> = {};
    for (const n of this.names) {
      const f = opts.fields[n];
      cols[n] = new CTORS[f.type](opts.capacity * f.len);
    }
    this.cols = cols as Columns<F>;
  }

  /** Records currently stored (<= capacity). */
  get size(): number {
    return Math.min(this.pushed, this.capacity);
  }

  /** Records pushed since creation (including overwritten ones). */
  get totalPushed(): number {
    return this.pushed;
  }

  /** Append one record, overwriting the oldest when full. */
  push(record: ReplayRecord<F>): void {
    if (record === null || typeof record !== 'object') throw new UsageError('ReplayBuffer.push: record must be an object');
    for (const k of Object.keys(record)) {
      if (!(k in this.fields)) throw new UsageError(`ReplayBuffer.push: unknown field '${k}' (fields: ${this.names.join(', ')})`);
    }
    // Validate every field before writing any, so a bad record leaves the buffer untouched.
    for (const n of this.names) this.checkValue(n, record[n], 'ReplayBuffer.push');
    const slot = this.pushed % this.capacity;
    for (const n of this.names) {
      const { len } = this.fields[n];
      const v = record[n];
      const col = this.cols[n];
      if (typeof v === 'number') col[slot * len] = v;
      else for (let k = 0; k < len; k++) col[slot * len + k] = v[k];
    }
    this.pushed++;
  }

  /** Append n records given as columns (field -> [n * len]). */
  pushBatch(batch: { [K in keyof F]: ArrayLike<number> }, n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`ReplayBuffer.pushBatch: n must be an integer >= 0, got ${n}`);
    if (batch === null || typeof batch !== 'object') throw new UsageError('ReplayBuffer.pushBatch: batch must be an object');
    for (const k of Object.keys(batch)) {
      if (!(k in this.fields)) throw new UsageError(`ReplayBuffer.pushBatch: unknown field '${k}' (fields: ${this.names.join(', ')})`);
    }
    for (const nm of this.names) {
      const v = batch[nm];
      const { len, type } = this.fields[nm];
      if (v === undefined || v === null || typeof v.length !== 'number') throw new UsageError(`ReplayBuffer.pushBatch: field '${nm}' is missing`);
      if (v.length !== n * len) throw new UsageError(`ReplayBuffer.pushBatch: field '${nm}' has ${v.length} values, expected n*len = ${n}*${len}`);
      if (!(v instanceof CTORS[type])) for (let i = 0; i < v.length; i++) this.checkScalar(nm, v[i], 'ReplayBuffer.pushBatch');
    }
    // Only the last `capacity` records survive; write those.
    const start = Math.max(0, n - this.capacity);
    for (let r = start; r < n; r++) {
      const slot = (this.pushed + r) % this.capacity;
      for (const nm of this.names) {
        const { len } = this.fields[nm];
        const src = batch[nm];
        const col = this.cols[nm];
        for (let k = 0; k < len; k++) col[slot * len + k] = src[r * len + k];
      }
    }
    this.pushed += n;
  }

  /** Uniform indices with replacement, drawn from rng: Int32Array [batchSize] of slots. */
  sampleIndices(batchSize: number, rng: Rng): Int32Array {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`ReplayBuffer.sample: batchSize must be an integer >= 1, got ${batchSize}`);
    const size = this.size;
    if (size === 0) throw new UsageError('ReplayBuffer.sample: buffer is empty');
    const idx = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) idx[i] = rng.int(size);
    return idx;
  }

  /** Uniform minibatch with replacement: field -> [batchSize * len]. */
  sample(batchSize: number, rng: Rng): Columns<F> {
    return this.gather(this.sampleIndices(batchSize, rng));
  }

  /** Records at the given slots (0 <= slot < size) as columns. */
  gather(slots: ArrayLike<number>): Columns<F> {
    const size = this.size;
    const out: Record<string, Float32Array | Int32Array | Uint8Array> = {};
    for (const nm of this.names) {
      const { len, type } = this.fields[nm];
      const col = this.cols[nm];
      const dst = new CTORS[type](slots.length * len);
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i];
        if (!Number.isInteger(s) || s < 0 || s >= size) throw new UsageError(`ReplayBuffer.gather: slot ${s} outside [0, ${size})`);
        dst.set(col.subarray(s * len, (s + 1) * len), i * len);
      }
      out[nm] = dst;
    }
    return out as Columns<F>;
  }

  /** The i-th stored record counting from the oldest (0) to the newest (size-1), as copies. */
  get(i: number): Columns<F> {
    const size = this.size;
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new UsageError(`ReplayBuffer.get: index ${i} outside [0, ${size})`);
    const oldest = this.pushed > this.capacity ? this.pushed % this.capacity : 0;
    return this.gather([(oldest + i) % this.capacity]);
  }

  clear(): void {
    this.pushed = 0;
    for (const nm of this.names) this.cols[nm].fill(0);
  }

  /**
   * Byte snapshot: magic line, 4-byte little-endian header length, JSON header (capacity, fields,
   * pushed), then each column's raw bytes (platform byte order: little-endian on x86/ARM).
   */
  serialize(): Buffer {
    const header = Buffer.from(JSON.stringify({ capacity: this.capacity, fields: this.fields, pushed: this.pushed, littleEndian: true }));
    const parts: Buffer[] = [Buffer.from(MAGIC), Buffer.alloc(4), header];
    parts[1].writeUInt32LE(header.length, 0);
    for (const nm of this.names) {
      const col = this.cols[nm];
      parts.push(Buffer.from(col.buffer, col.byteOffset, col.byteLength));
    }
    return Buffer.concat(parts);
  }

  /**
   * Inverse of serialize(). With `expect`, the stored fields must equal it exactly (names, widths,
   * types) so a checkpoint from an incompatible configuration fails loudly.
   */
  static deserialize<const G extends FieldDefs>(buf: Uint8Array, expect?: G, source = 'replay buffer'): ReplayBuffer<G> {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const bad = (problem: string): never => {
      throw new UsageError(`ReplayBuffer.deserialize (${source}): ${problem}`);
    };
    if (b.length < MAGIC.length + 4 || b.toString('latin1', 0, MAGIC.length) !== MAGIC) bad('not a replay-buffer snapshot (bad magic)');
    const hlen = b.readUInt32LE(MAGIC.length);
    const h0 = MAGIC.length + 4;
    if (h0 + hlen > b.length) bad('truncated header');
    let header: { capacity: number; fields: G; pushed: number; littleEndian: boolean };
    try {
      header = JSON.parse(b.toString('utf8', h0, h0 + hlen));
    } catch {
      return bad('corrupt header');
    }
    if (!header.littleEndian) bad('unsupported byte order');
    if (expect !== undefined && JSON.stringify(canonical(expect)) !== JSON.stringify(canonical(header.fields))) {
      bad(`fields differ: stored ${JSON.stringify(header.fields)}, expected ${JSON.stringify(expect)}`);
    }
    const rb = new ReplayBuffer<G>({ capacity: header.capacity, fields: header.fields });
    if (!Number.isInteger(header.pushed) || header.pushed < 0) bad(`bad record count ${header.pushed}`);
    let off = h0 + hlen;
    let expectedBytes = off;
    for (const nm of rb.names) expectedBytes += rb.cols[nm].byteLength;
    if (b.length !== expectedBytes) bad(`size ${b.length} bytes, expected ${expectedBytes} (truncated or corrupt)`);
    for (const nm of rb.names) {
      const col = rb.cols[nm];
      // Copy through bytes: the source offset need not be aligned for the element type.
      new Uint8Array(col.buffer, col.byteOffset, col.byteLength).set(b.subarray(off, off + col.byteLength));
      off += col.byteLength;
    }
    rb.pushed = header.pushed;
    return rb;
  }

  private checkScalar(name: string, x: unknown, where: string): void {
    const { type } = this.fields[name];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new UsageError(`${where}: field '${name}' has a non-finite value ${x}`);
    if (type !== 'f32' && !Number.isInteger(x)) throw new UsageError(`${where}: field '${name}' (${type}) needs integers, got ${x}`);
    if (type === 'u8' && (x < 0 || x > 255)) throw new UsageError(`${where}: field '${name}' (u8) needs 0..255, got ${x}`);
    if (type === 'i32' && (x < -2147483648 || x > 2147483647)) throw new UsageError(`${where}: field '${name}' (i32) out of range: ${x}`);
  }

  private checkValue(name: string, v: unknown, where: string): void {
    const { len } = this.fields[name];
    if (v === undefined || v === null) throw new UsageError(`${where}: field '${name}' is missing`);
    if (typeof v === 'number') {
      if (len !== 1) throw new UsageError(`${where}: field '${name}' needs ${len} values, got a single number`);
      this.checkScalar(name, v, where);
      return;
    }
    const a = v as ArrayLike<number>;
    if (typeof a.length !== 'number') throw new UsageError(`${where}: field '${name}' must be a number or an array`);
    if (a.length !== len) throw new UsageError(`${where}: field '${name}' needs ${len} values, got ${a.length}`);
    for (let k = 0; k < len; k++) this.checkScalar(name, a[k], where);
  }
}

function canonical(f: FieldDefs): [string, number, string][] {
  return Object.keys(f).map((k) => [k, f[k].len, f[k].type]);
}
