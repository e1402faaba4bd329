/**
 * Apply a long-tail filter and the day split: two EventLogs (train, test) over a dense filtered item
 * space and a dense filtered user space shared by both splits (rawId columns keep the source ids).
 * Sessions left empty by the filter are dropped; each split numbers its sessions from 0.
 */
import { EventLog, ItemTable } from '../schema';
import { FilterResult } from './longTailFilter';
import { SPLIT_TEST, SPLIT_TRAIN } from './splitDays';

export interface FilteredSplits {
  items: ItemTable;
  nUsers: number;
  userRawId: Float64Array;
  train: EventLog;
  test: EventLog;
  /** Input item index -> filtered index, -1 = dropped. */
  itemMap: Int32Array;
  /** Input user index -> filtered index, -1 = dropped. */
  userMap: Int32Array;
}

function denseMap(keep: Uint8Array): { map: Int32Array; n: number } {
  const map = new Int32Array(keep.length).fill(-1);
  let n = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) map[i] = n++;
  return { map, n };
}

export function filterItems(items: ItemTable, keep: Uint8Array, map: Int32Array, n: number): ItemTable {
  const rawId = new Float64Array(n);
  const category = new Int32Array(n);
  const price = new Float32Array(n);
  const extra: Record<string, Float32Array> = {};
  for (const k of Object.keys(items.extra)) extra[k] = new Float32Array(n);
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    const j = map[i];
    rawId[j] = items.rawId[i];
    category[j] = items.category[i];
    price[j] = items.price[i];
    for (const k of Object.keys(extra)) extra[k][j] = items.extra[k][i];
  }
  return { n, rawId, category, nCategories: items.nCategories, price, extra };
}

export function applyFilter(log: EventLog, f: FilterResult, sessionSplit: Int8Array): FilteredSplits {
  const { map: itemMap, n: nItems } = denseMap(f.keepItem);
  const { map: userMap, n: nUsers } = denseMap(f.keepUser);
  const items = filterItems(log.items, f.keepItem, itemMap, nItems);
  const userRawId = new Float64Array(nUsers);
  for (let u = 0; u < log.nUsers; u++) if (userMap[u] >= 0) userRawId[userMap[u]] = log.userRawId[u];

  const build = (which: number): EventLog => {
    let rows = 0;
    let sessions = 0;
    for (let s = 0; s < log.nSessions; s++) {
      if (sessionSplit[s] !== which) continue;
      let n = 0;
      for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++) n += f.keepRow[r];
      rows += n;
      if (n > 0) sessions++;
    }
    const user = new Int32Array(rows);
    const session = new Int32Array(rows);
    const item = new Int32Array(rows);
    const feedback = new Uint8Array(rows);
    const ts = new Float64Array(rows);
    const sessionStart = new Int32Array(sessions + 1);
    const sessionUser = new Int32Array(sessions);
    const sessionDay = new Int32Array(sessions);
    let w = 0;
    let ns = 0;
    for (let s = 0; s < log.nSessions; s++) {
      if (sessionSplit[s] !== which) continue;
      const w0 = w;
      for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++) {
        if (!f.keepRow[r]) continue;
        user[w] = userMap[log.user[r]];
        session[w] = ns;
        item[w] = itemMap[log.item[r]];
        feedback[w] = log.feedback[r];
        ts[w] = log.ts[r];
        w++;
      }
      if (w > w0) {
        sessionStart[ns] = w0;
        sessionUser[ns] = userMap[log.sessionUser[s]];
        sessionDay[ns] = log.sessionDay[s];
        ns++;
      }
    }
    sessionStart[sessions] = rows;
    return {
      source: log.source,
      items,
      nUsers,
      userRawId,
      user,
      session,
      item,
      feedback,
      ts,
      nSessions: sessions,
      sessionStart,
      sessionUser,
      sessionDay,
    };
  };
  return { items, nUsers, userRawId, train: build(SPLIT_TRAIN), test: build(SPLIT_TEST), itemMap, userMap };
}
