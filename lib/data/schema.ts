/**
 * The kit's event-log schema, shared by the default world, the real-log adapters, preparation,
 * the simulator and evaluation.
 *
 * Columnar (typed arrays), because logs reach 10M impressions: one row per impression, sorted by
 * user, then session, then time. Items, users and sessions are dense 0-based indices; the source's
 * own ids are kept in `rawId` columns.
 */

/** User feedback on one impression. */
export enum Feedback {
  Skip = 0,
  Click = 1,
  Order = 2,
}
export const FEEDBACK_NAMES = ['skip', 'click', 'order'] as const;
export type FeedbackName = (typeof FEEDBACK_NAMES)[number];

/** The item table. Index i is the item's dense id. */
export interface ItemTable {
  n: number;
  /** The source's item id (number; adapters map string ids through a dictionary). */
  rawId: Float64Array; // [n]
  /** Dense category index in [0, nCategories). */
  category: Int32Array; // [n]
  nCategories: number;
  /** Price, NaN when the source has none. */
  price: Float32Array; // [n]
  /** Extra per-item attributes the source has (the default world: quality, clickbait...). */
  extra: Record<string, Float32Array>;
}

/** An impression log: one row per impression, sorted by (user, session, ts). */
export interface EventLog {
  /** Where it came from: 'world', 'taobao', 'jd', 'retailrocket', 'yoochoose'. */
  source: string;
  items: ItemTable;
  nUsers: number;
  /** The source's user id per dense user index. */
  userRawId: Float64Array; // [nUsers]
  /** Rows. */
  user: Int32Array; // [rows]
  session: Int32Array; // [rows] dense session index, non-decreasing over rows
  item: Int32Array; // [rows]
  feedback: Uint8Array; // [rows] Feedback
  ts: Float64Array; // [rows] unix seconds
  /** Sessions: rows [sessionStart[s], sessionStart[s+1]) belong to session s. */
  nSessions: number;
  sessionStart: Int32Array; // [nSessions + 1]
  sessionUser: Int32Array; // [nSessions]
  /** Day index of each session (0-based from the log's first day, in the log's time zone = UTC). */
  sessionDay: Int32Array; // [nSessions]
}

export interface LogStats {
  rows: number;
  users: number;
  sessions: number;
  items: number;
  itemsSeen: number;
  clicks: number;
  orders: number;
  /** clicks / impressions, counting orders as clicks (an order implies a click). */
  clickRate: number;
  /** orders / clicks (conversion among clicked impressions). */
  orderPerClick: number;
  days: number;
}

/**
 * Funnel statistics. Following the paper's Table 1, an ordered impression counts as a click too
 * (orders are a subset of clicks), so clickRate = (clicks + orders) / impressions.
 */
export function logStats(log: EventLog): LogStats {
  let clicks = 0;
  let orders = 0;
  const seen = new Uint8Array(log.items.n);
  for (let r = 0; r < log.feedback.length; r++) {
    const f = log.feedback[r];
    if (f === Feedback.Click) clicks++;
    else if (f === Feedback.Order) orders++;
    seen[log.item[r]] = 1;
  }
  let itemsSeen = 0;
  for (let i = 0; i < seen.length; i++) itemsSeen += seen[i];
  const days = new Set(Array.from(log.sessionDay)).size;
  const rows = log.feedback.length;
  return {
    rows,
    users: log.nUsers,
    sessions: log.nSessions,
    items: log.items.n,
    itemsSeen,
    clicks: clicks + orders,
    orders,
    clickRate: rows ? (clicks + orders) / rows : 0,
    orderPerClick: clicks + orders ? orders / (clicks + orders) : 0,
    days,
  };
}

/**
 * Check the invariants every producer must meet; throws an Error naming the first broken one.
 * Cheap (one pass), so producers call it before returning a log.
 */
export function validateLog(log: EventLog): void {
  const rows = log.user.length;
  const bad = (m: string): never => {
    throw new Error(`invalid EventLog (${log.source}): ${m}`);
  };
  for (const [name, col] of [
    ['session', log.session],
    ['item', log.item],
    ['feedback', log.feedback],
    ['ts', log.ts],
  ] as const) {
    if (col.length !== rows) bad(`column ${name} has ${col.length} rows, user has ${rows}`);
  }
  const it = log.items;
  if (it.rawId.length !== it.n || it.category.length !== it.n || it.price.length !== it.n) bad('item table columns differ in length');
  for (const [k, v] of Object.entries(it.extra)) if (v.length !== it.n) bad(`item column ${k} has ${v.length} rows, expected ${it.n}`);
  if (log.userRawId.length !== log.nUsers) bad('userRawId length differs from nUsers');
  if (log.sessionStart.length !== log.nSessions + 1) bad('sessionStart must have nSessions + 1 entries');
  if (log.sessionUser.length !== log.nSessions || log.sessionDay.length !== log.nSessions) bad('session columns differ in length');
  if (log.sessionStart[0] !== 0 || log.sessionStart[log.nSessions] !== rows) bad('sessionStart must run from 0 to rows');
  for (let s = 0; s < log.nSessions; s++) {
    const a = log.sessionStart[s];
    const b = log.sessionStart[s + 1];
    if (b <= a) bad(`session ${s} is empty`);
    if (s > 0 && log.sessionUser[s] < log.sessionUser[s - 1]) bad(`sessions not sorted by user at session ${s}`);
    for (let r = a; r < b; r++) {
      if (log.session[r] !== s) bad(`row ${r} has session ${log.session[r]}, expected ${s}`);
      if (log.user[r] !== log.sessionUser[s]) bad(`row ${r} user differs from its session's user`);
      if (r > a && log.ts[r] < log.ts[r - 1]) bad(`row ${r} is earlier than the row before it in session ${s}`);
    }
  }
  for (let r = 0; r < rows; r++) {
    if (log.item[r] < 0 || log.item[r] >= it.n) bad(`row ${r} item ${log.item[r]} outside [0, ${it.n})`);
    if (log.feedback[r] > 2) bad(`row ${r} feedback ${log.feedback[r]} is not skip/click/order`);
    if (log.user[r] < 0 || log.user[r] >= log.nUsers) bad(`row ${r} user outside [0, ${log.nUsers})`);
  }
}

/** Row builder used by producers: append rows in any order, then `build()` sorts and indexes them. */
export class LogBuilder {
  private u: number[] = [];
  private k: number[] = []; // session key within the producer (any number, unique per session)
  private i: number[] = [];
  private f: number[] = [];
  private t: number[] = [];

  push(user: number, sessionKey: number, item: number, feedback: Feedback, ts: number): void {
    this.u.push(user);
    this.k.push(sessionKey);
    this.i.push(item);
    this.f.push(feedback);
    this.t.push(ts);
  }

  get rows(): number {
    return this.u.length;
  }

  /**
   * Sort rows by (user, first ts of session, session key, ts, insertion order) and index sessions.
   * Session days are counted from `dayZero` (unix seconds of the log's first midnight, UTC).
   */
  build(source: string, items: ItemTable, nUsers: number, userRawId: Float64Array, dayZero: number): EventLog {
    const n = this.u.length;
    const sessStart = new Map<number, number>();
    for (let r = 0; r < n; r++) {
      const key = this.k[r];
      const cur = sessStart.get(key);
      if (cur === undefined || this.t[r] < cur) sessStart.set(key, this.t[r]);
    }
    const order = Array.from({ length: n }, (_, r) => r);
    order.sort((a, b) => {
      const du = this.u[a] - this.u[b];
      if (du) return du;
      const ds = (sessStart.get(this.k[a]) as number) - (sessStart.get(this.k[b]) as number);
      if (ds) return ds;
      const dk = this.k[a] - this.k[b];
      if (dk) return dk;
      const dt = this.t[a] - this.t[b];
      return dt || a - b;
    });
    const user = new Int32Array(n);
    const session = new Int32Array(n);
    const item = new Int32Array(n);
    const feedback = new Uint8Array(n);
    const ts = new Float64Array(n);
    const starts: number[] = [];
    const sUser: number[] = [];
    const sDay: number[] = [];
    let prevKey = NaN;
    for (let j = 0; j < n; j++) {
      const r = order[j];
      if (this.k[r] !== prevKey) {
        starts.push(j);
        sUser.push(this.u[r]);
        sDay.push(Math.floor((this.t[r] - dayZero) / 86400));
        prevKey = this.k[r];
      }
      user[j] = this.u[r];
      session[j] = starts.length - 1;
      item[j] = this.i[r];
      feedback[j] = this.f[r];
      ts[j] = this.t[r];
    }
    starts.push(n);
    const log: EventLog = {
      source,
      items,
      nUsers,
      userRawId,
      user,
      session,
      item,
      feedback,
      ts,
      nSessions: sUser.length,
      sessionStart: Int32Array.from(starts),
      sessionUser: Int32Array.from(sUser),
      sessionDay: Int32Array.from(sDay),
    };
    return log;
  }
}

/** Select sessions (by index, ascending) into a new log sharing the item table. */
export function selectSessions(log: EventLog, keep: ArrayLike<number>): EventLog {
  let rows = 0;
  for (let j = 0; j < keep.length; j++) rows += log.sessionStart[keep[j] + 1] - log.sessionStart[keep[j]];
  const user = new Int32Array(rows);
  const session = new Int32Array(rows);
  const item = new Int32Array(rows);
  const feedback = new Uint8Array(rows);
  const ts = new Float64Array(rows);
  const sessionStart = new Int32Array(keep.length + 1);
  const sessionUser = new Int32Array(keep.length);
  const sessionDay = new Int32Array(keep.length);
  let w = 0;
  for (let j = 0; j < keep.length; j++) {
    const s = keep[j];
    if (j > 0 && s <= keep[j - 1]) throw new Error('selectSessions: indices must be ascending');
    sessionStart[j] = w;
    sessionUser[j] = log.sessionUser[s];
    sessionDay[j] = log.sessionDay[s];
    for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++, w++) {
      user[w] = log.user[r];
      session[w] = j;
      item[w] = log.item[r];
      feedback[w] = log.feedback[r];
      ts[w] = log.ts[r];
    }
  }
  sessionStart[keep.length] = rows;
  return { ...log, user, session, item, feedback, ts, nSessions: keep.length, sessionStart, sessionUser, sessionDay };
}
