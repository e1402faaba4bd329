/**
 * The day split and the long-tail filter (lib/data/prepare/splitDays.ts, longTailFilter.ts) as
 * counting passes over a LogSource, keeping only per-session, per-user and per-item arrays (never
 * a per-row one). Same rules, same order, same report: see longTailFilter.ts for the rules.
 *
 *   pass 1: session days (-> splitDays) and a check of every chunk;
 *   pass 2: training impressions / clicks per item, raw training rows per user  -> keepItem;
 *   pass 3: surviving training impressions / sessions per user                  -> keepUser;
 *   pass 4: rows kept, users actually present, rows and sessions per split.
 * A row is kept iff its session's day is in a split, its item is kept and its user is present.
 */
import { InputError } from '../../util/errors';
import { Progress } from '../../util/progress';
import { PrepareConfig } from '../prepare/config';
import { FilterReport, itemsAboveThresholds } from '../prepare/longTailFilter';
import { SPLIT_TEST, SPLIT_TRAIN, SplitDays, splitDays } from '../prepare/splitDays';
import { EventLog, Feedback } from '../schema';
import { LogChunk, LogSource } from './logSource';

export interface StreamFilterResult {
  days: SplitDays;
  keepItem: Uint8Array; // [items.n]
  /** Users with at least one kept row. */
  keepUser: Uint8Array; // [nUsers]
  /** Input index -> filtered dense index, -1 = dropped. */
  itemMap: Int32Array; // [items.n]
  userMap: Int32Array; // [nUsers]
  nItems: number;
  nUsers: number;
  /** Kept rows and non-empty sessions per split. */
  train: { rows: number; sessions: number };
  test: { rows: number; sessions: number };
  report: FilterReport;
}

type FilterConfig = Pick<PrepareConfig, 'trainDays' | 'testDays' | 'testMinSessions' | 'testMinOrders' | 'testMaxShare' | 'minItemImpressions' | 'minItemClicks' | 'minUserImpressions' | 'minUserSessions' | 'dropColdUsers'>;

export interface PassOptions {
  chunkRows: number;
  progress?: boolean;
  /** Label prefix of the progress bars, e.g. 'prepare'. */
  label?: string;
  /** Total number of passes (for the bar labels). */
  totalPasses?: number;
}

/** Run `fn` on every chunk of one pass, with a progress bar by rows. */
export async function forEachChunk(src: LogSource, o: PassOptions, pass: number, what: string, fn: (c: LogChunk) => void): Promise<void> {
  const bar = o.progress ? new Progress(`${o.label ?? 'prepare'} ${pass}/${o.totalPasses ?? 5} ${what}`, src.rows, { unit: 'rows' }) : null;
  let rows = 0;
  for await (const c of src.chunks(o.chunkRows)) {
    fn(c);
    rows += c.item.length;
    bar?.update(rows);
  }
  bar?.finish();
}

/** Throws InputError when a chunk breaks the EventLog invariants preparation relies on. */
function checkChunk(src: LogSource, c: LogChunk, state: { session: number; row: number; lastUser: number }): void {
  const bad = (m: string): never => {
    throw new InputError(`log (${src.source})`, 0, `invalid EventLog (${src.source}): ${m}`);
  };
  if (c.session0 !== state.session) bad(`chunk starts at session ${c.session0}, expected ${state.session}`);
  const rows = c.item.length;
  if (c.feedback.length !== rows || c.ts.length !== rows) bad(`chunk at session ${c.session0}: row columns differ in length`);
  if (c.sessionStart.length !== c.nSessions + 1 || c.sessionUser.length !== c.nSessions || c.sessionDay.length !== c.nSessions) {
    bad(`chunk at session ${c.session0}: session columns differ in length`);
  }
  if (c.sessionStart[0] !== 0 || c.sessionStart[c.nSessions] !== rows) bad(`chunk at session ${c.session0}: sessionStart must run from 0 to its rows`);
  const nItems = src.items.n;
  for (let k = 0; k < c.nSessions; k++) {
    const s = c.session0 + k;
    const u = c.sessionUser[k];
    if (!(u >= 0 && u < src.nUsers)) bad(`session ${s} user ${u} outside [0, ${src.nUsers})`);
    if (u < state.lastUser) bad(`sessions not sorted by user at session ${s}`);
    state.lastUser = u;
    const a = c.sessionStart[k];
    const b = c.sessionStart[k + 1];
    if (b <= a) bad(`session ${s} is empty`);
    for (let r = a; r < b; r++) {
      const i = c.item[r];
      if (!(i >= 0 && i < nItems)) bad(`row ${state.row + r} item ${i} outside [0, ${nItems})`);
      if (c.feedback[r] > 2) bad(`row ${state.row + r} feedback ${c.feedback[r]} is not skip/click/order`);
      if (r > a && c.ts[r] < c.ts[r - 1]) bad(`row ${state.row + r} is earlier than the row before it in session ${s}`);
    }
  }
  state.session += c.nSessions;
  state.row += rows;
}

function denseMap(keep: Uint8Array): { map: Int32Array; n: number } {
  const map = new Int32Array(keep.length).fill(-1);
  let n = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) map[i] = n++;
  return { map, n };
}

export async function streamFilter(src: LogSource, cfg: FilterConfig, o: PassOptions): Promise<StreamFilterResult> {
  const nItems = src.items.n;
  const nUsers = src.nUsers;
  // pass 1: session days, checks
  const sessionDay = new Int32Array(src.nSessions);
  const sessionOrders = new Int32Array(src.nSessions); // for the default test split
  const st = { session: 0, row: 0, lastUser: 0 };
  await forEachChunk(src, o, 1, 'checking', (c) => {
    checkChunk(src, c, st);
    sessionDay.set(c.sessionDay, c.session0);
    for (let k = 0; k < c.nSessions; k++) {
      let n = 0;
      for (let r = c.sessionStart[k]; r < c.sessionStart[k + 1]; r++) if (c.feedback[r] === Feedback.Order) n++;
      sessionOrders[c.session0 + k] = n;
    }
  });
  if (st.session !== src.nSessions || st.row !== src.rows) {
    throw new InputError(`log (${src.source})`, 0, `invalid EventLog (${src.source}): chunks cover ${st.session} sessions / ${st.row} rows, the log has ${src.nSessions} / ${src.rows}`);
  }
  const days = splitDays({ source: src.source, nSessions: src.nSessions, sessionDay } as EventLog, cfg, sessionOrders);
  const split = days.sessionSplit;

  // pass 2: items, on training rows
  const imp = new Int32Array(nItems);
  const clk = new Int32Array(nItems);
  const rawTrainRows = new Int32Array(nUsers);
  await forEachChunk(src, o, 2, 'counting items', (c) => {
    for (let k = 0; k < c.nSessions; k++) {
      if (split[c.session0 + k] !== SPLIT_TRAIN) continue;
      const a = c.sessionStart[k];
      const b = c.sessionStart[k + 1];
      for (let r = a; r < b; r++) {
        const i = c.item[r];
        imp[i]++;
        if (c.feedback[r] !== Feedback.Skip) clk[i]++;
      }
      rawTrainRows[c.sessionUser[k]] += b - a;
    }
  });
  const { keepItem, itemsKept } = itemsAboveThresholds(imp, clk, cfg);

  // pass 3: users, on surviving training rows
  const uImp = new Int32Array(nUsers);
  const uSess = new Int32Array(nUsers);
  await forEachChunk(src, o, 3, 'counting users', (c) => {
    for (let k = 0; k < c.nSessions; k++) {
      if (split[c.session0 + k] !== SPLIT_TRAIN) continue;
      let n = 0;
      for (let r = c.sessionStart[k]; r < c.sessionStart[k + 1]; r++) n += keepItem[c.item[r]];
      const u = c.sessionUser[k];
      uImp[u] += n;
      if (n > 0) uSess[u]++;
    }
  });
  const keepUser = new Uint8Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    if (rawTrainRows[u] === 0) {
      if (!cfg.dropColdUsers) keepUser[u] = 1;
    } else if (uImp[u] >= cfg.minUserImpressions && uSess[u] >= cfg.minUserSessions) keepUser[u] = 1;
  }

  // pass 4: rows; users actually present after filtering (a kept cold user may have no test rows left either)
  const present = new Uint8Array(nUsers);
  let rowsKept = 0;
  const per = [
    { rows: 0, sessions: 0 },
    { rows: 0, sessions: 0 },
  ];
  await forEachChunk(src, o, 4, 'filtering', (c) => {
    for (let k = 0; k < c.nSessions; k++) {
      const sp = split[c.session0 + k];
      const u = c.sessionUser[k];
      if (sp < 0 || !keepUser[u]) continue;
      let n = 0;
      for (let r = c.sessionStart[k]; r < c.sessionStart[k + 1]; r++) n += keepItem[c.item[r]];
      if (n > 0) {
        present[u] = 1;
        rowsKept += n;
        per[sp].rows += n;
        per[sp].sessions++;
      }
    }
  });
  let usersKept = 0;
  let coldUsersKept = 0;
  for (let u = 0; u < nUsers; u++) {
    usersKept += present[u];
    if (present[u] && rawTrainRows[u] === 0) coldUsersKept++;
  }
  const { map: itemMap } = denseMap(keepItem);
  const { map: userMap } = denseMap(present);
  return {
    days,
    keepItem,
    keepUser: present,
    itemMap,
    userMap,
    nItems: itemsKept,
    nUsers: usersKept,
    train: per[SPLIT_TRAIN],
    test: per[SPLIT_TEST],
    report: {
      rowsIn: src.rows,
      rowsKept,
      itemsIn: nItems,
      itemsKept,
      usersIn: nUsers,
      usersKept,
      coldUsersKept,
      sessionsIn: src.nSessions,
      sessionsKept: per[0].sessions + per[1].sessions,
    },
  };
}
