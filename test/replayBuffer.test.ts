import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayBuffer } from '../lib/agents/replayBuffer';
import { UsageError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

const fields = { a: { len: 2, type: 'f32' }, id: { len: 1, type: 'i32' }, flag: { len: 1, type: 'u8' } } as const;
const rec = (i: number) => ({ a: [i + 0.5, -i], id: i, flag: i % 2 });

test('ring buffer keeps the last `capacity` records, oldest first', () => {
  const rb = new ReplayBuffer({ capacity: 3, fields });
  assert.equal(rb.size, 0);
  for (let i = 0; i < 5; i++) rb.push(rec(i));
  assert.equal(rb.size, 3);
  assert.equal(rb.totalPushed, 5);
  assert.deepEqual([0, 1, 2].map((i) => rb.get(i).id[0]), [2, 3, 4]);
  const g = rb.get(0);
  assert.deepEqual(Array.from(g.a), [2.5, -2]);
  assert.ok(g.a instanceof Float32Array && g.id instanceof Int32Array && g.flag instanceof Uint8Array);
  assert.equal(g.flag[0], 0);
  assert.throws(() => rb.get(3), UsageError);
});

test('field types are inferred without `as const`: columns have the declared typed-array types', () => {
  const rb = new ReplayBuffer({ capacity: 2, fields: { x: { len: 2, type: 'f32' }, k: { len: 1, type: 'i32' } } });
  rb.push({ x: [1, 2], k: 3 });
  const b = rb.sample(1, new Rng(1));
  const x: Float32Array = b.x; // compile-time check of the mapped column types
  const k: Int32Array = b.k;
  assert.deepEqual([Array.from(x), Array.from(k)], [[1, 2], [3]]);
});

test('pushBatch wraps and keeps only the newest records when n > capacity', () => {
  const rb = new ReplayBuffer({ capacity: 4, fields });
  rb.push(rec(100));
  const n = 6;
  rb.pushBatch({
    a: Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? k / 2 + 0.5 : -(k - 1) / 2)),
    id: Int32Array.from({ length: n }, (_, i) => i),
    flag: [0, 1, 0, 1, 0, 1],
  }, n);
  assert.equal(rb.size, 4);
  assert.equal(rb.totalPushed, 7);
  assert.deepEqual([0, 1, 2, 3].map((i) => rb.get(i).id[0]), [2, 3, 4, 5]);
  assert.deepEqual(Array.from(rb.get(3).a), [5.5, -5]);
  rb.pushBatch({ a: [9.5, -9], id: [9], flag: [1] }, 1);
  assert.deepEqual([0, 1, 2, 3].map((i) => rb.get(i).id[0]), [3, 4, 5, 9]);
});

test('sampling is uniform with replacement, deterministic per seed, and rows stay aligned', () => {
  const rb = new ReplayBuffer({ capacity: 50, fields });
  for (let i = 0; i < 80; i++) rb.push(rec(i));
  const s1 = rb.sample(200, new Rng(7));
  const s2 = rb.sample(200, new Rng(7));
  const s3 = rb.sample(200, new Rng(8));
  assert.deepEqual(Array.from(s1.id), Array.from(s2.id));
  assert.deepEqual(Array.from(s1.a), Array.from(s2.a));
  assert.notDeepEqual(Array.from(s1.id), Array.from(s3.id));
  assert.equal(s1.a.length, 400);
  const seen = new Set<number>();
  for (let j = 0; j < 200; j++) {
    const id = s1.id[j];
    assert.ok(id >= 30 && id < 80, `only live records are sampled, got ${id}`);
    assert.equal(s1.a[2 * j], id + 0.5);
    assert.equal(s1.a[2 * j + 1], -id);
    assert.equal(s1.flag[j], id % 2);
    seen.add(id);
  }
  assert.ok(seen.size > 30 && seen.size < 200, 'with replacement over 50 records');
  assert.throws(() => new ReplayBuffer({ capacity: 2, fields }).sample(1, new Rng(1)), /empty/);
});

test('serialize / deserialize round trip continues identically', () => {
  const rb = new ReplayBuffer({ capacity: 5, fields });
  for (let i = 0; i < 7; i++) rb.push(rec(i));
  const bytes = rb.serialize();
  // Copy at an odd offset: the reader must not depend on alignment.
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const back = ReplayBuffer.deserialize(shifted.subarray(1), fields, 'ckpt/replay.bin');
  assert.equal(back.size, 5);
  assert.equal(back.totalPushed, 7);
  for (let i = 0; i < 5; i++) assert.deepEqual(back.get(i), rb.get(i));
  rb.push(rec(50));
  back.push(rec(50));
  assert.deepEqual(back.sample(20, new Rng(3)), rb.sample(20, new Rng(3)));
  assert.deepEqual(Buffer.compare(back.serialize(), rb.serialize()), 0);
  assert.throws(() => ReplayBuffer.deserialize(bytes.subarray(0, bytes.length - 3)), /truncated or corrupt/);
  assert.throws(() => ReplayBuffer.deserialize(Buffer.from('hello world, not a buffer')), /bad magic/);
  assert.throws(() => ReplayBuffer.deserialize(bytes, { a: { len: 3, type: 'f32' }, id: { len: 1, type: 'i32' }, flag: { len: 1, type: 'u8' } }), /fields differ/);
});

test('width, type and field errors name the field and leave the buffer unchanged', () => {
  const rb = new ReplayBuffer({ capacity: 4, fields });
  rb.push(rec(1));
  assert.throws(() => rb.push({ a: [1, 2, 3], id: 1, flag: 0 }), (e: unknown) => e instanceof UsageError && /field 'a' needs 2 values, got 3/.test(e.message));
  assert.throws(() => rb.push({ a: [1, 2], id: 1 } as never), /field 'flag' is missing/);
  assert.throws(() => rb.push({ a: [1, 2], id: 1, flag: 0, extra: 1 } as never), /unknown field 'extra'/);
  assert.throws(() => rb.push({ a: [1, 2], id: 1.5, flag: 0 }), /field 'id' \(i32\) needs integers/);
  assert.throws(() => rb.push({ a: [1, 2], id: 1, flag: 300 }), /field 'flag' \(u8\) needs 0..255/);
  assert.throws(() => rb.push({ a: [1, NaN], id: 1, flag: 0 }), /field 'a' has a non-finite value/);
  assert.throws(() => rb.pushBatch({ a: [1, 2, 3], id: [1, 2], flag: [0, 0] }, 2), /field 'a' has 3 values, expected n\*len = 2\*2/);
  assert.equal(rb.size, 1);
  assert.throws(() => new ReplayBuffer({ capacity: 0, fields }), /capacity/);
  assert.throws(() => new ReplayBuffer({ capacity: 2, fields: { x: { len: 0, type: 'f32' } } }), /len/);
  assert.throws(() => new ReplayBuffer({ capacity: 2, fields: { x: { len: 1, type: 'f64' as never } } }), /type/);
});
