import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS } from '../lib/cli/commands';
import { main } from '../lib/cli/main';
import { loadDataset, saveDataset } from '../lib/data/dataset';
import { prepareDataset } from '../lib/data/prepare';
import { Feedback, LogBuilder } from '../lib/data/schema';
import { Rng } from '../lib/util/rng';

// the compiled CLI next to this compiled test, whichever dist-* folder it was built into
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-cli-'));

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, HRLMG_QUIET: '1' }, timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function oneLineError(r: { code: number | null; err: string }, re: RegExp): void {
  assert.equal(r.code, 2, r.err);
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.err}`);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.err, /\n\s+at /);
}

test('top-level --help lists every command', () => {
  const r = cli('--help');
  assert.equal(r.code, 0);
  for (const name of Object.keys(COMMANDS)) assert.match(r.out, new RegExp(`^  ${name} `, 'm'));
  const none = cli();
  assert.equal(none.code, 2);
  assert.match(none.out, /Usage: hrlmg <command>/);
});

test('--help works for every command and lists options with defaults', () => {
  for (const name of Object.keys(COMMANDS)) {
    const r = cli(name, '--help');
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    assert.match(r.out, new RegExp(`^Usage: hrlmg ${name}`), name);
    assert.match(r.out, /--help, -h/);
  }
  const g = cli('generate', '--help').out;
  assert.match(g, /^ {2}--trainImpressions +200000 +THE size knob/m);
  assert.match(g, /^ {2}--embeddingDim +50 +item embedding dimension/m);
  assert.match(g, /^ {2}--N +10 +history length/m);
  assert.match(g, /^ {2}--out DIR +"data\/world"/m);
  const p = cli('prepare', '--help').out;
  for (const k of ['adapter NAME', 'input FILE', 'negativesPerPositive', 'minItemImpressions', 'taobao', 'yoochoose']) assert.ok(p.includes(k), k);
  assert.equal(cli('help', 'stats').code, 0);
});

test('bad command lines: one-line message, exit 2', () => {
  oneLineError(cli('generate', '--bogus', '3'), /^hrlmg generate: error: unknown option --bogus \(see hrlmg generate --help\)$/);
  oneLineError(cli('frobnicate'), /unknown command "frobnicate"/);
  oneLineError(cli('stats'), /expected DIR, got none/);
  oneLineError(cli('generate', '--N', 'abc'), /--N: expected a number, got "abc"/);
  oneLineError(cli('generate', '--embeddingDim', '0'), /prepare\.embeddingDim: must be >= 1, got 0/);
  oneLineError(cli('generate', '--nItems', '3'), /world\.nItems: must be >= 50/);
  oneLineError(cli('generate', '--out'), /option --out needs a value/);
  oneLineError(cli('prepare', '--adapter', 'nope', '--input', 'x.csv'), /unknown adapter "nope"/);
  oneLineError(cli('prepare', '--adapter', 'taobao', '--input', 'missing.csv'), /missing\.csv: no such file/);
  oneLineError(cli('prepare', '--adapter', 'yoochoose', '--input', 'a.dat'), /needs 2 input file\(s\)/);
  oneLineError(cli('stats', path.join(work, 'nothing-here')), /dataset folder does not exist/);
});

test('an unexpected error prints the stack and exits 1', async () => {
  COMMANDS.boom = { summary: 'test only', help: () => '', run: async () => { throw new TypeError('kaboom'); } };
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => (chunks.push(String(s)), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(['boom']), 1);
  } finally {
    process.stderr.write = write;
    delete COMMANDS.boom;
  }
  assert.match(chunks.join(''), /TypeError: kaboom\n\s+at /);
});

test('stats prints the numbers of a saved dataset; --verify catches corruption', async () => {
  const b = new LogBuilder();
  const rng = new Rng(4);
  for (let u = 0; u < 6; u++) {
    for (let d = 0; d < 2; d++) {
      for (let t = 0; t < 8; t++) b.push(u, u * 2 + d, rng.int(12), t === 2 ? Feedback.Order : t % 3 === 0 ? Feedback.Click : Feedback.Skip, d * 86400 + u * 100 + t);
    }
  }
  const items = { n: 12, rawId: Float64Array.from({ length: 12 }, (_, i) => i), category: new Int32Array(12), nCategories: 1, price: new Float32Array(12), extra: {} };
  const log = b.build('world', items, 6, Float64Array.from({ length: 6 }, (_, u) => u), 0);
  const ds = await prepareDataset(log, { embeddingDim: 3, minItemImpressions: 0, minUserImpressions: 0 });
  const dir = path.join(work, 'tiny');
  await saveDataset(dir, ds);
  const r = cli('stats', dir);
  assert.equal(r.code, 0, r.err);
  // train: 6 users x 8 impressions, 6 x 3 clicks (t = 0, 3, 6 click; t = 2 order), 6 orders
  assert.match(r.out, /impressions +48 +48/);
  assert.match(r.out, /clicks \(incl\. orders\) +24 +24/);
  assert.match(r.out, /orders +6 +6/);
  assert.match(r.out, /click rate +50\.00% +50\.00%/);
  assert.match(r.out, /orders per click +25\.00% +25\.00%/);
  assert.match(r.out, /users +6 +6/);
  const v = cli('stats', dir, '--verify');
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /verified: \d+ files/);
  const j = JSON.parse(cli('stats', dir, '--json').out);
  assert.equal(j.statistics.train.impressions, 48);
  fs.appendFileSync(path.join(dir, 'test.item.i32'), Buffer.alloc(4));
  oneLineError(cli('stats', dir, '--verify'), /test\.item\.i32: has 196 bytes, manifest\.json says 192/);
});

test('generate and prepare end to end on tiny inputs', () => {
  const g = cli('generate', '--out', 'w', '--trainImpressions', '2000', '--nItems', '60', '--nCategories', '4', '--no-calibrate', '--embeddingDim', '8', '--seed', '3');
  assert.equal(g.code, 0, g.err);
  const w = loadDataset(path.join(work, 'w'));
  assert.equal(w.manifest.source, 'world');
  const info = w.manifest.sourceInfo as { kind: string; config: { seed: number; nItems: number; trainImpressions: number } };
  assert.equal(info.kind, 'world');
  assert.deepEqual([info.config.seed, info.config.nItems, info.config.trainImpressions], [3, 60, 2000]);
  assert.equal(w.manifest.config.seed, 3);
  assert.deepEqual(w.manifest.days, { train: [0], test: [1] });
  assert.equal(w.embeddings.length, w.items.n * 8);

  // a tiny RetailRocket events.csv over two days
  const rng = new Rng(9);
  const lines = ['timestamp,visitorid,event,itemid,transactionid'];
  const t0 = 1433221200000; // 2015-06-02 05:00 UTC
  for (let v = 0; v < 15; v++) {
    for (let d = 0; d < 2; d++) {
      for (let k = 0; k < 6; k++) {
        const ev = k === 5 && v % 3 === 0 ? 'transaction' : k === 4 ? 'addtocart' : 'view';
        lines.push(`${t0 + d * 86400000 + v * 600000 + k * 30000},${100 + v},${ev},${500 + rng.int(25)},${ev === 'transaction' ? 7 : ''}`);
      }
    }
  }
  fs.writeFileSync(path.join(work, 'events.csv'), lines.join('\n') + '\n');
  const p = cli('prepare', '--adapter', 'retailrocket', '--input', 'events.csv', '--embeddingDim', '4', '--minItemImpressions', '1', '--negativesPerPositive', '2', '--N', '5');
  assert.equal(p.code, 0, p.err);
  const rr = loadDataset(path.join(work, 'data', 'retailrocket'));
  assert.equal(rr.manifest.source, 'retailrocket');
  assert.equal(rr.train.N, 5);
  assert.equal((rr.manifest.sourceInfo as { adapter: string }).adapter, 'retailrocket');
  assert.ok(rr.train.log.item.length > 0 && rr.test.log.item.length > 0);
  assert.match(p.out, /impressions/);
});

test.after(() => fs.rmSync(work, { recursive: true, force: true }));
