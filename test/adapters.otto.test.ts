/**
 * The JSONL session adapter (OTTO format) on a hand-written fixture: mapping clicks / carts /
 * orders, sessions as users, seconds and milliseconds, merging repeats, gzip; bad input names file,
 * line and event.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ADAPTERS, readOttoJsonl } from '../lib/data/adapters';
import { Feedback } from '../lib/data/schema';
import { InputError } from '../lib/util/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-otto-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let nfile = 0;
function tmp(content: string | Buffer, name = 'train.jsonl'): string {
  const f = path.join(dir, `${nfile++}-${name}`);
  fs.writeFileSync(f, content);
  return f;
}
const Q = { progress: false, negativesPerPositive: 0 };

// Two sessions on 2022-08-01 (1659312000 = 00:00 UTC): session 12 views 123, carts it, orders it, views 456;
// session 7 clicks 456 twice and 789 once; its timestamps are in milliseconds, as the OTTO files write them.
const FIXTURE = [
  '{"session": 12, "events": [{"aid": 123, "ts": 1659312000, "type": "clicks"}, {"aid": 123, "ts": 1659312060, "type": "carts"}, {"aid": 123, "ts": 1659312120, "type": "orders"}, {"aid": 456, "ts": 1659312180, "type": "clicks"}]}',
  '',
  '{"session": 7, "events": [{"aid": 456, "ts": 1659398400000, "type": "clicks"}, {"aid": 789, "ts": 1659398401000, "type": "clicks"}, {"aid": 456, "ts": 1659398402000, "type": "clicks"}], "extra": "ignored"}',
].join('\n');

test('OTTO JSONL: the mapping, worked by hand', async () => {
  const log = await readOttoJsonl(tmp(FIXTURE + '\n'), Q);
  const st = log.adapterStats;
  assert.equal(st.adapter, 'otto');
  assert.deepEqual(st.rawEventCounts, { clicks: 5, carts: 1, orders: 1 });
  assert.equal(st.dataRows, 2);
  assert.equal(st.blankLines, 1);
  assert.equal(log.nSessions, 2);
  assert.equal(log.nUsers, 2);
  assert.deepEqual(Array.from(log.userRawId), [12, 7]);
  assert.deepEqual(Array.from(log.items.rawId), [123, 456, 789]);
  // session 12 (user 0, day 0): 123 merged into one ordered impression, then 456 clicked
  // session 7 (user 1, day 1): 456 (two clicks merged), 789
  assert.deepEqual(Array.from(log.user), [0, 0, 1, 1]);
  assert.deepEqual(Array.from(log.item), [0, 1, 1, 2]);
  assert.deepEqual(Array.from(log.feedback), [Feedback.Order, Feedback.Click, Feedback.Click, Feedback.Click]);
  assert.deepEqual(Array.from(log.ts), [1659312000, 1659312180, 1659398400, 1659398401]);
  assert.deepEqual(Array.from(log.sessionDay), [0, 1]);
  assert.equal(st.mergedEvents, 3);
  assert.equal(st.orders, 1);
  assert.equal(log.items.nCategories, 1);
  // with sampled negatives, and read from gzip through the registry: the same positives
  const gz = await ADAPTERS.otto.read([tmp(zlib.gzipSync(Buffer.from(FIXTURE)), 'train.jsonl.gz')], { progress: false });
  assert.equal(gz.adapterStats.positives, 4);
  assert.equal(gz.adapterStats.negatives + gz.adapterStats.negativeShortfall, 16);
});

test('OTTO JSONL: bad input names file, line and event', async () => {
  const cases: Array<[string, number, RegExp]> = [
    ['{"session": 1, "events": [{"aid": 2, "ts": 1659312000, "type": "clicks"}]}\n{"session": 2, "events": [', 2, /^not valid JSON \(.*\); expected one session per line/],
    ['[1, 2]', 1, /^expected a JSON object/],
    ['{"events": []}', 1, /^session is missing$/],
    ['{"session": -3, "events": []}', 1, /^session "-3" is not a non-negative integer$/],
    ['{"session": 1.5, "events": []}', 1, /^session "1\.5" is not a non-negative integer$/],
    ['{"session": 1}', 1, /^events is missing$/],
    ['{"session": 1, "events": []}', 1, /^session 1 has no events$/],
    ['{"session": 1, "events": [{"aid": 2, "ts": 1659312000, "type": "clicks"}, {"aid": 3, "ts": 1659312000, "type": "views"}]}', 1, /^events\[1\]\.type "\\"views\\"" is not "clicks", "carts" or "orders"$/],
    ['{"session": 1, "events": [{"aid": "x", "ts": 1659312000, "type": "clicks"}]}', 1, /^events\[0\]\.aid "\\"x\\"" is not a non-negative integer$/],
    ['{"session": 1, "events": [{"aid": 2, "type": "clicks"}]}', 1, /^events\[0\]\.ts is missing$/],
    ['{"session": 1, "events": [{"aid": 2, "ts": 1e20, "type": "clicks"}]}', 1, /^events\[0\]\.ts 100000000000000000000 is out of range/],
    ['', 1, /^empty file \(no sessions\)$/],
  ];
  for (const [text, line, re] of cases) {
    const f = tmp(text);
    await assert.rejects(readOttoJsonl(f, Q), (e: unknown) => {
      assert.ok(e instanceof InputError, `${text}: ${(e as Error)?.stack}`);
      assert.equal(e.file, f);
      assert.equal(e.line, line, `${text}: ${e.message}`);
      assert.match(e.problem, re, text);
      return true;
    });
  }
});
