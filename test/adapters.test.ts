import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADAPTERS, readJd, readRetailRocket, readTaobao, readYoochoose, TAOBAO_WINDOW } from '../lib/data/adapters';
import { Feedback, logStats, validateLog } from '../lib/data/schema';
import { UsageError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-adapters-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let nfile = 0;
function tmp(lines: string[], name = 'data.csv'): string {
  const f = path.join(dir, `${nfile++}-${name}`);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}
const Q = { progress: false };

const BASE = 1511600000; // 2017-11-25T08:53:20Z, inside the Taobao window
const TAOBAO = [
  `1,10,100,pv,${BASE}`,
  `1,11,100,pv,${BASE + 60}`,
  `1,10,100,buy,${BASE + 120}`, // merges into the pv of item 10 -> Order
  `2,11,100,pv,${BASE + 10}`,
  `1,12,101,cart,${BASE + 3000}`, // 2880 s after the buy: new session (gap 30 min)
  `2,13,101,fav,${BASE + 20}`,
  `3,14,102,pv,1500000000`, // outside the official window: dropped
  `1,11,100,pv,${BASE + 3100}`, // item 11 again, but in the second session
];

test('Taobao: mapping, merging, sessions, dense ids, window drop (k = 0)', async () => {
  const log = await readTaobao(tmp(TAOBAO), { ...Q, negativesPerPositive: 0 });
  validateLog(log);
  assert.equal(log.source, 'taobao');
  assert.deepEqual(Array.from(log.userRawId), [1, 2]);
  assert.deepEqual(Array.from(log.items.rawId), [10, 11, 12, 13]);
  assert.deepEqual(Array.from(log.items.category), [0, 0, 1, 1]);
  assert.deepEqual(log.categoryRaw, ['100', '101']);
  assert.ok(log.items.price.every((p) => Number.isNaN(p)));
  assert.deepEqual(Array.from(log.user), [0, 0, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(log.session), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(Array.from(log.item), [0, 1, 2, 1, 1, 3]);
  assert.deepEqual(Array.from(log.feedback), [Feedback.Order, Feedback.Click, Feedback.Click, Feedback.Click, Feedback.Click, Feedback.Click]);
  assert.deepEqual(Array.from(log.ts), [BASE, BASE + 60, BASE + 3000, BASE + 3100, BASE + 10, BASE + 20]);
  assert.deepEqual(Array.from(log.sessionStart), [0, 2, 4, 6]);
  assert.deepEqual(Array.from(log.sessionUser), [0, 0, 1]);
  assert.deepEqual(Array.from(log.sessionDay), [0, 0, 0]);
  const st = log.adapterStats;
  assert.deepEqual(st.rawEventCounts, { pv: 5, cart: 1, fav: 1, buy: 1 });
  assert.equal(st.dataRows, 8);
  assert.deepEqual(st.dropped, { outsideTimeWindow: 1, ignoredEvents: 0, orphanBuys: 0 });
  assert.deepEqual(st.timeWindow, TAOBAO_WINDOW);
  assert.equal(st.rawUsers, 3);
  assert.equal(st.rawItems, 5);
  assert.equal(st.keptEvents, 7);
  assert.equal(st.mergedEvents, 1);
  assert.equal(st.positives, 6);
  assert.equal(st.clicks, 5);
  assert.equal(st.orders, 1);
  assert.equal(st.negatives, 0);
  assert.equal(st.sessions, 3);
  assert.equal(st.rows, 6);
});

test('Taobao: options change merging, the session gap and the window', async () => {
  const f = tmp(TAOBAO);
  const noMerge = await readTaobao(f, { ...Q, negativesPerPositive: 0, mergeRepeats: false });
  assert.equal(noMerge.adapterStats.rows, 7);
  assert.deepEqual(Array.from(noMerge.feedback.subarray(0, 3)), [Feedback.Click, Feedback.Click, Feedback.Order]);
  // A 60-minute gap keeps user 1 in one session, where item 11 now repeats and merges.
  const long = await readTaobao(f, { ...Q, negativesPerPositive: 0, sessionGapMinutes: 60 });
  assert.equal(long.nSessions, 2);
  assert.deepEqual(Array.from(long.item), [0, 1, 2, 1, 3]);
  assert.equal(long.adapterStats.mergedEvents, 2);
  // A window keeping everything: user 3 is back, days count from its 2017-07-14 event.
  const all = await readTaobao(f, { ...Q, negativesPerPositive: 0, timeWindow: [0, 4102444800] });
  assert.equal(all.nUsers, 3);
  assert.equal(all.adapterStats.dropped.outsideTimeWindow, 0);
  const dayZero = Math.floor(1500000000 / 86400) * 86400;
  assert.deepEqual(Array.from(all.sessionDay), [Math.floor((BASE - dayZero) / 86400), Math.floor((BASE + 3000 - dayZero) / 86400), Math.floor((BASE + 10 - dayZero) / 86400), 0]);
  // maxRows reads only the first rows.
  const capped = await readTaobao(f, { ...Q, negativesPerPositive: 0, maxRows: 3 });
  assert.equal(capped.adapterStats.dataRows, 3);
  assert.equal(capped.adapterStats.rows, 2);
});

/** A larger Taobao-like log: 40 users, 8 events each, over 400 items, some sessions split. */
function bigTaobao(seed: number): string[] {
  const rng = new Rng(seed);
  const lines: string[] = [];
  const kinds = ['pv', 'pv', 'pv', 'pv', 'cart', 'fav', 'buy'];
  for (let u = 0; u < 40; u++) {
    let t = BASE + rng.int(3600);
    for (let e = 0; e < 8; e++) {
      t += rng.bernoulli(0.2) ? 7200 : rng.int(600);
      const item = rng.int(400);
      lines.push(`${1000 + u},${item},${item % 17},${kinds[rng.int(kinds.length)]},${t}`);
    }
  }
  return lines;
}

test('negatives: k per positive, click rate 1/(1+k), deterministic per seed', async () => {
  const f = tmp(bigTaobao(7));
  const a = await readTaobao(f, { ...Q, seed: 11 });
  validateLog(a);
  const st = a.adapterStats;
  assert.equal(st.negativeShortfall, 0);
  assert.equal(st.negatives, 4 * st.positives);
  assert.equal(st.rows, 5 * st.positives);
  assert.equal(logStats(a).clickRate, 0.2);
  assert.ok(st.sessions > 40, 'some users have several sessions');
  // Every positive is preceded by its 4 skips at the same time, in the same session.
  let skipsRun = 0;
  for (let r = 0; r < a.feedback.length; r++) {
    if (a.feedback[r] === Feedback.Skip) {
      skipsRun++;
      continue;
    }
    assert.equal(skipsRun, 4, `row ${r}`);
    for (let j = r - 4; j < r; j++) assert.equal(a.ts[j], a.ts[r]);
    skipsRun = 0;
  }
  const b = await readTaobao(f, { ...Q, seed: 11 });
  assert.deepEqual(b.item, a.item);
  assert.deepEqual(b.feedback, a.feedback);
  assert.deepEqual(b.ts, a.ts);
  const c = await readTaobao(f, { ...Q, seed: 12 });
  assert.notDeepEqual(c.item, a.item);
  assert.deepEqual(c.feedback, a.feedback); // only the sampled items depend on the seed
  const k2 = await readTaobao(f, { ...Q, negativesPerPositive: 2 });
  assert.equal(k2.adapterStats.negatives, 2 * st.positives);
  assert.ok(Math.abs(logStats(k2).clickRate - 1 / 3) < 1e-12);
});

test('JD: header, float user ids, UTC times, type mapping, remove-from-cart dropped', async () => {
  const f = tmp([
    'user_id,sku_id,time,model_id,type,cate,brand',
    '280567.0,167208,2016-02-29 23:59:01,0,6,4,519',
    '280567.0,167208,2016-02-29 23:59:01,,1,4,519',
    '280567.0,99,2016-02-29 23:59:30,,2,5,7',
    '280567.0,99,2016-02-29 23:59:40,,3,5,7',
    '270248.0,35533,2016-03-01 00:10:02,111,5,4,306',
    '270248.0,35533,2016-03-01 00:10:05,,4,4,306',
    '300000.0,555,2016-03-01 00:20:00,,3,8,1',
  ]);
  const log = await readJd(f, { ...Q, negativesPerPositive: 0 });
  validateLog(log);
  const st = log.adapterStats;
  assert.deepEqual(st.rawEventCounts, { browse: 1, cart: 1, uncart: 2, order: 1, follow: 1, click: 1 });
  assert.equal(st.dropped.ignoredEvents, 2);
  assert.equal(st.rawUsers, 3);
  assert.equal(st.rawItems, 4);
  assert.deepEqual(Array.from(log.userRawId), [280567, 270248]);
  assert.deepEqual(Array.from(log.items.rawId), [167208, 99, 35533]);
  assert.deepEqual(Array.from(log.items.category), [0, 1, 0]);
  assert.deepEqual(log.categoryRaw, ['4', '5']);
  assert.deepEqual(Array.from(log.items.extra.brand), [519, 7, 306]);
  assert.deepEqual(Array.from(log.item), [0, 1, 2]);
  assert.deepEqual(Array.from(log.feedback), [Feedback.Click, Feedback.Click, Feedback.Order]);
  const t0 = Date.UTC(2016, 1, 29, 23, 59, 1) / 1000;
  assert.deepEqual(Array.from(log.ts), [t0, t0 + 29, Date.UTC(2016, 2, 1, 0, 10, 2) / 1000]);
  assert.deepEqual(Array.from(log.sessionDay), [0, 1]);
  assert.equal(st.mergedEvents, 2);
  assert.equal(st.orders, 1);
  assert.equal(st.clicks, 2);
});

test('RetailRocket: millisecond times, event mapping, sessions at the gap', async () => {
  const f = tmp([
    'timestamp,visitorid,event,itemid,transactionid',
    '1433221332117,257597,view,355908,',
    '1433224214164,992329,view,248676,',
    '1433221999827,257597,addtocart,355908,',
    '1433222000000,257597,transaction,355908,4000',
    '1433228532117,257597,view,7,', // 2 h after the first: new session
  ]);
  const log = await readRetailRocket(f, { ...Q, negativesPerPositive: 0 });
  validateLog(log);
  assert.deepEqual(log.adapterStats.rawEventCounts, { view: 3, addtocart: 1, transaction: 1 });
  assert.equal(log.nSessions, 3);
  assert.deepEqual(Array.from(log.userRawId), [257597, 992329]);
  assert.deepEqual(Array.from(log.items.rawId), [355908, 248676, 7]);
  assert.deepEqual(Array.from(log.item), [0, 2, 1]);
  assert.deepEqual(Array.from(log.feedback), [Feedback.Order, Feedback.Click, Feedback.Click]);
  assert.deepEqual(Array.from(log.ts), [1433221332.117, 1433228532.117, 1433224214.164]);
  assert.deepEqual(log.categoryRaw, ['unknown']);
  assert.equal(log.items.nCategories, 1);
  assert.equal(log.adapterStats.mergedEvents, 2);
});

test('YOOCHOOSE: session ids as users, categories through a dictionary, prices, orphan buys', async () => {
  const clicks = tmp([
    '1,2014-04-07T10:51:09.277Z,214536502,0',
    '1,2014-04-07T10:54:09.868Z,214536500,0',
    '1,2014-04-07T10:54:46.998Z,214536506,S',
    '2,2014-04-07T13:56:37.614Z,214662742,3',
    '2,2014-04-07T13:57:19.373Z,214536502,2089439583',
    '1,2014-04-07T11:51:09.000Z,214536502,0', // an hour later, same SessionID: same session
  ], 'clicks.dat');
  const buys = tmp(['2,2014-04-07T13:58:00.000Z,214662742,1046,1', '3,2014-04-08T09:00:00Z,214536500,0,0'], 'buys.dat');
  const log = await readYoochoose(clicks, buys, { ...Q, negativesPerPositive: 0 });
  validateLog(log);
  const st = log.adapterStats;
  assert.deepEqual(st.rawEventCounts, { click: 6, buy: 2 });
  assert.equal(log.nUsers, 3);
  assert.equal(log.nSessions, 3);
  assert.deepEqual(Array.from(log.sessionUser), [0, 1, 2]);
  assert.deepEqual(Array.from(log.userRawId), [1, 2, 3]);
  assert.deepEqual(Array.from(log.items.rawId), [214536502, 214536500, 214536506, 214662742]);
  assert.deepEqual(log.categoryRaw, ['S', '3', '2089439583', '0']);
  assert.deepEqual(Array.from(log.items.category), [2, 3, 0, 1]);
  assert.ok(Number.isNaN(log.items.price[1]));
  assert.equal(log.items.price[3], 1046);
  assert.deepEqual(Array.from(log.item), [0, 1, 2, 3, 0, 1]);
  assert.deepEqual(Array.from(log.feedback), [1, 1, 1, 2, 1, 2]);
  assert.equal(log.ts[0], Date.UTC(2014, 3, 7, 10, 51, 9, 277) / 1000);
  assert.deepEqual(Array.from(log.sessionDay), [0, 0, 1]);
  assert.equal(st.mergedEvents, 2);
  // With a row cap, buys of sessions that were not read are orphans and dropped.
  const capped = await readYoochoose(clicks, buys, { ...Q, negativesPerPositive: 0, maxRows: 100 });
  assert.equal(capped.nUsers, 2);
  assert.equal(capped.adapterStats.dropped.orphanBuys, 1);
});

test('registry: four CSV adapters and the JSONL one, file arity checked', async () => {
  assert.deepEqual(Object.keys(ADAPTERS).sort(), ['jd', 'otto', 'retailrocket', 'taobao', 'yoochoose']);
  await assert.rejects(ADAPTERS.otto.read(['a.jsonl', 'b.jsonl']), UsageError);
  assert.equal(ADAPTERS.yoochoose.files.length, 2);
  for (const a of Object.values(ADAPTERS)) assert.ok(a.description.length > 10);
  await assert.rejects(ADAPTERS.yoochoose.read(['only-one.dat']), UsageError);
  const log = await ADAPTERS.taobao.read([tmp(TAOBAO)], { ...Q, negativesPerPositive: 0 });
  assert.equal(log.adapterStats.rows, 6);
  await assert.rejects(ADAPTERS.taobao.read([tmp(TAOBAO)], { nope: 1 } as never), /adapter\.nope: unknown key/);
});
