import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../lib/util/rng';
import { UsageError, ConfigError } from '../lib/util/errors';
import { CandidateRecall, buildCandidatePool, resolveRecallConfig } from '../lib/sim/recall';
import { Feedback } from '../lib/data/schema';
import { tinyDataset } from './simFixture';

const N = 5;

test('pool: right size, distinct, inside the catalogue, deterministic', () => {
  const ds = tinyDataset({ N });
  const r = ds.test.log.sessionStart[0];
  const hist = {
    browsed: ds.test.browsed.slice(r * N, r * N + N),
    clicked: ds.test.clicked.slice(r * N, r * N + N),
    ordered: ds.test.ordered.slice(r * N, r * N + N),
  };
  const a = buildCandidatePool(ds, hist, 40, new Rng(1));
  const b = buildCandidatePool(ds, hist, 40, new Rng(1));
  assert.equal(a.length, 40);
  assert.equal(new Set(a).size, 40);
  for (const i of a) assert.ok(i >= 0 && i < ds.items.n);
  assert.deepEqual(a, b);
  // a pool as large as the catalogue is the whole catalogue
  const all = buildCandidatePool(ds, hist, ds.items.n, new Rng(2));
  assert.deepEqual([...all].sort((x, y) => x - y), Array.from({ length: ds.items.n }, (_, i) => i));
});

test('pool stages: similar items first, then frequent categories, then popularity', () => {
  const ds = tinyDataset({ N });
  const rec = new CandidateRecall(ds, { similarShare: 0.25, categoryShare: 0.25, topCategories: 1 });
  // history: item 7 browsed and clicked -> the top similar item is 7 itself (cosine 1)
  const h = { browsed: Int32Array.from([0, 0, 0, 0, 8]), clicked: Int32Array.from([0, 0, 0, 0, 8]), ordered: new Int32Array(N) };
  const pool = rec.pool(h, 0, N, 20, new Rng(0));
  assert.equal(pool[0], 7);
  // stage 1 (5 items) are the 5 nearest to item 7 by cosine
  const E = rec.E;
  const cos = (i: number): number => {
    let s = 0;
    for (let k = 0; k < E; k++) s += rec.unit[i * E + k] * rec.unit[7 * E + k];
    return s;
  };
  const byCos = Array.from({ length: ds.items.n }, (_, i) => i).sort((a, b) => cos(b) - cos(a) || a - b);
  assert.deepEqual([...pool.slice(0, 5)].sort(), byCos.slice(0, 5).sort());
  // stage 2 (next 5) are in item 7's category (the only history category)
  for (const i of pool.slice(5, 10)) assert.equal(ds.items.category[i], ds.items.category[7]);
  // stage 3 follows the popularity order, skipping items already in the pool
  const rest = rec.popular.filter((i) => !pool.slice(0, 10).includes(i));
  assert.deepEqual([...pool.slice(10)], [...rest.slice(0, 10)]);
});

test('popularity counts clicks (incl. orders) of the train day', () => {
  const ds = tinyDataset({ N });
  const rec = new CandidateRecall(ds);
  const pos = new Float64Array(ds.items.n);
  const log = ds.train.log;
  for (let r = 0; r < log.item.length; r++) if (log.feedback[r] !== Feedback.Skip) pos[log.item[r]]++;
  for (let k = 1; k < rec.popular.length; k++) assert.ok(pos[rec.popular[k - 1]] >= pos[rec.popular[k]]);
});

test('empty history: popular items only', () => {
  const ds = tinyDataset({ N });
  const rec = new CandidateRecall(ds);
  const z = new Int32Array(N);
  const pool = rec.pool({ browsed: z, clicked: z, ordered: z }, 0, N, 10, new Rng(0));
  assert.deepEqual([...pool], [...rec.popular.slice(0, 10)]);
});

test('bad sizes and configs are rejected', () => {
  const ds = tinyDataset({ N });
  const z = new Int32Array(N);
  assert.throws(() => buildCandidatePool(ds, { browsed: z, clicked: z, ordered: z }, ds.items.n + 1, new Rng(0)), UsageError);
  assert.throws(() => buildCandidatePool(ds, { browsed: z, clicked: z, ordered: z }, 0, new Rng(0)), UsageError);
  assert.throws(() => resolveRecallConfig({ similarShare: 0.8, categoryShare: 0.5 }), ConfigError);
});
