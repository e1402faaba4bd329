import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readJd, readRetailRocket, readTaobao, readYoochoose } from '../lib/data/adapters';
import { InputError } from '../lib/util/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-badinput-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let nfile = 0;
function tmp(content: string | Buffer, name = 'data.csv'): string {
  const f = path.join(dir, `${nfile++}-${name}`);
  fs.writeFileSync(f, content);
  return f;
}
const Q = { progress: false };
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The promise rejects with an InputError whose message is `file:line: problem...`. */
async function fails(p: Promise<unknown>, file: string, line: number, problem: RegExp | string): Promise<void> {
  const pat = typeof problem === 'string' ? esc(problem) : problem.source;
  const re = new RegExp(`^${esc(file)}:${line}: ${pat}`);
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${(e as Error)?.stack ?? e}`);
    assert.match(e.message, re);
    assert.equal(e.file, file);
    assert.equal(e.line, line);
    return true;
  });
}

const TB = ['1,10,100,pv,1511600000', '1,11,100,pv,1511600060', '2,12,101,buy,1511600100'];
const tb = (lines: string[]): string => tmp(lines.join('\n') + '\n');
const JDH = 'user_id,sku_id,time,model_id,type,cate,brand';
const JD1 = '280567.0,167208,2016-02-29 23:59:01,0,6,4,519';
const RRH = 'timestamp,visitorid,event,itemid,transactionid';
const RR1 = '1433221332117,257597,view,355908,';
const YC = '1,2014-04-07T10:51:09.277Z,214536502,0';
const YB = '1,2014-04-07T10:58:00.000Z,214536502,1046,1';

test('malformed rows: wrong column count', async () => {
  let f = tb([TB[0], TB[1], '1,10,100,pv']);
  await fails(readTaobao(f, Q), f, 3, 'expected 5 columns (user_id,item_id,category_id,behavior_type,timestamp), got 4');
  f = tb([TB[0], TB[1] + ',7']);
  await fails(readTaobao(f, Q), f, 2, 'expected 5 columns');
  f = tmp([JDH, JD1, '280567.0,1,2016-02-29 23:59:01,0,6,4'].join('\n'));
  await fails(readJd(f, Q), f, 3, 'expected 7 columns');
  f = tmp([RRH, RR1, '1433221332117,257597,view'].join('\r\n'));
  await fails(readRetailRocket(f, Q), f, 3, 'expected 5 columns');
});

test('unknown event types', async () => {
  let f = tb([TB[0], '1,10,100,click,1511600000']);
  await fails(readTaobao(f, Q), f, 2, 'unknown behavior_type "click" (expected pv, cart, fav or buy)');
  f = tmp([JDH, JD1, '280567.0,167208,2016-02-29 23:59:01,0,7,4,519'].join('\n'));
  await fails(readJd(f, Q), f, 3, 'unknown type "7" (expected 1..6)');
  f = tmp([RRH, RR1, '1433221332117,257597,purchase,355908,'].join('\n'));
  await fails(readRetailRocket(f, Q), f, 3, 'unknown event "purchase"');
  const c = tmp([YC, '1,2014-04-07T10:51:09.277Z,214536502,X'].join('\n'));
  await fails(readYoochoose(c, tmp(YB), Q), c, 2, 'Category "X" is not 0, S or a number');
});

test('unparsable, negative and absurd timestamps', async () => {
  let f = tb([TB[0], '1,10,100,pv,abc']);
  await fails(readTaobao(f, Q), f, 2, 'timestamp "abc" is not unix seconds');
  f = tb([TB[0], '1,10,100,pv,-5']);
  await fails(readTaobao(f, Q), f, 2, 'timestamp "-5" is negative');
  f = tb([TB[0], TB[1], '1,10,100,pv,4102444800']);
  await fails(readTaobao(f, Q), f, 3, 'timestamp "4102444800" is out of range');
  f = tb(['1,10,100,pv,NaN']);
  await fails(readTaobao(f, Q), f, 1, 'timestamp "NaN" is not unix seconds');
  f = tb(['1,10,100,pv,']);
  await fails(readTaobao(f, Q), f, 1, 'timestamp is empty');
  f = tmp([JDH, JD1, '280567.0,167208,2016-02-30 10:00:00,0,6,4,519'].join('\n'));
  await fails(readJd(f, Q), f, 3, `time "2016-02-30 10:00:00" is not a 'YYYY-MM-DD HH:MM:SS' date-time`);
  f = tmp([JDH, '280567.0,167208,2150-01-01 10:00:00,0,6,4,519'].join('\n'));
  await fails(readJd(f, Q), f, 2, 'time "2150-01-01 10:00:00" is out of range');
  f = tmp([RRH, '99999999999999999,257597,view,355908,'].join('\n'));
  await fails(readRetailRocket(f, Q), f, 2, 'timestamp "99999999999999999" is out of range');
  const b = tmp([YB, '1,2014-04-07 10:58:00,214536502,1046,1'].join('\n'));
  await fails(readYoochoose(tmp(YC), b, Q), b, 2, 'Timestamp "2014-04-07 10:58:00" is not an ISO 8601 UTC time');
});

test('non-numeric, negative and oversized ids', async () => {
  let f = tb([TB[0], 'u1,10,100,pv,1511600000']);
  await fails(readTaobao(f, Q), f, 2, 'user_id "u1" is not a non-negative integer');
  f = tb([TB[0], '1,-10,100,pv,1511600000']);
  await fails(readTaobao(f, Q), f, 2, 'item_id "-10" is negative');
  f = tb([TB[0], '1,10,1234567890123456789,pv,1511600000']);
  await fails(readTaobao(f, Q), f, 2, 'category_id "1234567890123456789" is too large');
  f = tb(['1,,100,pv,1511600000']);
  await fails(readTaobao(f, Q), f, 1, 'item_id is empty');
  f = tmp([JDH, '280567.5,167208,2016-02-29 23:59:01,0,6,4,519'].join('\n'));
  await fails(readJd(f, Q), f, 2, 'user_id "280567.5" is not a non-negative integer');
  f = tmp([RRH, '1433221332117,257597,view,3.5,'].join('\n'));
  await fails(readRetailRocket(f, Q), f, 2, 'itemid "3.5" is not a non-negative integer');
  const b = tmp([YB, '-1,2014-04-07T10:58:00.000Z,214536502,1046,1'].join('\n'));
  await fails(readYoochoose(tmp(YC), b, Q), b, 2, 'SessionID "-1" is negative');
});

test('empty files, header-only files and files where every row is dropped', async () => {
  let f = tmp('');
  await fails(readTaobao(f, Q), f, 1, 'empty file (no data rows)');
  f = tmp('\n\r\n\n');
  await fails(readJd(f, Q), f, 1, 'empty file');
  f = tmp(JDH + '\n');
  await fails(readJd(f, Q), f, 2, 'no data rows after the header');
  const c = tmp(YC + '\n');
  const e = tmp('');
  await fails(readYoochoose(c, e, Q), e, 1, 'empty file');
  f = tb(['1,10,100,pv,1400000000', '1,10,100,pv,1400000001']);
  await fails(readTaobao(f, Q), f, 2, 'no usable rows: all 2 data rows were dropped (outside time window 2');
  f = tmp([JDH, '280567.0,167208,2016-02-29 23:59:01,0,3,4,519'].join('\n'));
  await fails(readJd(f, Q), f, 2, /no usable rows: .*ignored event types 1/);
});

test('missing, wrong and repeated headers', async () => {
  let f = tmp([JD1, JD1].join('\n'));
  await fails(readJd(f, Q), f, 1, `expected the header "${JDH}", got "280567.0,167208,2016-02-29 23:59:01,0,6,4,519" (header missing or wrong?)`);
  f = tmp(['timestamp,visitorid,event,itemid', RR1].join('\n'));
  await fails(readRetailRocket(f, Q), f, 1, 'expected the header');
  f = tmp([JDH, JD1, JDH, JD1].join('\n'));
  await fails(readJd(f, Q), f, 3, 'header line repeated (concatenated files?)');
  f = tmp([RRH, RR1, RR1, RRH].join('\n'));
  await fails(readRetailRocket(f, Q), f, 4, 'header line repeated');
  f = tb(['user_id,item_id,category_id,behavior_type,timestamp', ...TB]);
  await fails(readTaobao(f, Q), f, 1, 'looks like a header line');
  f = tb([...TB, 'user_id,item_id,category_id,behavior_type,timestamp']);
  await fails(readTaobao(f, Q), f, 4, 'user_id "user_id" is not a non-negative integer');
});

test('binary garbage, latin1 and UTF-16 text', async () => {
  let f = tmp(Buffer.concat([Buffer.from(TB[0] + '\n'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0x13, 0x0a])]));
  await fails(readTaobao(f, Q), f, 2, 'not valid UTF-8 text');
  f = tmp(Buffer.concat([Buffer.from([JDH, JD1, ''].join('\n')), Buffer.from('280567.0,167208,2016-02-29 23:59:01,0,6,4,5'), Buffer.from([0xe9, 0x0a])]));
  await fails(readJd(f, Q), f, 3, 'not valid UTF-8 text');
  f = tmp(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([RRH, RR1].join('\n'), 'utf16le')]));
  await fails(readRetailRocket(f, Q), f, 1, 'not valid UTF-8 text (UTF-16 byte-order mark');
  f = tmp(Buffer.from(TB[0] + '\n1,2,3,pv\u00001511600000\n'));
  await fails(readTaobao(f, Q), f, 2, 'not valid UTF-8 text (contains NUL bytes');
});

test('huge fields: a line over 1 MB', async () => {
  let f = tb([TB[0], `1,${'9'.repeat(1_100_000)},100,pv,1511600000`, TB[1]]);
  await fails(readTaobao(f, Q), f, 2, 'line longer than 1048576 bytes');
  f = tmp([RRH, RR1, RR1, 'x'.repeat(2_000_000)].join('\n'));
  await fails(readRetailRocket(f, Q), f, 4, 'line longer than 1048576 bytes');
  // A long field under the limit is a plain field error.
  f = tb([TB[0], `1,${'9'.repeat(5000)},100,pv,1511600000`]);
  await fails(readTaobao(f, Q), f, 2, /item_id "9{40}\.\.\." is too large/);
});

test('unreadable files are InputErrors without a line', async () => {
  const missing = path.join(dir, 'missing.csv');
  await assert.rejects(readTaobao(missing, Q), (e: unknown) => e instanceof InputError && e.line === 0 && e.message.startsWith(`${missing}: cannot read`));
});
