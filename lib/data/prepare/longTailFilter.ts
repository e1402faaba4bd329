/**
 * The long-tail filter (paper App. D: "Long tail data is filtered"). One pass, not iterated to a
 * fixed point, so its effect is exactly predictable:
 *   1. items: keep those with >= minItemImpressions impressions and >= minItemClicks clicks
 *      (orders count as clicks) in the training split;
 *   2. users: counted on the training rows that survive step 1, keep those with
 *      >= minUserImpressions impressions and >= minUserSessions sessions; users with no training
 *      rows at all in the input ("cold" test-day users) are kept unless dropColdUsers.
 * Rows of dropped items or users, and rows on days outside both splits, are removed.
 */
import { EventLog, Feedback } from '../schema';
import { PrepareConfig } from './config';
import { SPLIT_TRAIN } from './splitDays';

export interface FilterReport {
  rowsIn: number;
  rowsKept: number;
  itemsIn: number;
  itemsKept: number;
  usersIn: number;
  usersKept: number;
  /** Users kept although they have no training rows (cold-start test users). */
  coldUsersKept: number;
  sessionsIn: number;
  sessionsKept: number;
}

export interface FilterResult {
  keepItem: Uint8Array; // [log.items.n]
  keepUser: Uint8Array; // [log.nUsers]
  /** Per row: 1 = kept. */
  keepRow: Uint8Array; // [rows]
  report: Omit<FilterReport, 'sessionsKept'>;
}

type FilterConfig = Pick<PrepareConfig, 'minItemImpressions' | 'minItemClicks' | 'minUserImpressions' | 'minUserSessions' | 'dropColdUsers'>;

/** The long-tail item rule: keep items with enough training impressions and clicks (orders count as clicks). */
export function itemsAboveThresholds(
  imp: ArrayLike<number>,
  clk: ArrayLike<number>,
  cfg: { minItemImpressions: number; minItemClicks: number },
): { keepItem: Uint8Array; itemsKept: number } {
  const keepItem = new Uint8Array(imp.length);
  let itemsKept = 0;
  for (let i = 0; i < imp.length; i++) {
    if (imp[i] >= cfg.minItemImpressions && clk[i] >= cfg.minItemClicks) {
      keepItem[i] = 1;
      itemsKept++;
    }
  }
  return { keepItem, itemsKept };
}

export function longTailFilter(log: EventLog, cfg: FilterConfig, sessionSplit: Int8Array): FilterResult {
  const nItems = log.items.n;
  const rows = log.item.length;
  // 1. items, on training rows
  const imp = new Int32Array(nItems);
  const clk = new Int32Array(nItems);
  const rawTrainRows = new Int32Array(log.nUsers);
  for (let s = 0; s < log.nSessions; s++) {
    if (sessionSplit[s] !== SPLIT_TRAIN) continue;
    for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++) {
      const i = log.item[r];
      imp[i]++;
      if (log.feedback[r] !== Feedback.Skip) clk[i]++;
      rawTrainRows[log.user[r]]++;
    }
  }
  const { keepItem, itemsKept } = itemsAboveThresholds(imp, clk, cfg);
  // 2. users, on surviving training rows
  const uImp = new Int32Array(log.nUsers);
  const uSess = new Int32Array(log.nUsers);
  for (let s = 0; s < log.nSessions; s++) {
    if (sessionSplit[s] !== SPLIT_TRAIN) continue;
    let n = 0;
    for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++) n += keepItem[log.item[r]];
    const u = log.sessionUser[s];
    uImp[u] += n;
    if (n > 0) uSess[u]++;
  }
  const keepUser = new Uint8Array(log.nUsers);
  let coldUsersKept = 0;
  for (let u = 0; u < log.nUsers; u++) {
    if (rawTrainRows[u] === 0) {
      if (!cfg.dropColdUsers) {
        keepUser[u] = 1;
        coldUsersKept++;
      }
    } else if (uImp[u] >= cfg.minUserImpressions && uSess[u] >= cfg.minUserSessions) keepUser[u] = 1;
  }
  // 3. rows
  const keepRow = new Uint8Array(rows);
  let rowsKept = 0;
  for (let s = 0; s < log.nSessions; s++) {
    if (sessionSplit[s] < 0 || !keepUser[log.sessionUser[s]]) continue;
    for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++) {
      if (keepItem[log.item[r]]) {
        keepRow[r] = 1;
        rowsKept++;
      }
    }
  }
  // users actually present after filtering (a kept cold user may have no test rows left either)
  const present = new Uint8Array(log.nUsers);
  for (let r = 0; r < rows; r++) if (keepRow[r]) present[log.user[r]] = 1;
  let usersKept = 0;
  coldUsersKept = 0;
  for (let u = 0; u < log.nUsers; u++) {
    keepUser[u] = present[u];
    usersKept += present[u];
    if (present[u] && rawTrainRows[u] === 0) coldUsersKept++;
  }
  return {
    keepItem,
    keepUser,
    keepRow,
    report: { rowsIn: rows, rowsKept, itemsIn: nItems, itemsKept, usersIn: log.nUsers, usersKept, coldUsersKept, sessionsIn: log.nSessions },
  };
}
