/**
 * One column file of a prepared dataset written piece by piece: raw little-endian bytes appended
 * with synchronous writes (so memory never holds more than the piece being written), the sha256 and
 * the byte count accumulated as it goes. The same bytes and checksum saveDataset would write for
 * the whole array at once.
 */
import { createHash, Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

export type ColumnArray = Float64Array | Float32Array | Int32Array | Uint8Array;

const LITTLE_ENDIAN = os.endianness() === 'LE';

export class ColumnWriter {
  private fd: number | null;
  private readonly hash: Hash = createHash('sha256');
  /** Bytes written so far. */
  bytes = 0;
  /** Elements written so far. */
  length = 0;

  constructor(
    readonly file: string,
    /** The typed-array class every piece must be (checked on each append). */
    readonly ctor: new (n: number) => ColumnArray,
  ) {
    this.fd = fs.openSync(file, 'w');
  }

  /** Append the elements of `a` (a view is fine; it is not kept). */
  append(a: ColumnArray): void {
    if (this.fd === null) throw new Error(`ColumnWriter: ${this.file} is already closed`);
    if (!(a instanceof this.ctor)) throw new Error(`ColumnWriter: ${this.file} takes ${this.ctor.name}, got ${a.constructor.name}`);
    let b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (!LITTLE_ENDIAN && a.BYTES_PER_ELEMENT > 1) {
      b = Uint8Array.from(b);
      for (let i = 0; i < b.length; i += a.BYTES_PER_ELEMENT) b.subarray(i, i + a.BYTES_PER_ELEMENT).reverse();
    }
    this.hash.update(b);
    let off = 0;
    while (off < b.length) off += fs.writeSync(this.fd, b, off, Math.min(b.length - off, 1 << 30));
    this.bytes += b.length;
    this.length += a.length;
  }

  /** Flush to disk and close; returns the file's sha256 (hex). */
  finish(): string {
    if (this.fd === null) throw new Error(`ColumnWriter: ${this.file} is already closed`);
    const fd = this.fd;
    this.fd = null;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return this.hash.digest('hex');
  }

  /** Close without finishing (after a failure; the caller removes the folder). Never throws. */
  abort(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already failing; the folder is removed anyway
    }
    this.fd = null;
  }
}
