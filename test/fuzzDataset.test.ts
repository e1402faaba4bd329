/**
 * Fuzz: the prepared-dataset loader (loadDataset) gets thousands of hostile dataset folders made
 * from one small valid one: manifest.json truncated, byte-flipped, re-encoded (UTF-16, BOM,
 * Latin-1), garbage or non-object JSON, fields deleted / set to wrong types, negative, fractional,
 * huge or NaN-like values, file lists shuffled, duplicated or pointing outside the folder; column
 * files truncated, extended, byte-flipped, deleted, replaced by a folder or a dangling symlink; and
 * column VALUES made hostile with the checksums re-signed (so the semantic checks are reached), with
 * verification on and off. Every case must end in a clean load (a structurally valid dataset) or an
 * InputError naming a file of the case's folder: never another exception, never a hang, and the
 * folder is never written to.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset, saveDataset } from '../lib/data/dataset';
import { prepareDataset } from '../lib/data/prepare';
import type { PreparedDataset } from '../lib/data/prepare/preparedDataset';
import { Feedback, LogBuilder } from '../lib/data/schema';
import { InputError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

const CASES = 3000;
const CASE_MS = 2000;

let root = '';
let work = ''; // the folder every case is written into (restored after each case)
let pristine = new Map<string, Buffer>();
let manifest: Record<string, unknown> = {};

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-fuzzds-'));
  const b = new LogBuilder();
  const rng = new Rng(4);
  for (let u = 0; u < 5; u++) {
    for (let d = 0; d < 2; d++) {
      for (let t = 0; t < 6; t++) b.push(u, u * 2 + d, rng.int(10), t === 2 ? Feedback.Order : t % 3 === 0 ? Feedback.Click : Feedback.Skip, d * 86400 + u * 100 + t);
    }
  }
  const items = { n: 10, rawId: Float64Array.from({ length: 10 }, (_, i) => i), category: Int32Array.from({ length: 10 }, (_, i) => i % 3), nCategories: 3, price: new Float32Array(10).fill(2.5), extra: { quality: new Float32Array(10).fill(0.5) } };
  const log = b.build('world', items, 5, Float64Array.from({ length: 5 }, (_, u) => u), 0);
  const ds = await prepareDataset(log, { embeddingDim: 3, N: 3, minItemImpressions: 0, minUserImpressions: 0 });
  work = path.join(root, 'ds');
  await saveDataset(work, ds);
  // the same cases on every run: pin the manifest's time-dependent fields (they are not checksummed)
  const mj = JSON.parse(fs.readFileSync(path.join(work, 'manifest.json'), 'utf8'));
  mj.createdAt = '2018-08-13T00:00:00.000Z';
  for (const k of Object.keys(mj.timings ?? {})) mj.timings[k] = 0;
  if (mj.embedding && 'seconds' in mj.embedding) mj.embedding.seconds = 0;
  fs.writeFileSync(path.join(work, 'manifest.json'), JSON.stringify(mj, null, 2) + '\n');
  for (const f of fs.readdirSync(work)) pristine.set(f, fs.readFileSync(path.join(work, f)));
  manifest = JSON.parse(pristine.get('manifest.json')!.toString('utf8'));
  loadDataset(work); // the pristine folder loads
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

type Content = Buffer | { dir: true } | { symlink: string } | null; // null: deleted

interface Case {
  family: string;
  what: string;
  /** Files to put in place of the pristine ones. */
  files: Map<string, Content>;
  verify: boolean;
  /** When set, an InputError must name exactly this file (relative to the folder). */
  expectFile?: string;
}

const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(a.length)];
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const columnFiles = (): string[] => [...pristine.keys()].filter((f) => f !== 'manifest.json');
const jsonBuf = (x: unknown): Buffer => Buffer.from(JSON.stringify(x, null, 2) + '\n');

const HOSTILE: unknown[] = [
  -1, 0, 1, -7.5, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, 1e21, Number.MAX_SAFE_INTEGER, '12', '', 'NaN', true, false, null,
  [], {}, [1, 2], [-1], { a: 1 }, '../../../etc/passwd', '/etc/passwd', 'x'.repeat(50_000), 'hrl-mg/prepared-dataset', '\u0000', 'é',
];

/** Every path of a JSON value (objects and arrays), up to `depth` levels. */
function paths(x: unknown, depth: number, pre: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (depth === 0 || x === null || typeof x !== 'object') return out;
  const keys: (string | number)[] = Array.isArray(x) ? x.map((_, i) => i) : Object.keys(x as object);
  for (const k of keys) {
    const p = [...pre, k];
    out.push(p);
    out.push(...paths((x as Record<string | number, unknown>)[k], depth - 1, p));
  }
  return out;
}

function setPath(x: Record<string, unknown>, p: (string | number)[], v: unknown, del = false): void {
  let o = x as Record<string | number, unknown>;
  for (let i = 0; i < p.length - 1; i++) o = o[p[i]] as Record<string | number, unknown>;
  const last = p[p.length - 1];
  if (del) {
    if (Array.isArray(o)) o.splice(Number(last), 1);
    else delete o[last];
  } else o[last] = v;
}

let manifestPaths: (string | number)[][] = [];

function makeCase(rng: Rng, n: number): Case {
  const files = new Map<string, Content>();
  const verify = rng.int(4) !== 0; // mostly with checksums, a quarter without
  const family = pick(rng, ['manifest-field', 'manifest-field', 'manifest-delete', 'manifest-list', 'manifest-sizes', 'manifest-text', 'manifest-encoding', 'column-bytes', 'column-bytes', 'column-file', 'column-values', 'column-values', 'folder']);
  const m = clone(manifest);
  const mf = m.files as Record<string, unknown>[];
  switch (family) {
    case 'manifest-field': {
      const p = pick(rng, manifestPaths);
      const v = pick(rng, HOSTILE);
      setPath(m, p, v);
      files.set('manifest.json', jsonBuf(m));
      return { family, what: `${p.join('.')} = ${JSON.stringify(v)?.slice(0, 40)}`, files, verify };
    }
    case 'manifest-delete': {
      const p = pick(rng, manifestPaths);
      setPath(m, p, undefined, true);
      files.set('manifest.json', jsonBuf(m));
      return { family, what: `delete ${p.join('.')}`, files, verify };
    }
    case 'manifest-list': {
      const k = rng.int(6);
      const i = rng.int(mf.length);
      const j = rng.int(mf.length);
      let what = '';
      if (k === 0) (mf.splice(i, 1), (what = `drop files[${i}]`));
      else if (k === 1) (mf.push(clone(mf[i])), (what = `duplicate files[${i}]`));
      else if (k === 2) (rng.shuffle(mf), (what = 'shuffle files'));
      else if (k === 3) ([mf[i].file, mf[j].file] = [mf[j].file, mf[i].file], (what = `swap files ${i},${j}`));
      else if (k === 4) ((mf[i].file = pick(rng, ['../manifest.json', '/etc/hostname', 'missing.bin', '.', '', 'sub/x.i32'])), (what = `files[${i}].file = ${mf[i].file}`));
      else (mf.push({ name: 'extra', file: 'extra.bin', dtype: 'uint8', shape: [1], bytes: 1, sha256: 'x' }), (what = 'unknown extra file entry'));
      files.set('manifest.json', jsonBuf(m));
      return { family, what, files, verify };
    }
    case 'manifest-sizes': {
      // consistent-looking size changes: the files no longer match the sizes
      const sz = m.sizes as Record<string, unknown> & { train: Record<string, number>; test: Record<string, number> };
      const k = pick(rng, ['nItems', 'nUsers', 'N', 'embeddingDim', 'nCategories', 'train.rows', 'train.sessions', 'test.rows', 'test.sessions']);
      const delta = pick(rng, [-1, 1, -1000, 1000, 1e9, -1e9, 2 ** 40]);
      if (k.includes('.')) {
        const [s, f] = k.split('.') as ['train' | 'test', string];
        sz[s][f] = Math.max(0, sz[s][f] + delta);
      } else sz[k] = Math.max(0, (sz[k] as number) + delta);
      files.set('manifest.json', jsonBuf(m));
      return { family, what: `sizes.${k} += ${delta}`, files, verify };
    }
    case 'manifest-text': {
      const text = pristine.get('manifest.json')!;
      const k = rng.int(8);
      let b: Buffer;
      let what: string;
      if (k === 0) ((b = text.subarray(0, rng.int(text.length))), (what = `truncated to ${b.length} bytes`));
      else if (k === 1) {
        b = Buffer.from(text);
        const flips = 1 + rng.int(4);
        for (let f = 0; f < flips; f++) b[rng.int(b.length)] ^= 1 << rng.int(8);
        what = `${flips} bit flips`;
      } else if (k === 2) ((b = Buffer.from(pick(rng, ['', ' ', 'null', '[]', '42', '"str"', 'true', '{', '{"format":', 'hello', '\u0000\u0001\u0002']))), (what = `text ${JSON.stringify(b.toString())}`));
      else if (k === 3) ((b = Buffer.from(text.toString().replace(/: (\d+)/g, (s) => (rng.int(3) === 0 ? ': NaN' : rng.int(3) === 0 ? ': Infinity' : s)))), (what = 'NaN/Infinity literals'));
      else if (k === 4) ((b = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000))), (what = 'deeply nested'));
      else if (k === 5) ((b = Buffer.concat([text, Buffer.from(rng.int(2) ? '\n{"more": 1}' : 'garbage')])), (what = 'trailing garbage'));
      else if (k === 6) {
        const s = text.toString();
        const at = rng.int(s.length);
        b = Buffer.from(s.slice(0, at) + '\uFFFD\u202E' + s.slice(at));
        what = 'unicode inserted';
      } else {
        b = Buffer.alloc(rng.int(4096));
        what = `${b.length} zero bytes`;
      }
      files.set('manifest.json', b);
      return { family, what, files, verify };
    }
    case 'manifest-encoding': {
      const s = pristine.get('manifest.json')!.toString('utf8');
      const k = rng.int(4);
      const b = k === 0 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]) : k === 1 ? Buffer.from(s, 'utf16le') : k === 2 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]) : Buffer.from(s.replace(/"/g, '\u201c'), 'latin1');
      files.set('manifest.json', b);
      return { family, what: ['UTF-16LE with BOM', 'UTF-16LE', 'UTF-8 BOM', 'Latin-1 smart quotes'][k], files, verify };
    }
    case 'column-bytes': {
      const f = pick(rng, columnFiles());
      const orig = pristine.get(f)!;
      const k = rng.int(4);
      let b: Buffer;
      let what: string;
      if (k === 0) ((b = orig.subarray(0, rng.int(Math.max(1, orig.length)))), (what = `${f} truncated to ${b.length}/${orig.length}`));
      else if (k === 1) ((b = Buffer.concat([orig, Buffer.alloc(1 + rng.int(16), 0xab)])), (what = `${f} extended`));
      else {
        b = Buffer.from(orig);
        if (b.length === 0) return makeCase(rng, n);
        const flips = 1 + rng.int(3);
        for (let x = 0; x < flips; x++) b[rng.int(b.length)] ^= 1 << rng.int(8);
        what = `${f}: ${flips} bit flips`;
      }
      files.set(f, b);
      // with checksums on, every such change of a column must be caught and named
      return { family, what, files, verify, expectFile: verify && !b.equals(orig) ? f : undefined };
    }
    case 'column-file': {
      const f = pick(rng, columnFiles());
      const k = rng.int(3);
      files.set(f, k === 0 ? null : k === 1 ? { dir: true } : { symlink: pick(rng, ['nowhere.bin', f, '/dev/null']) });
      return { family, what: `${f} ${['deleted', 'replaced by a folder', 'replaced by a symlink'][k]}`, files, verify, expectFile: k === 2 ? undefined : f };
    }
    case 'column-values': {
      // hostile values with the checksum (and nothing else) re-signed: only the semantic checks stand
      const f = pick(rng, columnFiles());
      const entry = mf.find((e) => e.file === f)!;
      const b = Buffer.from(pristine.get(f)!);
      const dtype = entry.dtype as string;
      const w = { float64: 8, float32: 4, int32: 4, uint8: 1 }[dtype]!;
      const count = b.length / w;
      if (count === 0) return makeCase(rng, n);
      const hits = 1 + rng.int(3);
      const vals: number[] = [];
      for (let h = 0; h < hits; h++) {
        const i = rng.int(count);
        if (dtype === 'uint8') b[i] = pick(rng, [3, 7, 255, 128]);
        else if (dtype === 'int32') b.writeInt32LE(pick(rng, [-1, -2147483648, 2147483647, 1_000_000, count, count + 1]), i * 4);
        else if (dtype === 'float32') b.writeFloatLE(pick(rng, [NaN, Infinity, -Infinity, 3.4e38, -1e30, -0]), i * 4);
        else b.writeDoubleLE(pick(rng, [NaN, Infinity, -1e300, 1e300, 2 ** 60, -1]), i * 8);
        vals.push(i);
      }
      entry.sha256 = sha(b);
      files.set(f, b);
      files.set('manifest.json', jsonBuf(m));
      return { family, what: `${f}: ${hits} hostile values at [${vals}] (re-signed)`, files, verify };
    }
    default: {
      // folder level: manifest.json missing, a dangling symlink, everything gone
      // (manifest.json as a FOLDER is the separate todo test below)
      const k = rng.int(3);
      if (k === 0) files.set('manifest.json', null);
      else if (k === 1) files.set('manifest.json', { symlink: 'gone.json' });
      else for (const f of pristine.keys()) files.set(f, null);
      return { family, what: ['manifest.json missing', 'manifest.json a dangling symlink', 'empty folder'][k], files, verify };
    }
  }
}

function put(f: string, c: Content): void {
  const p = path.join(work, f);
  fs.rmSync(p, { recursive: true, force: true });
  if (c === null) return;
  if (Buffer.isBuffer(c)) fs.writeFileSync(p, c);
  else if ('dir' in c) fs.mkdirSync(p);
  else fs.symlinkSync(c.symlink, p);
}

/** Structural validity of a clean load (what every consumer relies on). */
function checkLoaded(ds: PreparedDataset): void {
  const sz = ds.manifest.sizes;
  assert.equal(ds.items.n, sz.nItems);
  assert.equal(ds.embeddings.length, sz.nItems * sz.embeddingDim);
  for (const sp of [ds.train, ds.test]) {
    const rows = sp.log.item.length;
    for (const k of ['browsed', 'clicked', 'ordered'] as const) assert.equal(sp[k].length, rows * sz.N);
    for (let r = 0; r < rows; r++) assert.ok(sp.log.item[r] >= 0 && sp.log.item[r] < sz.nItems, 'item index in range');
    assert.equal(sp.log.sessionStart.length, sp.log.nSessions + 1);
  }
}

test(`${CASES} hostile dataset folders: a clean load or an InputError naming the file, nothing else`, { timeout: 300_000 }, () => {
  manifestPaths = paths(manifest, 4).filter((p) => p[0] !== 'statistics' || p.length <= 2);
  const rng = new Rng(20240611);
  const tally = new Map<string, { n: number; loaded: number; errors: number }>();
  const listing = (): string => fs.readdirSync(work).sort().join('|');
  const before = listing();
  let slowest = 0;
  const failures: string[] = [];
  const t0 = Date.now();
  for (let n = 0; n < CASES; n++) {
    const c = makeCase(rng, n);
    for (const [f, content] of c.files) put(f, content);
    const during = listing();
    const t = Date.now();
    const label = `case ${n} [${c.family}] ${c.what} (verify ${c.verify})`;
    let outcome: 'loaded' | 'error' | 'bad' = 'bad';
    try {
      const ds = loadDataset(work, { verify: c.verify });
      try {
        checkLoaded(ds);
        outcome = 'loaded';
        if (c.expectFile) failures.push(`${label}: the corrupt column loaded`);
      } catch (e) {
        failures.push(`${label}: loaded an invalid dataset: ${(e as Error).message}`);
      }
    } catch (e) {
      if (!(e instanceof InputError)) failures.push(`${label}: ${(e as Error)?.name}: ${(e as Error)?.message?.split('\n')[0]} @ ${(e as Error)?.stack?.split('\n').find((l) => l.includes('/lib/'))?.trim()}`);
      else if (!(e.file === work || e.file.startsWith(work + path.sep))) failures.push(`${label}: error names ${e.file}, outside the folder`);
      else if (!e.message.startsWith(e.file)) failures.push(`${label}: message does not start with the file: ${e.message}`);
      else if (/\n\s+at /.test(e.message)) failures.push(`${label}: stack in message`);
      else if (c.expectFile && path.relative(work, e.file) !== c.expectFile) failures.push(`${label}: names ${e.file}, expected ${c.expectFile}: ${e.message}`);
      else outcome = 'error';
    }
    const ms = Date.now() - t;
    slowest = Math.max(slowest, ms);
    if (ms >= CASE_MS) failures.push(`${label}: took ${ms} ms`);
    if (listing() !== during) failures.push(`${label}: the loader changed the folder`);
    const s = tally.get(c.family) ?? { n: 0, loaded: 0, errors: 0 };
    s.n++;
    if (outcome === 'loaded') s.loaded++;
    else if (outcome === 'error') s.errors++;
    tally.set(c.family, s);
    // restore the pristine folder
    for (const f of c.files.keys()) put(f, pristine.has(f) ? pristine.get(f)! : null);
  }
  assert.equal(listing(), before);
  loadDataset(work); // restored
  const rows = [...tally].sort().map(([k, s]) => `${k}: ${s.n} (${s.loaded} loaded, ${s.errors} InputError)`);
  process.stderr.write(`# fuzzDataset: ${CASES} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s, slowest ${slowest} ms\n#   ${rows.join('\n#   ')}\n`);
  // one example per kind of failure (the message without the case number)
  const kinds = new Map<string, string>();
  for (const f of failures) {
    const key = f.replace(/^case \d+ /, '').replace(/\(verify (true|false)\)/, '').replace(/\d+/g, '#');
    if (!kinds.has(key)) kinds.set(key, f);
  }
  assert.equal(failures.length, 0, `${failures.length} bad outcomes of ${kinds.size} kinds:\n${[...kinds.values()].slice(0, 30).join('\n')}`);
  for (const [k, s] of tally) assert.ok(s.n >= 50, `family ${k} ran ${s.n} cases`);
  assert.ok([...tally.values()].reduce((a, s) => a + s.errors, 0) > CASES / 2, 'most hostile folders are rejected');
});

test('the dataset path is a file, or does not exist: InputError', () => {
  const file = path.join(root, 'a-file');
  fs.writeFileSync(file, 'x');
  for (const p of [file, path.join(root, 'nope'), path.join(file, 'below')]) {
    assert.throws(() => loadDataset(p), (e: unknown) => e instanceof InputError && e.file.startsWith(p), p);
  }
});

// Found by this fuzzer: readManifest used to read a folder named manifest.json and throw a raw EISDIR.
test('manifest.json that is a folder: InputError, not EISDIR', () => {
  const dir = path.join(root, 'manifest-folder');
  fs.mkdirSync(path.join(dir, 'manifest.json'), { recursive: true });
  assert.throws(() => loadDataset(dir), (e: unknown) => e instanceof InputError && /manifest\.json: must be a file/.test(e.message));
});
