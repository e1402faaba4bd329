/**
 * The remaining candidate set of one recommendation session (Algorithm 1 line 3: a recommended item
 * is removed so it is never shown twice in the session), in two layouts:
 *
 * - PoolState: an explicit candidate pool (e.g. the ~500 recalled items of a session). Its
 *   normalised vectors are copied into one contiguous [n, E] matrix; removal swaps the last row into
 *   the hole, so the live rows stay contiguous and a scan touches only remaining items.
 * - CatalogState: the whole catalog. Nothing is copied (the index's normalised table is shared);
 *   removed items are kept in a small sorted list and skipped during the scan.
 */
import { UsageError } from '../../util/errors';
import { better, dot, TopK } from './vectors';

export interface SessionState {
  readonly kind: 'pool' | 'catalog';
  /** Items still available. */
  remaining(): number;
  /** Items picked or removed so far. */
  removedCount(): number;
  has(item: number): boolean;
  /** Remove an item; false when it was not available (already removed or outside the pool). */
  remove(item: number): boolean;
  /** Exact argmax of q·unit_i over remaining items (ties to the lower id); -1 when none remain. */
  argmax(q: Float32Array, qOff: number): number;
  /** Exact best-k remaining items into `top`. */
  topK(q: Float32Array, qOff: number, top: TopK): void;
}

export class PoolState implements SessionState {
  readonly kind = 'pool' as const;
  /** [cap] item ids; rows [0, n) are live. */
  readonly ids: Int32Array;
  /** [cap, E] normalised vectors aligned with ids. */
  readonly mat: Float32Array;
  n: number;
  private readonly pos = new Map<number, number>();
  private readonly total: number;

  constructor(unit: Float32Array, private readonly E: number, nItems: number, pool: ArrayLike<number>, where: string) {
    const n = pool.length;
    if (n === 0) throw new UsageError(`${where}: candidate pool is empty`);
    this.ids = new Int32Array(n);
    this.mat = new Float32Array(n * E);
    for (let r = 0; r < n; r++) {
      const it = pool[r];
      if (!Number.isInteger(it) || it < 0 || it >= nItems) throw new UsageError(`${where}: candidate ${it} (position ${r}) is not an item id in [0, ${nItems})`);
      if (this.pos.has(it)) throw new UsageError(`${where}: candidate ${it} appears twice in the pool (position ${this.pos.get(it)} and ${r})`);
      this.pos.set(it, r);
      this.ids[r] = it;
      this.mat.set(unit.subarray(it * E, (it + 1) * E), r * E);
    }
    this.n = n;
    this.total = n;
  }

  remaining(): number {
    return this.n;
  }

  removedCount(): number {
    return this.total - this.n;
  }

  has(item: number): boolean {
    return this.pos.has(item);
  }

  remove(item: number): boolean {
    const r = this.pos.get(item);
    if (r === undefined) return false;
    const last = this.n - 1;
    if (r !== last) {
      const moved = this.ids[last];
      this.ids[r] = moved;
      this.mat.copyWithin(r * this.E, last * this.E, (last + 1) * this.E);
      this.pos.set(moved, r);
    }
    this.pos.delete(item);
    this.n = last;
    return true;
  }

  argmax(q: Float32Array, qOff: number): number {
    const E = this.E, mat = this.mat, ids = this.ids;
    let best = -Infinity, bestId = -1;
    for (let r = 0, o = 0; r < this.n; r++, o += E) {
      const s = dot(q, qOff, mat, o, E);
      if (better(s, ids[r], best, bestId)) {
        best = s;
        bestId = ids[r];
      }
    }
    return bestId;
  }

  topK(q: Float32Array, qOff: number, top: TopK): void {
    const E = this.E;
    for (let r = 0; r < this.n; r++) top.push(this.ids[r], dot(q, qOff, this.mat, r * E, E));
  }
}

export class CatalogState implements SessionState {
  readonly kind = 'catalog' as const;
  /** Sorted removed ids in [0, nRemoved). */
  removed = new Int32Array(16);
  nRemoved = 0;

  constructor(private readonly unit: Float32Array, private readonly E: number, readonly nItems: number) {}

  remaining(): number {
    return this.nItems - this.nRemoved;
  }

  removedCount(): number {
    return this.nRemoved;
  }

  /** Position of item in the sorted removed list, or the insertion point encoded as -(p+1). */
  private find(item: number): number {
    let lo = 0, hi = this.nRemoved - 1;
    const a = this.removed;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < item) lo = mid + 1;
      else if (a[mid] > item) hi = mid - 1;
      else return mid;
    }
    return -(lo + 1);
  }

  has(item: number): boolean {
    return item >= 0 && item < this.nItems && this.find(item) < 0;
  }

  remove(item: number): boolean {
    if (!(item >= 0 && item < this.nItems)) return false;
    const p = this.find(item);
    if (p >= 0) return false;
    const at = -p - 1;
    if (this.nRemoved === this.removed.length) {
      const grown = new Int32Array(this.removed.length * 2);
      grown.set(this.removed);
      this.removed = grown;
    }
    this.removed.copyWithin(at + 1, at, this.nRemoved);
    this.removed[at] = item;
    this.nRemoved++;
    return true;
  }

  argmax(q: Float32Array, qOff: number): number {
    const E = this.E, unit = this.unit, rem = this.removed, nRem = this.nRemoved;
    let best = -Infinity, bestId = -1;
    let p = 0;
    let next = nRem > 0 ? rem[0] : -1;
    // Rows are scanned in increasing id order, so a strict '>' already breaks ties to the lower id.
    for (let i = 0, o = 0; i < this.nItems; i++, o += E) {
      if (i === next) {
        p++;
        next = p < nRem ? rem[p] : -1;
        continue;
      }
      const s = dot(q, qOff, unit, o, E);
      if (s > best) {
        best = s;
        bestId = i;
      }
    }
    return bestId;
  }

  topK(q: Float32Array, qOff: number, top: TopK): void {
    const E = this.E, unit = this.unit, rem = this.removed, nRem = this.nRemoved;
    let p = 0;
    let next = nRem > 0 ? rem[0] : -1;
    for (let i = 0; i < this.nItems; i++) {
      if (i === next) {
        p++;
        next = p < nRem ? rem[p] : -1;
        continue;
      }
      top.push(i, dot(q, qOff, unit, i * E, E));
    }
  }
}
