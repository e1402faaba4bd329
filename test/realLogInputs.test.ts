/**
 * Lenient where the field allows it, strict with a clear message where it does not (issue 18):
 * integral floats as ids, gzip inputs read directly, swapped YOOCHOOSE files named as such.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readRetailRocket, readTaobao, readYoochoose } from '../lib/data/adapters';
import { forEachLine } from '../lib/data/lineReader';
import { InputError } from '../lib/util/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-reallog-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let nfile = 0;
function tmp(content: string | Buffer, name = 'data.csv'): string {
  const f = path.join(dir, `${nfile++}-${name}`);
  fs.writeFileSync(f, content);
  return f;
}
const Q = { progress: false };

const RR = [
  'timestamp,visitorid,event,itemid,transactionid',
  '1433221332117,257597,view,355908,',
  '1433221333000,257597,addtocart,355908,',
  '1433221334000,257597,transaction,355908,14418',
  '1433221335000,3,view,12,',
  '1433221336000,3,view,13,',
];

test('RetailRocket: integral float ids (pandas export) load as the same log; fractions are rejected by name', async () => {
  const asInt = await readRetailRocket(tmp(RR.join('\n') + '\n'), Q);
  const floats = RR.map((l, i) => (i === 0 ? l : l.split(',').map((v, c) => (c >= 1 && c !== 2 && v !== '' ? `${v}.0` : v)).join(',')));
  assert.match(floats[3], /257597\.0,transaction,355908\.0,14418\.0$/);
  const asFloat = await readRetailRocket(tmp(floats.join('\n') + '\n'), Q);
  assert.deepEqual(Array.from(asFloat.item), Array.from(asInt.item));
  assert.deepEqual(Array.from(asFloat.feedback), Array.from(asInt.feedback));
  assert.deepEqual(Array.from(asFloat.userRawId), Array.from(asInt.userRawId));
  assert.deepEqual(Array.from(asFloat.items.rawId), [355908, 12, 13]);
  const f = tmp([RR[0], '1433221334000,257597,transaction,355908,14418.5'].join('\n'));
  await assert.rejects(readRetailRocket(f, Q), (e: unknown) => e instanceof InputError && e.line === 2 && /transactionid "14418\.5" is not a non-negative integer \(it has a fractional part/.test(e.message));
});

test('gzip input: read directly (whatever the name), same log as the plain file; a truncated gzip names the file', async () => {
  const lines = ['1,10,100,pv,1511600000', '1,11,100,pv,1511600060', '1,11,100,buy,1511600070', '2,12,101,cart,1511600100', '2,10,100,pv,1511600200'];
  const text = lines.join('\n') + '\n';
  const plain = await readTaobao(tmp(text), Q);
  const gzFile = tmp(zlib.gzipSync(Buffer.from(text)), 'UserBehavior.csv.gz');
  const gz = await readTaobao(gzFile, Q);
  for (const k of ['user', 'session', 'item', 'feedback', 'ts'] as const) assert.deepEqual(Array.from(gz[k]), Array.from(plain[k]), k);
  // a gzip file without the .gz name is recognised by its magic bytes; chunk boundaries inside the stream are fine
  const noExt = tmp(zlib.gzipSync(Buffer.from(text.repeat(50))), 'UserBehavior.csv');
  let n = 0;
  const st = await forEachLine(noExt, () => void n++, { chunkBytes: 64 });
  assert.equal(n, 250);
  assert.equal(st.gzip, true);
  assert.equal(st.bytes, Buffer.byteLength(text) * 50);
  const whole = zlib.gzipSync(Buffer.from(text.repeat(200)));
  const cut = tmp(whole.subarray(0, Math.floor(whole.length / 2)), 'cut.csv.gz');
  await assert.rejects(readTaobao(cut, Q), (e: unknown) => e instanceof InputError && e.file === cut && /not a valid gzip file/.test(e.message));
  const zip = tmp(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x08]), Buffer.from([0xff, 0xfe, 0x00, 0x81])]), 'x.zip');
  await assert.rejects(readTaobao(zip, Q), /not text: a zip archive \(decompress it first; gzip files are read directly\)/);
});

test('YOOCHOOSE: swapped input files say that inputs are given in the order clicks,buys', async () => {
  const clicks = tmp('1,2014-04-07T10:51:09.277Z,214536502,0\n', 'yoochoose-clicks.dat');
  const buys = tmp('1,2014-04-07T10:58:00.000Z,214536502,1046,1\n', 'yoochoose-buys.dat');
  const ok = await readYoochoose(clicks, buys, Q);
  assert.equal(ok.adapterStats.orders, 1);
  await assert.rejects(readYoochoose(buys, clicks, Q), (e: unknown) =>
    e instanceof InputError && e.file === buys && e.line === 1 && /expected 4 columns .* got 5: this looks like the buys file; inputs are given in the order clicks,buys/.test(e.message));
  // a plain column-count error elsewhere carries no such hint
  const bad = tmp('1,2014-04-07T10:51:09.277Z,214536502\n');
  await assert.rejects(readYoochoose(bad, buys, Q), (e: unknown) => e instanceof InputError && !/clicks,buys/.test(e.message) && /got 3$/.test(e.message));
});
