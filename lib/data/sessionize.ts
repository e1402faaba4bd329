/**
 * Sessions from raw event streams.
 *
 * Logs without session ids (Taobao, JD, RetailRocket) are cut into sessions the usual way: the
 * events of one user, in time order, start a new session whenever the gap to the user's previous
 * event is LONGER than `gapSeconds` (a gap of exactly `gapSeconds` stays in the session). The first
 * event of every user starts a session. Pure functions over columnar arrays; no per-row objects.
 */

/**
 * Row order sorting events by (user, ts, original position): a stable counting sort by user
 * (users are dense indices in [0, nUsers)), then a sort by time inside each user's run when that
 * run is not already in time order (logs sorted by user and time cost one pass).
 */
export function orderByUserTime(user: Int32Array, ts: Float64Array, nUsers: number): Int32Array {
  const n = user.length;
  const start = new Int32Array(nUsers + 1);
  for (let r = 0; r < n; r++) start[user[r] + 1]++;
  for (let u = 0; u < nUsers; u++) start[u + 1] += start[u];
  const fill = start.slice(0, nUsers);
  const order = new Int32Array(n);
  for (let r = 0; r < n; r++) order[fill[user[r]]++] = r;
  for (let u = 0; u < nUsers; u++) {
    const a = start[u];
    const b = start[u + 1];
    let sorted = true;
    for (let j = a + 1; j < b; j++) {
      if (ts[order[j]] < ts[order[j - 1]]) {
        sorted = false;
        break;
      }
    }
    // Ties keep file order (the index tie-break makes the sort stable whatever the engine does).
    if (!sorted) order.subarray(a, b).sort((x, y) => ts[x] - ts[y] || x - y);
  }
  return order;
}

export interface Sessions {
  /** Dense session index per row, non-decreasing. */
  session: Int32Array; // [rows]
  nSessions: number;
}

/**
 * Session index of each row of a log sorted by (user, ts): a new session starts at each user's
 * first row and wherever ts - previous ts > gapSeconds. `gapSeconds = Infinity` gives one session
 * per user (used when the source defines sessions itself).
 */
export function sessionize(user: Int32Array, ts: Float64Array, gapSeconds: number): Sessions {
  const n = user.length;
  if (ts.length !== n) throw new Error(`sessionize: user has ${n} rows, ts has ${ts.length}`);
  if (!(gapSeconds > 0)) throw new Error(`sessionize: gapSeconds must be > 0, got ${gapSeconds}`);
  const session = new Int32Array(n);
  let s = -1;
  for (let r = 0; r < n; r++) {
    if (r > 0 && (user[r] < user[r - 1] || (user[r] === user[r - 1] && ts[r] < ts[r - 1]))) {
      throw new Error(`sessionize: rows must be sorted by (user, ts); row ${r} is not`);
    }
    if (r === 0 || user[r] !== user[r - 1] || ts[r] - ts[r - 1] > gapSeconds) s++;
    session[r] = s;
  }
  return { session, nSessions: s + 1 };
}
