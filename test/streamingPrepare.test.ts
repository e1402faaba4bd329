import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset, saveDataset } from '../lib/data/dataset';
import { cooccurrence, outcomeCounts } from '../lib/data/embeddings';
import { PrepareConfig, prepareDataset } from '../lib/data/prepare';
import { EventLog, Feedback, LogBuilder } from '../lib/data/schema';
import { CooccurrenceAccumulator, eventLogSource, LogChunk, LogSource, streamPrepareDataset } from '../lib/data/stream';
import { generateWorld } from '../lib/data/world';
import { ConfigError, InputError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

const made: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-stream-'));
  made.push(d);
  return d;
}
test.after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** manifest.json text with the fields that legitimately differ (creation time, timings) blanked. */
function normalizedManifest(dir: string): string {
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  m.createdAt = 'X';
  m.timings = {};
  m.embedding.seconds = 0;
  return JSON.stringify(m, null, 2); // key order is compared too
}

/** Both folders hold the same files, byte for byte, and the same manifest (up to times). */
function assertSameDataset(a: string, b: string): void {
  assert.deepEqual(fs.readdirSync(b).sort(), fs.readdirSync(a).sort());
  assert.equal(normalizedManifest(b), normalizedManifest(a));
  for (const f of fs.readdirSync(a)) {
    if (f === 'manifest.json') continue;
    assert.ok(fs.readFileSync(a + '/' + f).equals(fs.readFileSync(b + '/' + f)), `${f} differs`);
  }
}

async function inMemory(log: EventLog, dir: string, cfg: Partial<PrepareConfig>): Promise<void> {
  await saveDataset(dir, await prepareDataset(log, cfg, { sourceInfo: { kind: 'test' } }));
}

/** A LogSource over an EventLog that is not an EventLog (exercises the generic path), with a hook per chunk. */
function wrapped(log: EventLog, onChunk: (pass: number, chunk: number, c: LogChunk) => void = () => {}): LogSource {
  const inner = eventLogSource(log);
  let pass = 0;
  return {
    ...inner,
    async *chunks(maxRows: number) {
      pass++;
      let k = 0;
      for (const c of inner.chunks(maxRows)) {
        onChunk(pass, k++, c);
        yield c;
      }
    },
  };
}

/** A random three-day log with long-tail items, one-session users and test-only (cold) users. */
function randomLog(seed: number): EventLog {
  const rng = new Rng(seed);
  const b = new LogBuilder();
  const nItems = 80;
  const nUsers = 40;
  let key = 0;
  for (let u = 0; u < nUsers; u++) {
    for (let d = 0; d < 3; d++) {
      if (u % 9 === 0 && d < 2) continue; // cold: test day only
      const nSess = u % 5 === 0 ? 1 : 1 + rng.int(3);
      for (let k = 0; k < nSess; k++) {
        key++;
        const len = 1 + rng.int(9);
        // a later-keyed session may start earlier (exercises the train/test history merge order)
        const start = 1533945600 + d * 86400 + rng.int(40000);
        for (let t = 0; t < len; t++) {
          const x = rng.random();
          const item = Math.floor(nItems * rng.random() ** 2);
          b.push(u, key, item, x < 0.05 ? Feedback.Order : x < 0.3 ? Feedback.Click : Feedback.Skip, start + t * 7);
        }
      }
    }
  }
  const items = {
    n: nItems,
    rawId: Float64Array.from({ length: nItems }, (_, i) => 9000 + i),
    category: Int32Array.from({ length: nItems }, (_, i) => i % 4),
    nCategories: 4,
    price: Float32Array.from({ length: nItems }, (_, i) => (i % 3 ? 1 + i : NaN)),
    extra: { quality: Float32Array.from({ length: nItems }, (_, i) => i / nItems), bait: Float32Array.from({ length: nItems }, (_, i) => i % 2) },
  };
  return b.build('world', items, nUsers, Float64Array.from({ length: nUsers }, (_, u) => 100 + 3 * u), 1533945600);
}

test('mid-size world: streaming preparation writes the same dataset as in-memory preparation (many chunks)', async () => {
  const { log } = generateWorld({ trainImpressions: 60_000, nItems: 2000, calibrate: false, seed: 5 });
  const chunkRows = 7000;
  const nChunks = [...eventLogSource(log).chunks(chunkRows)].length;
  assert.ok(nChunks >= 8, `only ${nChunks} chunks`);
  const root = tmpDir();
  const cfg: Partial<PrepareConfig> = { embeddingDim: 16, minItemImpressions: 5, minUserImpressions: 2 };
  await inMemory(log, path.join(root, 'mem'), cfg);
  const m = await streamPrepareDataset(log, path.join(root, 'stream'), cfg, { chunkRows, cooccurrenceBatchRows: 20_000, sourceInfo: { kind: 'test' } });
  assertSameDataset(path.join(root, 'mem'), path.join(root, 'stream'));
  assert.ok(m.filter.itemsKept < m.filter.itemsIn, 'the long-tail filter dropped items');
  assert.ok(m.sizes.test.rows > 0 && m.sizes.train.rows > 50_000);
  // loadDataset reads it (checksums, shapes, histories in range)
  const ds = loadDataset(path.join(root, 'stream'));
  assert.equal(ds.train.browsed.length, m.sizes.train.rows * m.sizes.N);
});

test('filters, cold users, a dropped day, one user per chunk, uniform distance: same dataset', async () => {
  const log = randomLog(3);
  const root = tmpDir();
  const cfg: Partial<PrepareConfig> = {
    trainDays: [0],
    testDays: [2],
    minItemImpressions: 2,
    minItemClicks: 1,
    minUserImpressions: 3,
    minUserSessions: 1,
    embeddingDim: 5,
    N: 4,
    embWindow: 3,
    embDistance: 'uniform',
    embNormalize: 'none',
  };
  await inMemory(log, path.join(root, 'mem'), cfg);
  const mem = loadDataset(path.join(root, 'mem'));
  assert.ok(mem.manifest.filter.coldUsersKept > 0 && mem.manifest.filter.usersKept < mem.manifest.filter.usersIn);
  assert.ok(mem.manifest.embedding.fallbackItems >= 0);
  let chunks = 0;
  const src = wrapped(log, (pass) => {
    if (pass === 5) chunks++;
  });
  await streamPrepareDataset(src, path.join(root, 'stream'), cfg, { chunkRows: 1, cooccurrenceBatchRows: 1, sourceInfo: { kind: 'test' } });
  assertSameDataset(path.join(root, 'mem'), path.join(root, 'stream'));
  assert.equal(chunks, new Set(log.sessionUser).size, 'one chunk per user');
  // dropColdUsers and a different chunk size
  const cfg2 = { ...cfg, dropColdUsers: true, embDistance: 'harmonic' as const };
  await inMemory(log, path.join(root, 'mem2'), cfg2);
  await streamPrepareDataset(log, path.join(root, 'stream2'), cfg2, { chunkRows: 50, sourceInfo: { kind: 'test' } });
  assertSameDataset(path.join(root, 'mem2'), path.join(root, 'stream2'));
  assert.equal(loadDataset(path.join(root, 'stream2')).manifest.filter.coldUsersKept, 0);
});

test('co-occurrence accumulated over chunks is bit-identical to cooccurrence() on the whole log', () => {
  const log = randomLog(8);
  const opts = { window: 4, feedbackWeight: [0.3, 1, 2] as [number, number, number], distance: 'harmonic' as const };
  const want = cooccurrence(log, opts);
  const acc = new CooccurrenceAccumulator(log.items.n, { ...opts, batchRows: 40, blocks: 7 });
  for (const c of eventLogSource(log).chunks(13)) acc.add(c);
  assert.ok(acc.folds > 10);
  const got = acc.toCsr();
  assert.deepEqual(Array.from(got.indptr), Array.from(want.indptr));
  assert.deepEqual(Array.from(got.indices), Array.from(want.indices));
  assert.ok(Buffer.from(got.data.buffer).equals(Buffer.from(want.data.buffer)));
  // and the per-item outcome counts (engagement extension) equal the whole-log counts
  assert.deepEqual(Array.from(acc.outcomes), Array.from(outcomeCounts(log)));
});

test('engagement extension (reserved dims, outcome tokens, off): streaming writes the same dataset as in-memory', async () => {
  const log = randomLog(6);
  const root = tmpDir();
  const base: Partial<PrepareConfig> = { minItemImpressions: 2, embeddingDim: 8, N: 3 };
  const variants: Partial<PrepareConfig>[] = [
    { embOutcomeWeight: 2, embOutcomeMode: 'reserved', embOutcomeDims: 2, embOutcomeTokenWeights: [0.5, 1, 2], embOutcomeSmoothing: 5 },
    { embOutcomeWeight: 1, embOutcomeMode: 'tokens' },
    { embOutcomeWeight: 0 },
  ];
  const embs: Buffer[] = [];
  for (const [k, v] of variants.entries()) {
    const cfg = { ...base, ...v };
    await inMemory(log, path.join(root, `mem${k}`), cfg);
    await streamPrepareDataset(log, path.join(root, `stream${k}`), cfg, { chunkRows: 37, cooccurrenceBatchRows: 60, sourceInfo: { kind: 'test' } });
    assertSameDataset(path.join(root, `mem${k}`), path.join(root, `stream${k}`));
    const ds = loadDataset(path.join(root, `stream${k}`));
    assert.equal(ds.manifest.embedding.outcomes?.mode ?? null, k === 2 ? null : v.embOutcomeMode);
    embs.push(Buffer.from(ds.embeddings.buffer, ds.embeddings.byteOffset, ds.embeddings.byteLength));
  }
  assert.ok(!embs[0].equals(embs[2]) && !embs[1].equals(embs[2]), 'the outcomes change the embeddings');
});

test('a failure midway leaves nothing behind and keeps the previous dataset', async () => {
  const log = randomLog(4);
  const root = tmpDir();
  const dir = path.join(root, 'ds');
  const cfg: Partial<PrepareConfig> = { minItemImpressions: 1, embeddingDim: 4, N: 3 };
  await streamPrepareDataset(log, dir, cfg, { chunkRows: 40 });
  const before = fs.readFileSync(path.join(dir, 'manifest.json'));
  const boom = new Error('disk on fire');
  const failing = (): LogSource =>
    wrapped(log, (pass, chunk) => {
      if (pass === 5 && chunk === 3) throw boom;
    });
  await assert.rejects(streamPrepareDataset(failing(), dir, { ...cfg, N: 5 }, { chunkRows: 40 }), (e) => e === boom);
  assert.deepEqual(fs.readdirSync(root), ['ds'], 'no temporary folder left');
  assert.ok(fs.readFileSync(path.join(dir, 'manifest.json')).equals(before), 'previous dataset untouched');
  loadDataset(dir);
  // and a fresh target is not created at all
  await assert.rejects(streamPrepareDataset(failing(), path.join(root, 'new'), cfg, { chunkRows: 40 }), (e) => e === boom);
  assert.deepEqual(fs.readdirSync(root), ['ds']);
});

test('bad input and bad configs fail before anything is written', async () => {
  const log = randomLog(5);
  const root = tmpDir();
  await assert.rejects(streamPrepareDataset(log, path.join(root, 'a'), { embeddingDim: 500 }), (e) => e instanceof ConfigError && /prepare\.embeddingDim/.test(e.message));
  await assert.rejects(streamPrepareDataset(log, path.join(root, 'b'), { minItemImpressions: 1e6 }), (e) => e instanceof ConfigError && /no training rows/.test(e.message));
  // a source whose sessions are not sorted by user
  const src = wrapped(log, (pass, k, c) => {
    if (pass === 1 && k === 2) c.sessionUser = Int32Array.from(c.sessionUser, () => 0);
  });
  await assert.rejects(streamPrepareDataset(src, path.join(root, 'c'), {}, { chunkRows: 30 }), (e) => e instanceof InputError && /not sorted by user/.test(e.message));
  assert.deepEqual(fs.readdirSync(root), []);
});

test('CLI: generate --stream and prepare --stream write the same datasets as without', () => {
  const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
  const root = tmpDir();
  const cli = (...args: string[]): string => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, HRLMG_QUIET: '1' }, timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const world = ['--trainImpressions', '3000', '--nItems', '80', '--nCategories', '4', '--no-calibrate', '--embeddingDim', '6', '--seed', '2'];
  cli('generate', '--out', 'mem', ...world);
  cli('generate', '--out', 'stream', '--stream', ...world);
  // a tiny Taobao file (the official window, two days)
  const rng = new Rng(6);
  const lines: string[] = [];
  for (let u = 0; u < 30; u++) {
    for (let d = 0; d < 2; d++) {
      for (let k = 0; k < 8; k++) lines.push(`${500 + u},${1 + rng.int(40)},${7 + rng.int(3)},${k === 7 && u % 4 === 0 ? 'buy' : 'pv'},${1511568000 + d * 86400 + u * 300 + k * 20}`);
    }
  }
  fs.writeFileSync(path.join(root, 'ub.csv'), lines.join('\n') + '\n');
  const prep = ['--adapter', 'taobao', '--input', 'ub.csv', '--embeddingDim', '4', '--minItemImpressions', '1', '--negativesPerPositive', '2'];
  cli('prepare', '--out', 'tb-mem', ...prep);
  cli('prepare', '--out', 'tb-stream', '--stream', ...prep);
  for (const [a, b] of [['mem', 'stream'], ['tb-mem', 'tb-stream']]) {
    // sourceInfo records the generation / reading seconds: blank them too
    for (const d of [a, b]) {
      const f = path.join(root, d, 'manifest.json');
      const m = JSON.parse(fs.readFileSync(f, 'utf8'));
      if (m.sourceInfo.generateSeconds !== undefined) m.sourceInfo.generateSeconds = 0;
      if (m.sourceInfo.readSeconds !== undefined) {
        m.sourceInfo.readSeconds = 0;
        m.sourceInfo.adapterStats.seconds = 0;
        m.sourceInfo.adapterStats.rowsPerSecond = 0;
      }
      fs.writeFileSync(f, JSON.stringify(m, null, 2) + '\n');
    }
    assertSameDataset(path.join(root, a), path.join(root, b));
  }
  assert.match(cli('stats', 'stream', '--verify'), /verified: \d+ files/);
});
