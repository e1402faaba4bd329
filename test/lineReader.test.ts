import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forEachLine, LineReaderOptions } from '../lib/data/lineReader';
import { InputError } from '../lib/util/errors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-lines-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let nfile = 0;
function tmp(content: string | Buffer): string {
  const f = path.join(dir, `f${nfile++}.txt`);
  fs.writeFileSync(f, content);
  return f;
}

async function collect(file: string, opts: LineReaderOptions = {}): Promise<{ lines: [number, string][]; stats: Awaited<ReturnType<typeof forEachLine>> }> {
  const lines: [number, string][] = [];
  const stats = await forEachLine(file, (s, a, b, line) => void lines.push([line, s.slice(a, b)]), opts);
  return { lines, stats };
}

function rejectsWith(p: Promise<unknown>, file: string, line: number, problem: RegExp): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
    assert.equal(e.file, file);
    assert.equal(e.line, line, e.message);
    assert.match(e.problem, problem);
    assert.ok(e.message.startsWith(line > 0 ? `${file}:${line}: ` : `${file}: `));
    return true;
  });
}

test('line numbers, CRLF, blank lines and a missing final newline, at every chunk size', async () => {
  const text = 'a,1\r\nbb,2\n\n\r\nccc,3\nlast é line';
  const f = tmp(text);
  const want: [number, string][] = [[1, 'a,1'], [2, 'bb,2'], [5, 'ccc,3'], [6, 'last é line']];
  for (const chunkBytes of [1, 2, 3, 5, 7, 64, 1 << 20]) {
    const { lines, stats } = await collect(f, { chunkBytes });
    assert.deepEqual(lines, want, `chunkBytes ${chunkBytes}`);
    assert.equal(stats.lines, 4);
    assert.equal(stats.blankLines, 2);
    assert.equal(stats.lastLine, 6);
    assert.equal(stats.bytes, Buffer.byteLength(text));
    assert.equal(stats.stopped, false);
  }
});

test('a UTF-8 byte-order mark is skipped; multi-byte characters survive chunk boundaries', async () => {
  const f = tmp(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo,wörld\n日本語,x\n')]));
  for (const chunkBytes of [1, 2, 4, 1024]) {
    const { lines } = await collect(f, { chunkBytes });
    assert.deepEqual(lines, [[1, 'héllo,wörld'], [2, '日本語,x']]);
  }
});

test('invalid UTF-8 (latin1 byte) names its line', async () => {
  const f = tmp(Buffer.concat([Buffer.from('ok\nfine\ncaf'), Buffer.from([0xe9]), Buffer.from('\nmore\n')]));
  for (const chunkBytes of [3, 1 << 20]) await rejectsWith(collect(f, { chunkBytes }), f, 3, /^not valid UTF-8 text$/);
});

test('NUL bytes and UTF-16 are reported as not UTF-8 text', async () => {
  const nul = tmp(Buffer.from('a\nb\u0000c\n'));
  await rejectsWith(collect(nul), nul, 2, /not valid UTF-8 text \(contains NUL/);
  const u16 = tmp(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\nc,d\n', 'utf16le')]));
  await rejectsWith(collect(u16), u16, 1, /not valid UTF-8 text \(UTF-16 byte-order mark/);
});

test('an over-long line is an error at its line, whether it ends or not', async () => {
  const long = 'x'.repeat(300);
  const f1 = tmp(`short\n${long}\nshort\n`);
  const f2 = tmp(`short\nshort\n${long}`);
  for (const chunkBytes of [16, 100, 1 << 20]) {
    await rejectsWith(collect(f1, { maxLineBytes: 200, chunkBytes }), f1, 2, /line longer than 200 bytes/);
    await rejectsWith(collect(f2, { maxLineBytes: 200, chunkBytes }), f2, 3, /line longer than 200 bytes/);
  }
  // A line of exactly maxLineBytes is fine.
  const f3 = tmp(`${'y'.repeat(200)}\n`);
  assert.equal((await collect(f3, { maxLineBytes: 200, chunkBytes: 64 })).lines[0][1].length, 200);
});

test('a multi-MB file without newlines fails fast with bounded buffering', async () => {
  const f = tmp(Buffer.alloc(5 << 20, 0x61));
  const t0 = Date.now();
  await rejectsWith(collect(f), f, 1, /line longer than 1048576 bytes/);
  assert.ok(Date.now() - t0 < 5000);
});

test('the callback can stop early; an empty file has no lines', async () => {
  const f = tmp(Array.from({ length: 1000 }, (_, i) => `row${i}`).join('\n') + '\n');
  const seen: number[] = [];
  const st = await forEachLine(f, (_s, _a, _b, line) => (seen.push(line), line < 10), { chunkBytes: 50 });
  assert.equal(st.stopped, true);
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const empty = tmp('');
  const e = await collect(empty);
  assert.deepEqual(e.lines, []);
  assert.equal(e.stats.lastLine, 0);
});

test('missing files and folders are InputErrors at line 0; callback errors pass through', async () => {
  const missing = path.join(dir, 'nope.csv');
  await rejectsWith(collect(missing), missing, 0, /cannot read/);
  await rejectsWith(collect(dir), dir, 0, /is a directory/);
  const f = tmp('a\nb\n');
  await assert.rejects(forEachLine(f, () => { throw new RangeError('boom'); }), RangeError);
});

test('reads many lines with correct numbering', async () => {
  const n = 200_000;
  const f = tmp(Array.from({ length: n }, (_, i) => `${i},${i * 7}`).join('\n') + '\n');
  let sum = 0;
  let bad = 0;
  const st = await forEachLine(f, (s, a, b, line) => {
    const comma = s.indexOf(',', a);
    const v = Number(s.slice(a, comma));
    if (v !== line - 1 || Number(s.slice(comma + 1, b)) !== v * 7) bad++;
    sum += v;
  }, { chunkBytes: 4096 });
  assert.equal(bad, 0);
  assert.equal(st.lines, n);
  assert.equal(sum, (n * (n - 1)) / 2);
});
