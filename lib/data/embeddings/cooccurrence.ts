/**
 * Item-item co-occurrence counts from an impression log: two impressions of the same session at
 * most `window` positions apart co-occur, weighted by the feedback of both (skip / click / order
 * weights) and by distance (harmonic 1/d or uniform). The matrix is symmetric, its diagonal is zero.
 *
 * Built row by row (Gustavson): for item i, walk its occurrences and their window neighbours,
 * accumulating into one dense scratch vector of length nItems. Memory is the output's nnz plus the
 * log, never nItems^2.
 */
import { Progress } from '../../util/progress';
import { EventLog } from '../schema';
import { Csr, CsrBuilder } from './sparse';

export interface CooccurrenceOptions {
  window: number;
  /** Weight per Feedback value: [skip, click, order]. */
  feedbackWeight: [number, number, number];
  distance: 'harmonic' | 'uniform';
  progress?: boolean;
}

export function cooccurrence(log: EventLog, o: CooccurrenceOptions): Csr {
  const n = log.items.n;
  const rows = log.item.length;
  const w = new Float64Array(rows);
  for (let r = 0; r < rows; r++) w[r] = o.feedbackWeight[log.feedback[r]];
  // occurrences of each item (counting sort of rows by item)
  const occStart = new Int32Array(n + 1);
  for (let r = 0; r < rows; r++) if (w[r] > 0) occStart[log.item[r] + 1]++;
  for (let i = 0; i < n; i++) occStart[i + 1] += occStart[i];
  const fill = occStart.slice(0, n);
  const occ = new Int32Array(occStart[n]);
  for (let r = 0; r < rows; r++) if (w[r] > 0) occ[fill[log.item[r]]++] = r;

  const dist = new Float64Array(o.window + 1);
  for (let d = 1; d <= o.window; d++) dist[d] = o.distance === 'harmonic' ? 1 / d : 1;
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  const out = new CsrBuilder(n, n);
  const bar = o.progress ? new Progress('co-occurrence', n, { unit: 'items' }) : null;
  for (let i = 0; i < n; i++) {
    let nt = 0;
    for (let p = occStart[i]; p < occStart[i + 1]; p++) {
      const r = occ[p];
      const s = log.session[r];
      const lo = Math.max(log.sessionStart[s], r - o.window);
      const hi = Math.min(log.sessionStart[s + 1] - 1, r + o.window);
      const wr = w[r];
      for (let r2 = lo; r2 <= hi; r2++) {
        const j = log.item[r2];
        if (j === i || w[r2] === 0) continue;
        const v = wr * w[r2] * dist[r2 > r ? r2 - r : r - r2];
        if (acc[j] === 0) touched[nt++] = j;
        acc[j] += v;
      }
    }
    const t = touched.subarray(0, nt).sort();
    for (let k = 0; k < nt; k++) {
      out.push(t[k], acc[t[k]]);
      acc[t[k]] = 0;
    }
    out.endRow();
    if (bar && (i & 1023) === 0) bar.update(i);
  }
  bar?.finish();
  return out.build();
}
