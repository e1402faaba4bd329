/**
 * The adapters on the shared real-log samples (../shared/data next to the repo root; see its
 * SOURCES.md). The samples are not part of the repo: without them these tests are skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJd, readTaobao } from '../lib/data/adapters';
import { logStats, validateLog } from '../lib/data/schema';

/** The repo root: the nearest folder upward holding package.json. */
function repoRoot(from: string): string | null {
  for (let d = path.resolve(from); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return null;
  }
}

function sharedData(): string {
  const roots = [repoRoot(__dirname), repoRoot(process.cwd())].filter((r): r is string => r !== null);
  const candidates = [process.env.HRLMG_SHARED_DATA, ...roots.map((r) => path.join(r, '..', 'shared', 'data'))].filter((c): c is string => !!c);
  return candidates.find((c) => fs.existsSync(path.join(c, 'SOURCES.md'))) ?? candidates[candidates.length - 1] ?? '../shared/data';
}

const DATA = sharedData();
const TAOBAO = path.join(DATA, 'taobao_UserBehavior_head815users.csv');
const JD = path.join(DATA, 'jd_JData_Action_201603_head30k.csv');
const skip = (f: string): string | false => (fs.existsSync(f) ? false : `shared samples not present at ${path.resolve(f)}`);
const Q = { progress: false };

test('Taobao sample: rows, users, items and event mix as in SOURCES.md', { skip: skip(TAOBAO) }, async () => {
  const log = await readTaobao(TAOBAO, Q);
  validateLog(log);
  const st = log.adapterStats;
  assert.equal(st.dataRows, 84_475);
  assert.equal(st.rawUsers, 815);
  assert.equal(st.rawItems, 55_368);
  assert.deepEqual(st.rawEventCounts, { pv: 75_872, cart: 4_497, fav: 2_356, buy: 1_750 });
  // 35 rows lie outside the official window and are dropped by default.
  assert.equal(st.dropped.outsideTimeWindow, 35);
  assert.equal(st.keptEvents, 84_475 - 35);
  assert.equal(st.keptEvents, st.positives + st.mergedEvents);
  assert.equal(st.negatives, 4 * st.positives);
  assert.equal(st.negativeShortfall, 0);
  const ls = logStats(log);
  assert.equal(ls.clickRate, 0.2);
  assert.equal(ls.orders, st.orders);
  // Every buy becomes an ordered impression unless it merges into another order of its session.
  assert.ok(st.orders <= 1_750 && st.orders > 1_600, `orders ${st.orders}`);
  assert.ok(st.sessions > 815, 'the 30-minute gap splits users into many sessions');
  assert.ok(st.days >= 9 && st.days <= 10, `days ${st.days}`);
  // The official window (UTC+8 days) covers 9 calendar days.
  assert.ok(st.firstTs >= 1511539200 && st.lastTs < 1512316800);
});

test('Taobao sample: keeping everything and capping rows', { skip: skip(TAOBAO) }, async () => {
  const all = await readTaobao(TAOBAO, { ...Q, timeWindow: [0, 4102444800], negativesPerPositive: 0 });
  assert.equal(all.adapterStats.keptEvents, 84_475);
  assert.equal(all.adapterStats.users, 815);
  const capped = await readTaobao(TAOBAO, { ...Q, maxRows: 1000 });
  assert.equal(capped.adapterStats.dataRows, 1000);
  validateLog(capped);
});

test('JD sample: rows, users, skus and event mix as in SOURCES.md', { skip: skip(JD) }, async () => {
  const log = await readJd(JD, Q);
  validateLog(log);
  const st = log.adapterStats;
  assert.equal(st.dataRows, 29_999);
  assert.equal(st.rawUsers, 929);
  assert.equal(st.rawItems, 1_537);
  assert.deepEqual(st.rawEventCounts, { browse: 11_403, cart: 681, uncart: 210, order: 126, follow: 64, click: 17_515 });
  assert.equal(st.dropped.ignoredEvents, 210);
  assert.equal(st.keptEvents, 29_999 - 210);
  assert.equal(st.negatives, 4 * st.positives);
  assert.ok(st.orders >= 100 && st.orders <= 126, `orders ${st.orders}`);
  // About 32 minutes of log: sessions are users (no 30-minute gap inside).
  assert.equal(st.sessions, st.users);
  assert.ok(st.lastTs - st.firstTs < 3600);
});
