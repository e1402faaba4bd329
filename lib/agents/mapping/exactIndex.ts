/**
 * Brute-force Eq. (13) (Algorithm 1): score every remaining candidate with one dot product against
 * the pre-normalised item vectors and take the argmax. Pool sessions scan their own contiguous
 * [pool, E] matrix; whole-catalog sessions of one batch are scanned together in row blocks, so each
 * block of the item table is read from memory once for all B proto-actions.
 */
import { BaseIndex, type Pool } from './itemIndex';
import { CatalogState, PoolState, type SessionState } from './sessionState';
import { dot, TopK } from './vectors';

/** Rows per block in the batched whole-catalog scan (256 x 50 floats = 50 KB, cache-resident). */
const BLOCK = 256;

export class ExactIndex extends BaseIndex {
  constructor(items: Float32Array, dim: number) {
    super(items, dim, 'ExactIndex');
  }

  mapStates(states: readonly SessionState[], protoActions: Float32Array, active: Uint8Array, out: Int32Array): void {
    const E = this.dim;
    const cat: number[] = [];
    for (let b = 0; b < states.length; b++) {
      if (!active[b]) continue;
      const st = states[b];
      if (st.kind === 'pool') out[b] = st.argmax(protoActions, b * E); // Eq. (13) over the pool
      else cat.push(b);
    }
    if (cat.length === 1) out[cat[0]] = states[cat[0]].argmax(protoActions, cat[0] * E);
    else if (cat.length > 1) this.blockedCatalogArgmax(cat, states as SessionState[], protoActions, out);
  }

  /** Eq. (13) for several whole-catalog sessions at once, skipping each session's removed items. */
  private blockedCatalogArgmax(cat: number[], states: SessionState[], q: Float32Array, out: Int32Array): void {
    const E = this.dim, unit = this.unit, n = this.nItems, nc = cat.length;
    const best = new Float64Array(nc).fill(-Infinity);
    const bestId = new Int32Array(nc).fill(-1);
    const ptr = new Int32Array(nc); // position in each session's sorted removed list
    const cs = cat.map((b) => states[b] as CatalogState);
    for (let i0 = 0; i0 < n; i0 += BLOCK) {
      const i1 = Math.min(n, i0 + BLOCK);
      for (let c = 0; c < nc; c++) {
        const st = cs[c], rem = st.removed, nRem = st.nRemoved, qo = cat[c] * E;
        let p = ptr[c];
        let next = p < nRem ? rem[p] : -1;
        let bs = best[c], bi = bestId[c];
        for (let i = i0, o = i0 * E; i < i1; i++, o += E) {
          if (i === next) {
            p++;
            next = p < nRem ? rem[p] : -1;
            continue;
          }
          const s = dot(q, qo, unit, o, E);
          if (s > bs) { // increasing id order: strict '>' keeps the lower id on ties
            bs = s;
            bi = i;
          }
        }
        ptr[c] = p;
        best[c] = bs;
        bestId[c] = bi;
      }
    }
    for (let c = 0; c < nc; c++) out[cat[c]] = bestId[c];
  }

  rank(protoActions: Float32Array, k: number, candidates?: Pool): Int32Array {
    const E = this.dim;
    const state: SessionState = candidates === null || candidates === undefined
      ? new CatalogState(this.unit, E, this.nItems)
      : new PoolState(this.unit, E, this.nItems, candidates, 'ExactIndex.rank');
    const B = this.checkRank(protoActions, k, state.remaining());
    const out = new Int32Array(B * k);
    const top = new TopK(k);
    for (let b = 0; b < B; b++) {
      top.reset();
      state.topK(protoActions, b * E, top);
      out.set(top.sorted(), b * k);
    }
    return out;
  }
}
