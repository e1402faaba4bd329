import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLog, Feedback, ItemTable, LogBuilder, selectSessions, validateLog } from '../lib/data/schema';
import {
  computeHistories,
  initialState,
  prepareDataset,
  resolvePrepareConfig,
  sessionRows,
  splitDays,
  stateAt,
  userSessionIndex,
  usersOf,
} from '../lib/data/prepare';
import { ConfigError } from '../lib/util/errors';

const DAY = 86400;
const { Skip: S, Click: C, Order: O } = Feedback;

function items(n: number, nCategories = 2): ItemTable {
  return {
    n,
    rawId: Float64Array.from({ length: n }, (_, i) => 100 + i),
    category: Int32Array.from({ length: n }, (_, i) => i % nCategories),
    nCategories,
    price: Float32Array.from({ length: n }, (_, i) => 10 + i),
    extra: { quality: Float32Array.from({ length: n }, (_, i) => i / 10) },
  };
}

/** rows: [user, sessionKey, item, feedback, ts] */
function makeLog(nItems: number, nUsers: number, rows: [number, number, number, Feedback, number][]): EventLog {
  const b = new LogBuilder();
  for (const r of rows) b.push(...r);
  const log = b.build('test', items(nItems), nUsers, Float64Array.from({ length: nUsers }, (_, u) => 1000 + u), 0);
  validateLog(log);
  return log;
}

const rowsOf = (a: Int32Array, N: number): number[][] => Array.from({ length: a.length / N }, (_, r) => Array.from(a.subarray(r * N, (r + 1) * N)));

// 2 users, 3 sessions; user 0 has a train-day session and a test-day session
const tinyRows: [number, number, number, Feedback, number][] = [
  [1, 3, 4, C, 20],
  [0, 1, 0, S, 10],
  [0, 1, 1, C, 11],
  [0, 1, 2, O, 12],
  [1, 3, 5, S, 21],
  [0, 2, 3, S, DAY + 10],
  [0, 2, 1, C, DAY + 11],
];
const noFilter = { minItemImpressions: 0, minItemClicks: 0, minUserImpressions: 0, minUserSessions: 0, embeddingDim: 2, N: 3 };

test('histories worked out by hand: left padding, own item excluded, carry-over across sessions and days', () => {
  const log = makeLog(6, 2, tinyRows);
  const days = splitDays(log, resolvePrepareConfig());
  assert.deepEqual([days.train, days.test], [[0], [1]]);
  // split the log by hand through prepareDataset's own pieces
  const [htr, hte] = computeHistories([sub(log, [0, 2]), sub(log, [1])], 3);
  assert.deepEqual(rowsOf(htr.browsed, 3), [[0, 0, 0], [0, 0, 1], [0, 1, 2], [0, 0, 0], [0, 0, 5]]);
  assert.deepEqual(rowsOf(htr.clicked, 3), [[0, 0, 0], [0, 0, 0], [0, 0, 2], [0, 0, 0], [0, 0, 5]]);
  assert.deepEqual(rowsOf(htr.ordered, 3), [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(rowsOf(hte.browsed, 3), [[1, 2, 3], [2, 3, 4]]);
  assert.deepEqual(rowsOf(hte.clicked, 3), [[0, 2, 3], [0, 2, 3]]);
  assert.deepEqual(rowsOf(hte.ordered, 3), [[0, 0, 3], [0, 0, 3]]);
});

/** Sessions of the log (same user and item spaces). */
function sub(log: EventLog, sessions: number[]): EventLog {
  return selectSessions(log, sessions);
}

test('prepareDataset gives the same histories, and the accessors read them', async () => {
  const ds = await prepareDataset(makeLog(6, 2, tinyRows), noFilter);
  const { train, test: te } = ds;
  assert.equal(train.log.item.length, 5);
  assert.equal(te.log.item.length, 2);
  assert.deepEqual(rowsOf(train.browsed, 3), [[0, 0, 0], [0, 0, 1], [0, 1, 2], [0, 0, 0], [0, 0, 5]]);
  assert.deepEqual(rowsOf(te.browsed, 3), [[1, 2, 3], [2, 3, 4]]);
  assert.deepEqual(rowsOf(te.clicked, 3), [[0, 2, 3], [0, 2, 3]]);
  assert.deepEqual(rowsOf(te.ordered, 3), [[0, 0, 3], [0, 0, 3]]);
  // initial state of the test session = collected from the user's previous (train-day) session
  const s0 = initialState(te, 0);
  assert.deepEqual([...s0.browsed], [1, 2, 3]);
  assert.deepEqual([...s0.clicked], [0, 2, 3]);
  assert.deepEqual([...s0.ordered], [0, 0, 3]);
  assert.deepEqual([...stateAt(train, 4).browsed], [0, 0, 5]);
  assert.deepEqual(sessionRows(train, 1), { start: 3, end: 5 });
  assert.deepEqual([...usersOf(train)], [0, 1]);
  assert.deepEqual([...usersOf(te)], [0]);
  assert.deepEqual([...userSessionIndex(train)], [0, 1, 2]);
  assert.throws(() => sessionRows(te, 1), /session 1 outside/);
  // shapes and manifest
  assert.equal(ds.embeddings.length, 6 * 2);
  assert.equal(ds.manifest.sizes.N, 3);
  assert.deepEqual(ds.manifest.days, { train: [0], test: [1] });
  assert.equal(ds.manifest.statistics.train.impressions, 5);
  assert.equal(ds.manifest.statistics.train.clicks, 3); // click, order (counts as click), click
  assert.equal(ds.manifest.statistics.train.orders, 1);
  assert.equal(ds.manifest.statistics.train.clickRate, 3 / 5);
  assert.equal(ds.manifest.statistics.train.orderPerClick, 1 / 3);
  assert.equal(ds.manifest.statistics.train.users, 2);
  assert.equal(ds.manifest.statistics.train.sessions, 2);
  assert.equal(ds.manifest.statistics.train.items, 5);
  assert.equal(ds.manifest.statistics.test.users, 1);
  assert.equal(ds.manifest.statistics.test.items, 2);
});

// long-tail filter fixture (see the expected results below)
const ltRows: [number, number, number, Feedback, number][] = [
  // user 0, train: two sessions
  [0, 1, 0, C, 10], [0, 1, 1, S, 11], [0, 1, 2, S, 12],
  [0, 2, 0, S, 100], [0, 2, 1, C, 101],
  // user 1, train: item 3 is shown twice but never clicked
  [1, 3, 2, C, 20], [1, 3, 3, S, 21], [1, 3, 3, S, 22], [1, 3, 1, S, 23],
  // user 2, train: item 4 shown once; after the item filter only 1 impression is left
  [2, 4, 4, C, 30], [2, 4, 0, C, 31],
  // user 3: test day only (cold user); item 5 never shown in training
  [3, 5, 1, C, DAY + 40], [3, 5, 5, S, DAY + 41],
  // user 4: train rows all on a dropped item, a test session
  [4, 6, 6, S, 50], [4, 7, 0, C, DAY + 50],
  // user 0, test day
  [0, 8, 0, S, DAY + 10], [0, 8, 3, C, DAY + 11], [0, 8, 1, O, DAY + 12],
];
const ltCfg = { minItemImpressions: 2, minItemClicks: 1, minUserImpressions: 2, minUserSessions: 1, embeddingDim: 2, N: 2 };

test('long-tail filter removes exactly the items and users below the thresholds', async () => {
  const ds = await prepareDataset(makeLog(7, 5, ltRows), ltCfg);
  // items 0, 1, 2 pass (>= 2 train impressions and >= 1 click); 3 (no click), 4 and 6 (1 impression), 5 (none) dropped
  assert.deepEqual([...ds.items.rawId], [100, 101, 102]);
  assert.deepEqual([...ds.items.category], [0, 1, 0]);
  assert.deepEqual([...ds.items.extra.quality], [0, 0.1, 0.2].map(Math.fround));
  // users 0, 1 pass; 2 has 1 impression left; 4 has no session left; 3 is a kept cold user
  assert.deepEqual([...ds.train.log.userRawId], [1000, 1001, 1003]);
  assert.deepEqual([...ds.train.log.item], [0, 1, 2, 0, 1, 2, 1]);
  assert.deepEqual([...ds.train.log.user], [0, 0, 0, 0, 0, 1, 1]);
  assert.deepEqual([...ds.train.log.sessionStart], [0, 3, 5, 7]);
  assert.deepEqual([...ds.test.log.item], [0, 1, 1]);
  assert.deepEqual([...ds.test.log.user], [0, 0, 2]);
  assert.deepEqual([...ds.test.log.feedback], [S, O, C]);
  assert.deepEqual([...ds.test.log.sessionStart], [0, 2, 3]);
  assert.deepEqual([...ds.test.log.sessionDay], [1, 1]);
  const f = ds.manifest.filter;
  assert.deepEqual(
    [f.rowsIn, f.rowsKept, f.itemsIn, f.itemsKept, f.usersIn, f.usersKept, f.coldUsersKept, f.sessionsIn, f.sessionsKept],
    [18, 10, 7, 3, 5, 3, 1, 8, 5],
  );
  // test-day history of user 0 carries over the train day, in the filtered item space (+1)
  assert.deepEqual(rowsOf(ds.test.browsed, 2), [[1, 2], [2, 1], [0, 0]]);
  assert.deepEqual(rowsOf(ds.test.clicked, 2), [[1, 2], [1, 2], [0, 0]]);

  const ds2 = await prepareDataset(makeLog(7, 5, ltRows), { ...ltCfg, dropColdUsers: true });
  assert.deepEqual([...ds2.train.log.userRawId], [1000, 1001]);
  assert.deepEqual([...ds2.test.log.item], [0, 1]);
});

test('split by day: defaults, explicit days, bad days', async () => {
  const rows: [number, number, number, Feedback, number][] = [];
  for (let d = 0; d < 3; d++) for (let i = 0; i < 4; i++) rows.push([0, d, i, i === d ? C : S, d * DAY + i]);
  const log = makeLog(4, 1, rows);
  const cfg = { ...noFilter, N: 2 };
  let ds = await prepareDataset(log, cfg);
  assert.deepEqual(ds.manifest.days, { train: [0, 1], test: [2] });
  assert.deepEqual([...ds.train.log.sessionDay], [0, 1]);
  assert.deepEqual([...ds.test.log.sessionDay], [2]);
  ds = await prepareDataset(log, { ...cfg, trainDays: [1], testDays: [2] });
  assert.deepEqual([...ds.train.log.sessionDay], [1]);
  // day 0 is dropped entirely: the test state only sees day 1
  assert.deepEqual([...initialState(ds.test, 0).browsed], [3, 4]);
  await assert.rejects(prepareDataset(log, { ...cfg, testDays: [7] }), (e: unknown) => e instanceof ConfigError && e.key === 'testDays');
  await assert.rejects(prepareDataset(log, { ...cfg, trainDays: [2], testDays: [2] }), /in both trainDays and testDays/);
  await assert.rejects(prepareDataset(makeLog(4, 1, rows.slice(0, 4)), cfg), (e: unknown) => e instanceof ConfigError && e.key === 'trainDays');
});

test('config errors: unknown key, embedding dim not below the item count, everything filtered', async () => {
  const log = makeLog(6, 2, tinyRows);
  await assert.rejects(prepareDataset(log, { bogus: 1 } as never), /prepare\.bogus: unknown key/);
  await assert.rejects(prepareDataset(log, { ...noFilter, embeddingDim: 6 }), (e: unknown) => e instanceof ConfigError && e.key === 'embeddingDim' && /< the number of items after filtering \(6\)/.test(e.message));
  await assert.rejects(prepareDataset(log, { ...noFilter, minItemImpressions: 100 }), /left no training rows/);
});

test('preparation is deterministic for a seed', async () => {
  const log = makeLog(7, 5, ltRows);
  const a = await prepareDataset(log, { ...ltCfg, minItemClicks: 0, minItemImpressions: 1 });
  const b = await prepareDataset(log, { ...ltCfg, minItemClicks: 0, minItemImpressions: 1 });
  assert.ok(Buffer.from(a.embeddings.buffer).equals(Buffer.from(b.embeddings.buffer)));
  for (const k of ['browsed', 'clicked', 'ordered'] as const) assert.deepEqual(a.test[k], b.test[k]);
  assert.deepEqual({ ...a.manifest, createdAt: '', timings: {}, embedding: { ...a.manifest.embedding, seconds: 0 } }, { ...b.manifest, createdAt: '', timings: {}, embedding: { ...b.manifest.embedding, seconds: 0 } });
});
