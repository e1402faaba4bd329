/**
 * Shared back end of the adapters: collects mapped events in growable typed columns (no per-row
 * objects), gives users/items/categories dense indices in order of first appearance, then builds
 * the EventLog: sort by (user, time) -> sessionize -> merge repeats -> sampled negatives.
 */
import { EventLog, Feedback, ItemTable, validateLog } from '../schema';
import { orderByUserTime, sessionize } from '../sessionize';
import { addNegatives } from '../negatives';
import { Rng } from '../../util/rng';
import { IdIndex } from './idIndex';
import { AdapterOptions } from './options';

/** What an adapter read, dropped and produced. */
export interface AdapterStats {
  adapter: string;
  files: string[];
  /** Data rows parsed (header and blank lines excluded), all valid. */
  dataRows: number;
  blankLines: number;
  /** Parsed rows per source event type (before any dropping), e.g. { pv: 75872, buy: 1750, ... }. */
  rawEventCounts: Record<string, number>;
  dropped: {
    /** Rows outside `timeWindow`. */
    outsideTimeWindow: number;
    /** Rows whose event type maps to nothing (JD remove-from-cart). */
    ignoredEvents: number;
    /** YOOCHOOSE buys of sessions not among the clicks read (only with maxRows). */
    orphanBuys: number;
  };
  /** The window applied, [start, end) unix seconds, or null. */
  timeWindow: [number, number] | null;
  /** Distinct user / item ids over all parsed rows, dropped ones included (the source's own counts). */
  rawUsers: number;
  rawItems: number;
  /** Mapped events kept (before merging). */
  keptEvents: number;
  /** Events folded into an earlier impression of the same (session, item) (mergeRepeats). */
  mergedEvents: number;
  /** Kept rows whose category differs from their item's first one (the first one wins). */
  categoryConflictRows: number;
  /** Positive impressions (clicks + orders) after merging. */
  positives: number;
  /** Impressions with feedback Click (orders NOT included; logStats counts orders as clicks). */
  clicks: number;
  /** Impressions with feedback Order. */
  orders: number;
  /** Sampled skipped impressions, and how many could not be placed. */
  negatives: number;
  negativeShortfall: number;
  rows: number;
  users: number;
  items: number;
  categories: number;
  sessions: number;
  days: number;
  /** First and last kept timestamp (unix s). */
  firstTs: number;
  lastTs: number;
  seconds: number;
  /** dataRows / seconds (whole adapter: parse + sessionize + negatives). */
  rowsPerSecond: number;
}

/** An adapter's result: the log plus how it was made. */
export type AdapterLog = EventLog & {
  adapterStats: AdapterStats;
  /** The source's category value per dense category index (YOOCHOOSE: '0', 'S', '3', ...). */
  categoryRaw: string[];
};

export class EventAccumulator {
  n = 0;
  private cap = 1 << 16;
  user = new Int32Array(this.cap);
  item = new Int32Array(this.cap);
  feedback = new Uint8Array(this.cap);
  ts = new Float64Array(this.cap);

  private readonly userIndex = new IdIndex();
  readonly userRaw: number[] = [];
  private lastUserRaw = NaN;
  private lastUser = -1;
  private readonly itemIndex = new IdIndex();
  readonly itemRaw: number[] = [];
  readonly itemCat: number[] = []; // -1 = not known yet
  readonly itemPrice: number[] = [];
  private readonly catIndex = new Map<number | string, number>();
  readonly catRaw: string[] = [];
  categoryConflictRows = 0;
  /** Extra per-item columns (e.g. JD brand), first value seen wins. */
  readonly itemExtra: Record<string, number[]> = {};

  readonly dropped = { outsideTimeWindow: 0, ignoredEvents: 0, orphanBuys: 0 };
  /** Ids seen only in dropped rows so far (rare; so rawUsers/rawItems cost nothing per kept row). */
  private readonly droppedUsers = new Set<number>();
  private readonly droppedItems = new Set<number>();
  dataRows = 0;
  blankLines = 0;

  constructor(readonly rawEventCounts: Record<string, number>) {}

  /** Record the ids of a dropped row (for rawUsers / rawItems). */
  noteDropped(userRaw: number, itemRaw: number): void {
    this.droppedUsers.add(userRaw);
    this.droppedItems.add(itemRaw);
  }

  /** Distinct user and item ids over kept and dropped rows. */
  rawCounts(): { users: number; items: number } {
    let users = this.userRaw.length;
    for (const u of this.droppedUsers) if (!this.userIndex.has(u)) users++;
    let items = this.itemRaw.length;
    for (const i of this.droppedItems) if (!this.itemIndex.has(i)) items++;
    return { users, items };
  }

  hasUser(raw: number): boolean {
    return this.userIndex.has(raw);
  }

  userOf(raw: number): number {
    if (raw === this.lastUserRaw) return this.lastUser; // logs sorted by user hit this
    const u = this.userIndex.intern(raw);
    if (u === this.userRaw.length) this.userRaw.push(raw);
    this.lastUserRaw = raw;
    this.lastUser = u;
    return u;
  }

  itemOf(raw: number): number {
    const i = this.itemIndex.intern(raw);
    if (i === this.itemRaw.length) {
      this.itemRaw.push(raw);
      this.itemCat.push(-1);
      this.itemPrice.push(NaN);
      for (const col of Object.values(this.itemExtra)) col.push(NaN);
    }
    return i;
  }

  /** Dense index of a category value (numbers and strings are distinct keys). */
  categoryOf(key: number | string): number {
    let c = this.catIndex.get(key);
    if (c === undefined) {
      c = this.catRaw.length;
      this.catIndex.set(key, c);
      this.catRaw.push(String(key));
    }
    return c;
  }

  /** The item keeps its first known category; later different ones are counted. */
  setItemCategory(item: number, cat: number): void {
    const cur = this.itemCat[item];
    if (cur < 0) this.itemCat[item] = cat;
    else if (cur !== cat) this.categoryConflictRows++;
  }

  /** The item keeps its first known (non-NaN) price. */
  setItemPrice(item: number, price: number): void {
    if (Number.isNaN(this.itemPrice[item])) this.itemPrice[item] = price;
  }

  setItemExtra(name: string, item: number, v: number): void {
    let col = this.itemExtra[name];
    if (!col) {
      col = this.itemExtra[name] = new Array<number>(this.itemRaw.length).fill(NaN);
    }
    if (Number.isNaN(col[item])) col[item] = v;
  }

  push(user: number, item: number, feedback: Feedback, ts: number): void {
    if (this.n === this.cap) this.grow();
    const r = this.n++;
    this.user[r] = user;
    this.item[r] = item;
    this.feedback[r] = feedback;
    this.ts[r] = ts;
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.cap);
      b.set(a);
      return b;
    };
    this.user = g(this.user, (n) => new Int32Array(n));
    this.item = g(this.item, (n) => new Int32Array(n));
    this.feedback = g(this.feedback, (n) => new Uint8Array(n));
    this.ts = g(this.ts, (n) => new Float64Array(n));
  }
}

export interface BuildInfo {
  source: string;
  files: string[];
  /** Session gap in seconds; Infinity = one session per user (source-defined sessions). */
  gapSeconds: number;
  /** Category value given to items whose category is unknown (a dictionary key, see categoryOf). */
  unknownCategory: number | string;
  timeWindow: [number, number] | null;
  t0: number;
}

/**
 * Turn collected events into a validated EventLog: rows sorted by (user, session, ts), one impression
 * per (session, item) when `mergeRepeats` (first event's time, strongest feedback), `k` sampled
 * negatives before every positive. The caller guarantees acc.n > 0.
 */
export function buildAdapterLog(acc: EventAccumulator, opts: AdapterOptions, info: BuildInfo): AdapterLog {
  const n = acc.n;
  const nUsers = acc.userRaw.length;
  const nItems = acc.itemRaw.length;
  const order = orderByUserTime(acc.user.subarray(0, n), acc.ts.subarray(0, n), nUsers);
  const user = new Int32Array(n);
  const ts = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    user[j] = acc.user[order[j]];
    ts[j] = acc.ts[order[j]];
  }
  const { session } = sessionize(user, ts, info.gapSeconds);

  // Merge repeats: lastSess[item] === s + 1 when the item already has impression imp[item] in s.
  const pUser = new Int32Array(n);
  const pSess = new Int32Array(n);
  const pItem = new Int32Array(n);
  const pFb = new Uint8Array(n);
  const pTs = new Float64Array(n);
  const lastSess = new Int32Array(nItems);
  const imp = new Int32Array(nItems);
  let m = 0;
  let merged = 0;
  for (let j = 0; j < n; j++) {
    const r = order[j];
    const it = acc.item[r];
    const f = acc.feedback[r];
    const s = session[j];
    if (opts.mergeRepeats && lastSess[it] === s + 1) {
      const p = imp[it];
      if (f > pFb[p]) pFb[p] = f; // Order > Click
      merged++;
      continue;
    }
    lastSess[it] = s + 1;
    imp[it] = m;
    pUser[m] = user[j];
    pSess[m] = s;
    pItem[m] = it;
    pFb[m] = f;
    pTs[m] = ts[j];
    m++;
  }
  let clicks = 0;
  let orders = 0;
  for (let p = 0; p < m; p++) {
    if (pFb[p] === Feedback.Click) clicks++;
    else if (pFb[p] === Feedback.Order) orders++;
  }

  const neg = addNegatives(
    { user: pUser.subarray(0, m), session: pSess.subarray(0, m), item: pItem.subarray(0, m), feedback: pFb.subarray(0, m), ts: pTs.subarray(0, m) },
    nItems,
    { k: opts.negativesPerPositive, power: opts.negativePower, rng: new Rng(opts.seed).fork(`negatives:${info.source}`) },
  );

  // Session index columns.
  const rows = neg.item.length;
  const nSessions = rows ? neg.session[rows - 1] + 1 : 0;
  const sessionStart = new Int32Array(nSessions + 1);
  const sessionUser = new Int32Array(nSessions);
  const sessionDay = new Int32Array(nSessions);
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (let j = 0; j < n; j++) {
    if (ts[j] < minTs) minTs = ts[j];
    if (ts[j] > maxTs) maxTs = ts[j];
  }
  const dayZero = Math.floor(minTs / 86400) * 86400; // first UTC midnight
  for (let r = 0; r < rows; r++) {
    const s = neg.session[r];
    if (r === 0 || s !== neg.session[r - 1]) {
      sessionStart[s] = r;
      sessionUser[s] = neg.user[r];
      sessionDay[s] = Math.floor((neg.ts[r] - dayZero) / 86400);
    }
  }
  sessionStart[nSessions] = rows;

  // Items whose category never showed up get the source's "unknown" category.
  let unknown = -1;
  for (let i = 0; i < nItems; i++) {
    if (acc.itemCat[i] < 0) {
      if (unknown < 0) unknown = acc.categoryOf(info.unknownCategory);
      acc.itemCat[i] = unknown;
    }
  }
  const extra: Record<string, Float32Array> = {};
  for (const [k, col] of Object.entries(acc.itemExtra)) extra[k] = Float32Array.from(col);
  const items: ItemTable = {
    n: nItems,
    rawId: Float64Array.from(acc.itemRaw),
    category: Int32Array.from(acc.itemCat),
    nCategories: acc.catRaw.length,
    price: Float32Array.from(acc.itemPrice),
    extra,
  };
  const log: EventLog = {
    source: info.source,
    items,
    nUsers,
    userRawId: Float64Array.from(acc.userRaw),
    user: neg.user,
    session: neg.session,
    item: neg.item,
    feedback: neg.feedback,
    ts: neg.ts,
    nSessions,
    sessionStart,
    sessionUser,
    sessionDay,
  };
  validateLog(log);
  const seconds = (Date.now() - info.t0) / 1000;
  const days = new Set(Array.from(sessionDay)).size;
  const raw = acc.rawCounts();
  const adapterStats: AdapterStats = {
    adapter: info.source,
    files: info.files,
    dataRows: acc.dataRows,
    blankLines: acc.blankLines,
    rawEventCounts: acc.rawEventCounts,
    dropped: { ...acc.dropped },
    timeWindow: info.timeWindow,
    rawUsers: raw.users,
    rawItems: raw.items,
    keptEvents: n,
    mergedEvents: merged,
    categoryConflictRows: acc.categoryConflictRows,
    positives: m,
    clicks,
    orders,
    negatives: neg.negatives,
    negativeShortfall: neg.shortfall,
    rows,
    users: nUsers,
    items: nItems,
    categories: acc.catRaw.length,
    sessions: nSessions,
    days,
    firstTs: minTs,
    lastTs: maxTs,
    seconds,
    rowsPerSecond: seconds > 0 ? acc.dataRows / seconds : Infinity,
  };
  return Object.assign(log, { adapterStats, categoryRaw: acc.catRaw.slice() });
}
