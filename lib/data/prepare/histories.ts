/**
 * State histories (paper Sec. 2.2.1, 2.3.1, 4.1): for every row, the user's last N browsed
 * (any impression shown), clicked (click or order) and ordered items BEFORE that row, in
 * chronological order across all the user's sessions and days (so test-day states include the
 * training day). This is the state s_t before action a_t: the row's own item is excluded.
 *
 * Layout (shared with lib/data/history.ts): Int32Array [rows*N], row r at [r*N, (r+1)*N), entries are
 * item index + 1, 0 = padding, left-padded, most recent last.
 */
import { Progress } from '../../util/progress';
import { EventLog } from '../schema';
import { recordImpression } from '../history';

export interface Histories {
  browsed: Int32Array; // [rows*N]
  clicked: Int32Array; // [rows*N]
  ordered: Int32Array; // [rows*N]
}

/**
 * Histories for several logs over the same user and item spaces (e.g. the train and test splits),
 * each user's sessions from all of them merged by session start time (ties: earlier log first).
 */
export function computeHistories(logs: EventLog[], N: number, opts: { progress?: boolean } = {}): Histories[] {
  const nUsers = logs.length ? logs[0].nUsers : 0;
  for (const l of logs) if (l.nUsers !== nUsers) throw new Error('computeHistories: logs must share the user space');
  const out: Histories[] = logs.map((l) => ({
    browsed: new Int32Array(l.item.length * N),
    clicked: new Int32Array(l.item.length * N),
    ordered: new Int32Array(l.item.length * N),
  }));
  const totalRows = logs.reduce((a, l) => a + l.item.length, 0);
  const bar = opts.progress ? new Progress('histories', totalRows, { unit: 'rows' }) : null;
  const b = new Int32Array(N);
  const c = new Int32Array(N);
  const o = new Int32Array(N);
  const next = new Int32Array(logs.length); // next unprocessed session per log
  let done = 0;
  for (let u = 0; u < nUsers; u++) {
    b.fill(0);
    c.fill(0);
    o.fill(0);
    for (;;) {
      // the earliest-starting pending session of user u among the logs
      let best = -1;
      let bestTs = Infinity;
      for (let k = 0; k < logs.length; k++) {
        const l = logs[k];
        const s = next[k];
        if (s < l.nSessions && l.sessionUser[s] === u) {
          const t = l.ts[l.sessionStart[s]];
          if (t < bestTs) {
            bestTs = t;
            best = k;
          }
        }
      }
      if (best < 0) break;
      const l = logs[best];
      const h = out[best];
      const s = next[best]++;
      for (let r = l.sessionStart[s]; r < l.sessionStart[s + 1]; r++) {
        h.browsed.set(b, r * N);
        h.clicked.set(c, r * N);
        h.ordered.set(o, r * N);
        const it = l.item[r];
        const f = l.feedback[r];
        recordImpression(b, c, o, 0, N, it, f);
      }
      done += l.sessionStart[s + 1] - l.sessionStart[s];
      if (bar && (s & 255) === 0) bar.update(done);
    }
  }
  for (let k = 0; k < logs.length; k++) {
    if (next[k] !== logs[k].nSessions) throw new Error(`computeHistories: log ${k} sessions are not sorted by user`);
  }
  bar?.finish();
  return out;
}
