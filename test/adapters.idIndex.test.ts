import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdIndex } from '../lib/data/adapters/idIndex';
import { Rng } from '../lib/util/rng';

test('IdIndex gives dense indices in first-seen order, like a Map, through many resizes', () => {
  const idx = new IdIndex(4);
  const ref = new Map<number, number>();
  const rng = new Rng(9);
  for (let j = 0; j < 100_000; j++) {
    // Small ids, ids above 2^32 and ids up to 15 digits, with many repeats.
    const kind = rng.int(3);
    const id = kind === 0 ? rng.int(5000) : kind === 1 ? 4294967296 * (1 + rng.int(50)) + rng.int(3) : 1e14 + rng.int(20000) * 7919;
    let want = ref.get(id);
    if (want === undefined) {
      want = ref.size;
      ref.set(id, want);
    }
    assert.equal(idx.intern(id), want);
  }
  assert.equal(idx.size, ref.size);
  for (const [id, v] of ref) assert.equal(idx.get(id), v);
  assert.equal(idx.get(123456789012), -1);
  assert.equal(idx.has(0), ref.has(0));
});
