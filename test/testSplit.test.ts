/**
 * The default test split fits the log (issue 18): on a constructed multi-month log with a sparse
 * tail, the last days are taken until the test split has the stated minimum of sessions and
 * orders; a two-day log keeps day 0 / day 1; a tiny log triggers the summary's evidence warnings.
 * Also: reproduce's command line reaches the preparation (the data stage's hash changes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRetailRocket } from '../lib/data/adapters';
import { prepareDataset, resolvePrepareConfig, splitDays, SPLIT_TEST } from '../lib/data/prepare';
import { chooseTestDays, dayCounts, sessionOrdersOf, withoutDefaultSplitRule } from '../lib/data/prepare/testSplit';
import { Feedback } from '../lib/data/schema';
import { parseCommandArgs } from '../lib/cli/args';
import { planFromArgs, REPRODUCE_DEF } from '../lib/cli/reproduce';
import { stageHash } from '../lib/experiments/stageCache';
import { Rng } from '../lib/util/rng';
import { UsageError } from '../lib/util/errors';
import { formatDayRanges, formatManifest } from '../lib/cli/stats';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-testsplit-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

/** A RetailRocket events.csv over `days` days: `perDay(d)` visitors a day, 3 views each, 30% buy. */
function multiMonthLog(days: number, perDay: (d: number) => number, seed = 1): string {
  const rng = new Rng(seed);
  const lines = ['timestamp,visitorid,event,itemid,transactionid'];
  const t0 = Date.UTC(2015, 5, 1);
  let tx = 1;
  for (let d = 0; d < days; d++) {
    for (let j = 0; j < perDay(d); j++) {
      const v = d * 1000 + j;
      const t = t0 + d * 86400000 + j * 120000;
      let item = 0;
      for (let k = 0; k < 3; k++) {
        item = rng.int(60);
        lines.push(`${t + k * 1000},${v},view,${item},`);
      }
      if (rng.bernoulli(0.3)) lines.push(`${t + 5000},${v},transaction,${item},${tx++}.0`);
    }
  }
  const f = path.join(dir, `events-${days}-${seed}.csv`);
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

const Q = { progress: false };

test('default test split on a multi-month log with a sparse tail: enough sessions and orders, a suffix of days', async () => {
  // 150 days, 25 visitors a day, the last 10 days only 2 a day (as public logs that end thinly)
  const file = multiMonthLog(150, (d) => (d < 140 ? 25 : 2));
  const log = await readRetailRocket(file, Q);
  const cfg = resolvePrepareConfig();
  const days = splitDays(log, cfg);
  const orders = sessionOrdersOf(log)!;
  let sessions = 0;
  let ordered = 0;
  for (let s = 0; s < log.nSessions; s++) {
    if (days.sessionSplit[s] !== SPLIT_TEST) continue;
    sessions++;
    ordered += orders[s];
  }
  assert.ok(sessions >= cfg.testMinSessions, `${sessions} test sessions`);
  assert.ok(ordered >= cfg.testMinOrders, `${ordered} test orders`);
  assert.ok(sessions <= cfg.testMaxShare * log.nSessions);
  const last = Math.max(...Array.from(log.sessionDay));
  assert.equal(days.test[days.test.length - 1], last);
  assert.deepEqual(days.test, Array.from({ length: days.test.length }, (_, i) => days.test[0] + i), 'consecutive last days');
  assert.ok(days.test.length > 10, `the last day alone has 2 sessions; the split took ${days.test.length} days`);
  assert.deepEqual(days.train, Array.from({ length: days.test[0] }, (_, i) => i));
  // worked by hand: 10 thin days (20 sessions) + 8 full days (200) = 220 >= 200; orders 30% of 220 ~ 66 >= 50
  assert.equal(days.test.length, 18);
  const ds = await prepareDataset(log, { embeddingDim: 8 });
  assert.deepEqual(ds.manifest.days.test, days.test);
  assert.ok(ds.manifest.sizes.test.sessions >= 200, `prepared test sessions ${ds.manifest.sizes.test.sessions}`);
  // the stats table names day ranges, not 150 day numbers
  const table = formatManifest(ds.manifest, 'data/rr');
  assert.match(table, /train \(days 0-131\)\s+test \(days 132-149\)/);
  const widest = Math.max(...table.split('\n').slice(0, 8).map((l) => l.length));
  assert.ok(widest < 100, `table lines up to ${widest} characters`);
});

test('day ranges: runs of consecutive days collapse', () => {
  assert.equal(formatDayRanges([0, 1, 2, 5, 7, 8, 9]), '0-2, 5, 7-9');
  assert.equal(formatDayRanges([9]), '9');
  assert.equal(formatDayRanges([3, 1, 2, 2]), '1-3');
  assert.equal(formatDayRanges([]), '');
});

test('the rule by hand: two days stay train 0 / test 1; the share cap and one training day always hold', () => {
  const rule = { testMinSessions: 200, testMinOrders: 50, testMaxShare: 0.25 };
  // two days: always the last one, whatever the minimums
  assert.deepEqual(chooseTestDays({ days: [0, 1], sessions: [1000, 3], orders: [100, 0] }, rule), [1]);
  // enough on the last day: only it
  assert.deepEqual(chooseTestDays({ days: [0, 1, 2, 3], sessions: [500, 500, 500, 300], orders: [60, 60, 60, 60] }, rule), [3]);
  // sessions met on day 3 alone but not orders: add day 2 (share 600/1800 > 0.25 stops it: stays [3])
  assert.deepEqual(chooseTestDays({ days: [0, 1, 2, 3], sessions: [500, 500, 500, 300], orders: [60, 60, 60, 10] }, rule), [3]);
  assert.deepEqual(chooseTestDays({ days: [0, 1, 2, 3], sessions: [1000, 1000, 50, 300], orders: [60, 60, 60, 10] }, rule), [2, 3]); // 350 of 2350 sessions
  // a tiny log: the cap binds before the minimum
  assert.deepEqual(chooseTestDays({ days: [0, 1, 2, 3, 4], sessions: [3, 3, 3, 3, 3], orders: [1, 1, 1, 1, 1] }, rule), [4]);
  assert.deepEqual(chooseTestDays({ days: [0, 2, 5], sessions: [10, 10, 10], orders: [0, 0, 0] }, { ...rule, testMaxShare: 1 }), [2, 5], 'one training day stays');
  const c = dayCounts([0, 0, 2, 2, 2], [1, 0, 2, 0, 1]);
  assert.deepEqual(c, { days: [0, 2], sessions: [2, 3], orders: [1, 3] });
  // explicit testDays still win
  const sessionOrders = Int32Array.from([0, 0, 0]);
  const log = { source: 't', nSessions: 3, sessionDay: Int32Array.from([0, 1, 2]) } as never;
  assert.deepEqual(splitDays(log, { ...resolvePrepareConfig(), testDays: [1] }, sessionOrders).test, [1]);
  assert.equal(Feedback.Order, 2);
});

test('reproduce command line: prepare / world / simulator / agent options reach the plan with the documented precedence', () => {
  const file = multiMonthLog(20, () => 5, 2);
  const cfgFile = path.join(dir, 'c.json');
  fs.writeFileSync(cfgFile, JSON.stringify({ prepare: { testDays: [19], N: 5 }, simulator: { H: 20 } }));
  const plan = (argv: string[]) => planFromArgs(parseCommandArgs(REPRODUCE_DEF, argv));
  const base = plan(['--adapter', 'retailrocket', '--input', file, '--config', cfgFile]);
  assert.deepEqual(base.prepare.testDays, [19]);
  const p = plan(['--adapter', 'retailrocket', '--input', file, '--config', cfgFile, '--testDays', '17,18,19', '--testMinSessions', '50', '--simulator.H', '24', '--agents.H', '12', '--negativesPerPositive', '2', '--alpha', '0.3']);
  assert.deepEqual(p.prepare.testDays, [17, 18, 19], 'command line beats the file');
  assert.equal(p.prepare.N, 5, 'the file beats the defaults');
  assert.equal(p.prepare.testMinSessions, 50);
  assert.equal(p.simulator.H, 24);
  for (const m of ['dnn', 'ddpg', 'hrl', 'hrl-mg'] as const) assert.equal(p.agents[m].H, 12, m);
  assert.equal(p.agents['hrl-mg'].alpha, 0.3);
  assert.equal(p.source.kind === 'adapter' && p.source.options.negativesPerPositive, 2);
  const hash = (x: typeof p): string => stageHash('data', { source: x.source, prepare: x.prepare }, {});
  assert.notEqual(hash(p), hash(base), 'a command-line prepare option changes the data stage');
  const w = plan(['--world.seed', '7', '--nItems', '900', '--prepare.seed', '3']);
  assert.equal(w.source.kind === 'world' && w.source.world.seed, 7);
  assert.equal(w.source.kind === 'world' && w.source.world.nItems, 900);
  assert.equal(w.prepare.seed, 3);
  // options that do not fit the data source are refused by name
  assert.throws(() => plan(['--negativesPerPositive', '2']), (e: unknown) => e instanceof UsageError && /adapter options \(--negativesPerPositive\) need --adapter/.test(e.message));
  assert.throws(() => plan(['--adapter', 'retailrocket', '--input', file, '--nItems', '9']), /world options \(--nItems\) apply to the default world only/);
  assert.throws(() => plan(['--data', dir, '--testDays', '1']), /not a prepared dataset folder|already prepared/);
  assert.throws(() => plan(['--seed', '1']), /unknown option --seed/, 'a shared key needs its area');
});

test('world caches stay valid: the split rule leaves the world\'s data hash at its defaults only', () => {
  const d = resolvePrepareConfig();
  const kept = withoutDefaultSplitRule(d, d) as Record<string, unknown>;
  for (const k of ['testMinSessions', 'testMinOrders', 'testMaxShare']) assert.ok(!(k in kept), k);
  assert.deepEqual(Object.keys(kept).sort(), Object.keys(d).filter((k) => !k.startsWith('testM')).sort());
  assert.equal((withoutDefaultSplitRule({ ...d, testMinOrders: 7 }, d) as Record<string, unknown>).testMinOrders, 7, 'a changed rule is hashed');
});

test('the prepared test split feeds the command line: --testDays reaches prepareDataset', async () => {
  const file = multiMonthLog(20, () => 8, 3);
  const p = planFromArgs(parseCommandArgs(REPRODUCE_DEF, ['--adapter', 'retailrocket', '--input', file, '--testDays', '15,16,17,18,19', '--embeddingDim', '8']));
  const log = await readRetailRocket(file, { ...(p.source.kind === 'adapter' ? p.source.options : {}), progress: false });
  const ds = await prepareDataset(log, p.prepare);
  assert.deepEqual(ds.manifest.days.test, [15, 16, 17, 18, 19]);
  assert.equal(ds.manifest.sizes.test.sessions, 5 * 8);
});
