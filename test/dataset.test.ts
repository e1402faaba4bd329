import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset, readManifest, saveDataset } from '../lib/data/dataset';
import { PreparedDataset, prepareDataset } from '../lib/data/prepare';
import { EventLog, Feedback, LogBuilder } from '../lib/data/schema';
import { InputError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

/** A small random two-day log: 30 items in 3 categories, 12 users. */
function smallLog(seed = 1): EventLog {
  const rng = new Rng(seed);
  const b = new LogBuilder();
  let key = 0;
  for (let u = 0; u < 12; u++) {
    for (let d = 0; d < 2; d++) {
      for (let k = 0; k < 2 - d; k++) {
        key++;
        const len = 5 + rng.int(4);
        for (let t = 0; t < len; t++) {
          const x = rng.random();
          b.push(u, key, rng.int(30), x < 0.05 ? Feedback.Order : x < 0.3 ? Feedback.Click : Feedback.Skip, 1533945600 + d * 86400 + k * 3600 + u * 60 + t);
        }
      }
    }
  }
  const items = {
    n: 30,
    rawId: Float64Array.from({ length: 30 }, (_, i) => 5000 + i),
    category: Int32Array.from({ length: 30 }, (_, i) => i % 3),
    nCategories: 3,
    price: Float32Array.from({ length: 30 }, (_, i) => 1 + i / 2),
    extra: { quality: Float32Array.from({ length: 30 }, (_, i) => (i % 7) / 7) },
  };
  return b.build('world', items, 12, Float64Array.from({ length: 12 }, (_, u) => 70 + u), 1533945600);
}

async function smallDataset(): Promise<PreparedDataset> {
  return prepareDataset(smallLog(), { embeddingDim: 4, minItemImpressions: 1, N: 4 }, { sourceInfo: { kind: 'test', seed: 1 } });
}

const made: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-ds-'));
  made.push(d);
  return d;
}
test.after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

const bytes = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

test('save -> load round trip: byte-identical arrays and an equal manifest', async () => {
  const ds = await smallDataset();
  const dir = path.join(tmpDir(), 'small');
  const written = await saveDataset(dir, ds);
  assert.equal(written.files.length, 4 + 1 + 1 + 2 * 11); // items (4 incl. 1 extra) + users + embeddings + 11 per split
  const back = loadDataset(dir);
  assert.deepEqual(back.manifest, written);
  assert.deepEqual({ ...back.manifest, files: [] }, ds.manifest);
  assert.ok(bytes(back.embeddings).equals(bytes(ds.embeddings)));
  for (const k of ['rawId', 'category', 'price'] as const) assert.ok(bytes(back.items[k]).equals(bytes(ds.items[k])), k);
  assert.ok(bytes(back.items.extra.quality).equals(bytes(ds.items.extra.quality)));
  for (const sp of ['train', 'test'] as const) {
    for (const k of ['browsed', 'clicked', 'ordered'] as const) assert.ok(bytes(back[sp][k]).equals(bytes(ds[sp][k])), `${sp}.${k}`);
    for (const k of ['user', 'session', 'item', 'feedback', 'ts', 'sessionStart', 'sessionUser', 'sessionDay', 'userRawId'] as const) {
      assert.ok(bytes(back[sp].log[k]).equals(bytes(ds[sp].log[k])), `${sp}.${k}`);
    }
    assert.equal(back[sp].log.nSessions, ds[sp].log.nSessions);
    assert.equal(back[sp].N, 4);
  }
  assert.equal(back.items.nCategories, 3);
  assert.deepEqual(readManifest(dir).sourceInfo, { kind: 'test', seed: 1 });
  // files on disk: raw little-endian, exactly the listed sizes
  const f = written.files.find((x) => x.name === 'train.browsed')!;
  assert.equal(f.file, 'train.browsed.i32');
  assert.equal(fs.statSync(path.join(dir, f.file)).size, ds.train.browsed.byteLength);
  assert.deepEqual(f.shape, [ds.train.log.item.length, 4]);
});

function expectInputError(fn: () => unknown, file: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${e}`);
    assert.equal(e.file, file);
    assert.match(e.message, re);
    return true;
  });
}

test('corrupt datasets give an InputError naming the file', async () => {
  const ds = await smallDataset();
  const root = tmpDir();
  let n = 0;
  const fresh = async (): Promise<string> => {
    const d = path.join(root, `c${n++}`);
    await saveDataset(d, ds);
    return d;
  };
  // truncated
  let d = await fresh();
  let file = path.join(d, 'train.browsed.i32');
  fs.truncateSync(file, fs.statSync(file).size - 4);
  expectInputError(() => loadDataset(d), file, /bytes, manifest.json says .* \(truncated or corrupt\)/);
  // one flipped byte
  d = await fresh();
  file = path.join(d, 'test.item.i32');
  const buf = fs.readFileSync(file);
  buf[3] ^= 0x40;
  fs.writeFileSync(file, buf);
  expectInputError(() => loadDataset(d), file, /checksum/);
  // deleted
  d = await fresh();
  file = path.join(d, 'embeddings.f32');
  fs.rmSync(file);
  expectInputError(() => loadDataset(d), file, /missing/);
  // bad manifest JSON (line reported)
  d = await fresh();
  file = path.join(d, 'manifest.json');
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace('"sizes": {', '"sizes": {,'));
  assert.throws(() => loadDataset(d), (e: unknown) => e instanceof InputError && e.file === file && e.line > 1 && /not valid JSON/.test(e.message));
  // no manifest
  d = await fresh();
  fs.rmSync(path.join(d, 'manifest.json'));
  expectInputError(() => loadDataset(d), path.join(d, 'manifest.json'), /missing/);
  // inconsistent shapes: sizes no longer match the file list
  d = await fresh();
  file = path.join(d, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  m.sizes.train.rows += 1;
  fs.writeFileSync(file, JSON.stringify(m));
  expectInputError(() => loadDataset(d), file, /column train\.user is int32 \[\d+\], sizes imply int32 \[\d+\]/);
  // consistent sizes but corrupt content (checksums re-computed by a careless edit): caught by validation
  d = await fresh();
  file = path.join(d, 'train.browsed.i32');
  const h = new Int32Array(ds.train.browsed);
  h[5] = 999;
  fs.writeFileSync(file, bytes(h));
  const m2 = JSON.parse(fs.readFileSync(path.join(d, 'manifest.json'), 'utf8'));
  m2.files.find((x: { name: string }) => x.name === 'train.browsed').sha256 = require('node:crypto').createHash('sha256').update(bytes(h)).digest('hex');
  fs.writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m2));
  expectInputError(() => loadDataset(d), file, /entry 5 = 999 outside/);
  // not a folder at all
  expectInputError(() => loadDataset(path.join(root, 'nope')), path.join(root, 'nope'), /does not exist/);
});

test('a failed save leaves no partial folder and keeps the previous dataset', async () => {
  const ds = await smallDataset();
  const root = tmpDir();
  const dir = path.join(root, 'ds');
  const broken: PreparedDataset = { ...ds, test: { ...ds.test } };
  Object.defineProperty(broken.test, 'ordered', {
    get() {
      throw new Error('disk on fire');
    },
  });
  await assert.rejects(saveDataset(dir, broken), /disk on fire/);
  assert.deepEqual(fs.readdirSync(root), []);
  // over an existing dataset: the old one survives intact
  await saveDataset(dir, ds);
  await assert.rejects(saveDataset(dir, broken), /disk on fire/);
  assert.deepEqual(fs.readdirSync(root), ['ds']);
  assert.ok(bytes(loadDataset(dir).test.ordered).equals(bytes(ds.test.ordered)));
  // a wrong-shaped column is refused before anything is written
  const bad: PreparedDataset = { ...ds, embeddings: new Float32Array(3) };
  await assert.rejects(saveDataset(path.join(root, 'bad'), bad), /column embeddings must be a Float32Array of 120/);
  assert.deepEqual(fs.readdirSync(root), ['ds']);
});
