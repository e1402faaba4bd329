/**
 * Dense indices for raw numeric ids (0 .. 2^53): an open-addressing hash table on typed arrays.
 * Faster than a Map for millions of ids (no boxed entries; one probe usually hits), and ids get
 * indices 0, 1, 2, ... in order of first insertion.
 */
export class IdIndex {
  private keys: Float64Array;
  private vals: Int32Array; // index + 1, 0 = empty slot
  private bits: number;
  size = 0;

  constructor(expected = 1024) {
    let bits = 4;
    while (1 << bits < 2 * expected) bits++;
    this.bits = bits;
    this.keys = new Float64Array(1 << bits);
    this.vals = new Int32Array(1 << bits);
  }

  private slot(id: number): number {
    // Mix both 32-bit halves (ids can exceed 2^32), multiplicative hash into `bits` bits.
    const lo = id >>> 0;
    const hi = (id / 4294967296) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - this.bits);
  }

  /** Index of `id`, or -1 when absent. */
  get(id: number): number {
    const mask = (1 << this.bits) - 1;
    for (let h = this.slot(id); ; h = (h + 1) & mask) {
      const v = this.vals[h];
      if (v === 0) return -1;
      if (this.keys[h] === id) return v - 1;
    }
  }

  has(id: number): boolean {
    return this.get(id) >= 0;
  }

  /** Index of `id`, inserting it with the next index when absent. */
  intern(id: number): number {
    const mask = (1 << this.bits) - 1;
    for (let h = this.slot(id); ; h = (h + 1) & mask) {
      const v = this.vals[h];
      if (v === 0) {
        this.keys[h] = id;
        this.vals[h] = ++this.size;
        if (2 * this.size > mask + 1) this.grow();
        return this.size - 1;
      }
      if (this.keys[h] === id) return v - 1;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    this.bits++;
    this.keys = new Float64Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits);
    const mask = (1 << this.bits) - 1;
    for (let j = 0; j < vals.length; j++) {
      if (vals[j] === 0) continue;
      let h = this.slot(keys[j]);
      while (this.vals[h] !== 0) h = (h + 1) & mask;
      this.keys[h] = keys[j];
      this.vals[h] = vals[j];
    }
  }
}
