/**
 * Fuzz: ~2,000 mutated files from small valid fixtures for every adapter. Each must end in a clean
 * load (a valid EventLog) or an InputError naming the file and a line in it: never another
 * exception, never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADAPTERS, JD_HEADER, RETAILROCKET_HEADER } from '../lib/data/adapters';
import { validateLog } from '../lib/data/schema';
import { InputError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-fuzz-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

const CASES_PER_ADAPTER = 500;
const CASE_TIMEOUT_MS = 5000;
const MAX_LINE = 32 * 1024; // smaller than the default 1 MiB so huge-field cases stay cheap

interface FileSpec {
  header: string | null;
  /** Names of the columns, to build a "header" line for headerless formats. */
  columns: string[];
  /** Column indices holding a timestamp / ids. */
  timeCol: number;
  idCols: number[];
  badTimes: string[];
  make: (rng: Rng) => string[];
}

const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(a.length)];

const TAOBAO: FileSpec = {
  header: null,
  columns: ['user_id', 'item_id', 'category_id', 'behavior_type', 'timestamp'],
  timeCol: 4,
  idCols: [0, 1, 2],
  badTimes: ['-100', '4102444800', '99999999999999999999', '1e9', '1511600000.5', '0x5A1B2C3D', '1500000000'],
  make: (rng) =>
    Array.from({ length: 3 + rng.int(14) }, () => {
      const item = rng.int(30);
      return `${1 + rng.int(4)},${item},${item % 5},${pick(rng, ['pv', 'pv', 'cart', 'fav', 'buy'])},${1511600000 + rng.int(20000)}`;
    }),
};

const JD: FileSpec = {
  header: JD_HEADER,
  columns: JD_HEADER.split(','),
  timeCol: 2,
  idCols: [0, 1, 5, 6],
  badTimes: ['2016-02-30 10:00:00', '2016-13-01 00:00:00', '1969-12-31 23:59:59', '2100-01-01 00:00:00', '2016-03-01T00:00:00Z', '2016-3-1 0:0:0', '', '2016-03-01 24:00:00'],
  make: (rng) =>
    Array.from({ length: 3 + rng.int(14) }, () => {
      const sku = rng.int(30);
      const mm = String(rng.int(60)).padStart(2, '0');
      const ss = String(rng.int(60)).padStart(2, '0');
      return `${200000 + rng.int(4)}.0,${sku},2016-03-01 00:${mm}:${ss},${rng.bernoulli(0.5) ? '' : rng.int(300)},${1 + rng.int(6)},${sku % 4},${rng.int(50)}`;
    }),
};

const RR: FileSpec = {
  header: RETAILROCKET_HEADER,
  columns: RETAILROCKET_HEADER.split(','),
  timeCol: 0,
  idCols: [1, 3, 4],
  badTimes: ['-1433221332117', '4102444800000', '1433221332.117', '99999999999999999', 'abc', ''],
  make: (rng) =>
    Array.from({ length: 3 + rng.int(14) }, () => {
      const ev = pick(rng, ['view', 'view', 'addtocart', 'transaction']);
      return `${1433221332117 + rng.int(10_000_000)},${rng.int(5)},${ev},${rng.int(30)},${ev === 'transaction' ? rng.int(9000) : ''}`;
    }),
};

function iso(rng: Rng): string {
  const d = new Date(Date.UTC(2014, 3, 7, 10) + rng.int(7_200_000));
  return d.toISOString();
}

const YC_CLICKS: FileSpec = {
  header: null,
  columns: ['SessionID', 'Timestamp', 'ItemID', 'Category'],
  timeCol: 1,
  idCols: [0, 2],
  badTimes: ['2014-04-07 10:51:09', '2014-04-07T10:51:09.277+02:00', '2014-02-30T10:51:09.277Z', '1969-04-07T10:51:09.277Z', '2200-04-07T10:51:09.277Z', '2014-04-07T10:51:09.Z', '1396867869'],
  make: (rng) => Array.from({ length: 3 + rng.int(14) }, () => `${1 + rng.int(5)},${iso(rng)},${214536500 + rng.int(30)},${pick(rng, ['0', '0', 'S', '3', '12', '2089439583'])}`),
};

const YC_BUYS: FileSpec = {
  header: null,
  columns: ['SessionID', 'Timestamp', 'ItemID', 'Price', 'Quantity'],
  timeCol: 1,
  idCols: [0, 2, 4],
  badTimes: YC_CLICKS.badTimes,
  make: (rng) => Array.from({ length: 1 + rng.int(5) }, () => `${1 + rng.int(6)},${iso(rng)},${214536500 + rng.int(30)},${pick(rng, ['0', '1046', '12.5'])},${rng.int(3)}`),
};

const GARBAGE = ['', ' ', '-1', '-0', 'abc', '1e5', '0x1F', 'NaN', 'Infinity', '1.5', '1.0', '٣', '１２', 'S', '0', '99999999999999999999',
  '"12"', ' 12', '12 ', '\t', 'pv', 'buy', 'view', '2014-04-07T10:51:09.277Z', '2016-02-29 23:59:01', 'é', '\u{1F600}', '1,2', '\r', '.', '00012'];

type Doc = { lines: string[]; bytes: Buffer | null };

/** Apply one random mutation. Lines include the header line, if any. */
function mutate(rng: Rng, spec: FileSpec, doc: Doc): string {
  const L = doc.lines;
  const anyLine = (): number => rng.int(Math.max(1, L.length));
  const dataLine = (): number => (spec.header !== null ? Math.min(L.length - 1, 1 + rng.int(Math.max(1, L.length - 1))) : anyLine());
  const setField = (col: number, v: string): void => {
    const i = dataLine();
    if (i < 0 || i >= L.length) return;
    const f = L[i].split(',');
    if (col < f.length) f[col] = v;
    L[i] = f.join(',');
  };
  const kind = rng.int(21);
  switch (kind) {
    case 0: { // truncate the file at a byte
      const b = Buffer.from(L.join('\n') + '\n');
      doc.bytes = b.subarray(0, rng.int(b.length + 1));
      return 'truncate-bytes';
    }
    case 1: { // truncate one line
      const i = anyLine();
      if (L[i] !== undefined) L[i] = L[i].slice(0, rng.int(L[i].length + 1));
      return 'truncate-line';
    }
    case 2: { // drop a field
      const i = anyLine();
      if (L[i] === undefined) return 'noop';
      const f = L[i].split(',');
      f.splice(rng.int(f.length), 1);
      L[i] = f.join(',');
      return 'drop-field';
    }
    case 3: { // add a field
      const i = anyLine();
      if (L[i] !== undefined) L[i] += ',' + pick(rng, GARBAGE);
      return 'add-field';
    }
    case 4:
    case 5:
      setField(rng.int(spec.columns.length), pick(rng, GARBAGE));
      return 'garbage-field';
    case 6: { // binary garbage bytes
      const b = doc.bytes ?? Buffer.from(L.join('\n') + '\n');
      const junk = Buffer.from(Array.from({ length: 1 + rng.int(40) }, () => rng.int(256)));
      const at = rng.int(b.length + 1);
      doc.bytes = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
      return 'binary';
    }
    case 7: { // huge field (sometimes over the line limit)
      const n = rng.bernoulli(0.5) ? MAX_LINE + 1 + rng.int(20000) : 100 + rng.int(5000);
      setField(rng.int(spec.columns.length), pick(rng, ['9', 'x', 'é']).repeat(n));
      return 'huge-field';
    }
    case 8: { // latin1 bytes
      const text = L.join('\n') + '\n';
      doc.bytes = Buffer.from(rng.bernoulli(0.5) ? text.replace(/,/, ',é') : text + 'café,1\n', 'latin1');
      return 'latin1';
    }
    case 9: // UTF-16 with a BOM
      doc.bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(L.join('\n') + '\n', 'utf16le')]);
      return 'utf16';
    case 10: // duplicated / inserted header
      L.splice(rng.int(L.length + 1), 0, spec.header ?? spec.columns.join(','));
      return 'dup-header';
    case 11:
      setField(spec.timeCol, pick(rng, spec.badTimes));
      return 'bad-time';
    case 12: {
      const col = pick(rng, spec.idCols);
      setField(col, pick(rng, ['-5', '-0', 'abc', '1.5', '', '12a', '1234567890123456']));
      return 'bad-id';
    }
    case 13:
      L.length = 0;
      doc.bytes = rng.bernoulli(0.5) ? Buffer.alloc(0) : null;
      return 'empty';
    case 14: { // shuffle data lines (valid)
      const head = spec.header !== null ? L.splice(0, 1) : [];
      rng.shuffle(L);
      L.unshift(...head);
      return 'shuffle';
    }
    case 15: // CRLF (valid)
      doc.bytes = Buffer.from(L.join('\r\n') + '\r\n');
      return 'crlf';
    case 16: { // duplicate lines (valid unless the header)
      const i = dataLine();
      if (L[i] !== undefined) L.splice(i, 0, L[i]);
      return 'dup-line';
    }
    case 17: // blank lines (valid)
      L.splice(rng.int(L.length + 1), 0, '', rng.bernoulli(0.5) ? '\r' : '');
      return 'blank';
    case 18: { // delete lines
      const n = 1 + rng.int(3);
      for (let j = 0; j < n && L.length; j++) L.splice(anyLine(), 1);
      return 'delete';
    }
    case 19: // remove or corrupt the header
      if (spec.header !== null && L.length) L[0] = rng.bernoulli(0.5) ? L[0].toUpperCase() : L[1] ?? '';
      return 'header';
    default: { // swap two fields of a line
      const i = dataLine();
      if (L[i] === undefined) return 'noop';
      const f = L[i].split(',');
      const a = rng.int(f.length);
      const b = rng.int(f.length);
      [f[a], f[b]] = [f[b], f[a]];
      L[i] = f.join(',');
      return 'swap';
    }
  }
}

function render(doc: Doc): Buffer {
  if (doc.bytes) return doc.bytes;
  return Buffer.from(doc.lines.length ? doc.lines.join('\n') + '\n' : '');
}

function build(rng: Rng, spec: FileSpec): { content: Buffer; muts: string[] } {
  const lines = spec.make(rng);
  if (spec.header !== null) lines.unshift(spec.header);
  const doc: Doc = { lines, bytes: null };
  const muts: string[] = [];
  const n = 1 + rng.int(3);
  for (let j = 0; j < n; j++) {
    // Once bytes are set, only byte-level mutations still apply.
    if (doc.bytes && j > 0) break;
    muts.push(mutate(rng, spec, doc));
  }
  return { content: render(doc), muts };
}

function countLines(b: Buffer): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  return n + 1;
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

const SETS: Record<string, FileSpec[]> = { taobao: [TAOBAO], jd: [JD], retailrocket: [RR], yoochoose: [YC_CLICKS, YC_BUYS] };

for (const [name, specs] of Object.entries(SETS)) {
  test(`fuzz ${name}: ${CASES_PER_ADAPTER} mutated inputs end in a clean load or an InputError(file, line)`, async () => {
    const rng = new Rng(20240601).fork(name);
    const outcomes = { ok: 0, inputError: 0 };
    const kinds = new Map<string, number>();
    const files = specs.map((_, j) => path.join(dir, `${name}-${j}.csv`));
    for (let c = 0; c < CASES_PER_ADAPTER; c++) {
      // Mutate one of the files (both, now and then, for YOOCHOOSE); the others stay valid.
      const which = rng.int(specs.length);
      const contents: Buffer[] = [];
      let desc = '';
      specs.forEach((spec, j) => {
        if (j === which || rng.bernoulli(0.1)) {
          const { content, muts } = build(rng, spec);
          contents.push(content);
          desc += `${path.basename(files[j])}: ${muts.join('+')} `;
        } else {
          const lines = spec.make(rng);
          contents.push(Buffer.from((spec.header !== null ? [spec.header, ...lines] : lines).join('\n') + '\n'));
        }
        fs.writeFileSync(files[j], contents[j]);
      });
      const opts = { progress: false, negativesPerPositive: rng.int(3), seed: c, maxLineBytes: MAX_LINE };
      const what = `case ${c} (${desc.trim()})`;
      try {
        const log = await withTimeout(ADAPTERS[name].read(files, opts), CASE_TIMEOUT_MS, what);
        validateLog(log);
        assert.equal(log.adapterStats.rows, log.user.length);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof InputError)) {
          assert.fail(`${what}: expected a clean load or an InputError, got ${(e as Error)?.stack ?? e}\nfile contents: ${JSON.stringify(contents.map((b) => b.toString('latin1').slice(0, 600)))}`);
        }
        const j = files.indexOf(e.file);
        assert.ok(j >= 0, `${what}: error names ${e.file}, not an input file`);
        assert.ok(e.line >= 1 && e.line <= countLines(contents[j]), `${what}: line ${e.line} outside the file (${countLines(contents[j])} lines): ${e.message}`);
        assert.ok(e.message.startsWith(`${e.file}:${e.line}: `), e.message);
        const key = e.problem.replace(/".*$/s, '').replace(/\d+/g, 'N').slice(0, 40);
        kinds.set(key, (kinds.get(key) ?? 0) + 1);
        outcomes.inputError++;
      }
    }
    // The fuzz must exercise both outcomes and a variety of problems.
    assert.equal(outcomes.ok + outcomes.inputError, CASES_PER_ADAPTER);
    assert.ok(outcomes.ok > CASES_PER_ADAPTER * 0.1, `only ${outcomes.ok} clean loads`);
    assert.ok(outcomes.inputError > CASES_PER_ADAPTER * 0.3, `only ${outcomes.inputError} input errors`);
    assert.ok(kinds.size >= 8, `only ${kinds.size} kinds of problems: ${[...kinds.keys()].join(' | ')}`);
  });
}
