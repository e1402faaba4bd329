import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addNegatives, AliasSampler, ImpressionColumns, itemPopularity } from '../lib/data/negatives';
import { Feedback } from '../lib/data/schema';
import { Rng } from '../lib/util/rng';

test('alias sampler draws in proportion to the weights', () => {
  const w = [1, 0, 3, 6];
  const s = new AliasSampler(w);
  const rng = new Rng(3);
  const n = 200_000;
  const c = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) c[s.sample(rng)]++;
  assert.equal(c[1], 0);
  for (const i of [0, 2, 3]) assert.ok(Math.abs(c[i] / n - w[i] / 10) < 0.005, `item ${i}: ${c[i] / n}`);
  assert.throws(() => new AliasSampler([0, 0]), /positive sum/);
  assert.throws(() => new AliasSampler([1, -1]), /weight 1/);
});

/** Sessions of positives: session s has items s*2 .. s*2+1 clicked (2 per session), item 0 ordered. */
function positives(nSessions: number): ImpressionColumns {
  const rows = nSessions * 2;
  const c: ImpressionColumns = {
    user: new Int32Array(rows), session: new Int32Array(rows), item: new Int32Array(rows),
    feedback: new Uint8Array(rows), ts: new Float64Array(rows),
  };
  for (let r = 0; r < rows; r++) {
    const s = r >> 1;
    c.user[r] = s >> 1;
    c.session[r] = s;
    c.item[r] = (s * 2 + (r & 1)) % 40;
    c.feedback[r] = r === 0 ? Feedback.Order : Feedback.Click;
    c.ts[r] = 1000 * s + r;
  }
  return c;
}

test('k negatives before every positive: same ts, same session, items new to the session', () => {
  const pos = positives(30);
  const k = 3;
  const out = addNegatives(pos, 40, { k, power: 0.75, rng: new Rng(1) });
  assert.equal(out.negatives, k * 60);
  assert.equal(out.shortfall, 0);
  assert.equal(out.item.length, 60 * (1 + k));
  let p = 0;
  for (let r = 0; r < out.item.length; r++) {
    if (out.feedback[r] === Feedback.Skip) continue;
    // the k rows before each positive are its negatives
    for (let j = r - k; j < r; j++) {
      assert.equal(out.feedback[j], Feedback.Skip);
      assert.equal(out.ts[j], out.ts[r]);
      assert.equal(out.session[j], out.session[r]);
      assert.equal(out.user[j], out.user[r]);
    }
    assert.equal(out.item[r], pos.item[p]);
    assert.equal(out.feedback[r], pos.feedback[p]);
    p++;
  }
  assert.equal(p, 60);
  // No item twice in a session.
  const seen = new Set<string>();
  for (let r = 0; r < out.item.length; r++) {
    const key = `${out.session[r]}:${out.item[r]}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
  }
  const again = addNegatives(pos, 40, { k, power: 0.75, rng: new Rng(1) });
  assert.deepEqual(again.item, out.item);
  const other = addNegatives(pos, 40, { k, power: 0.75, rng: new Rng(2) });
  assert.notDeepEqual(other.item, out.item);
});

test('negatives follow popularity^power (excluding the session item)', () => {
  // One-row sessions: item i clicked in counts[i] sessions; power 0.5 gives weights 16 : 9 : 4 : 1.
  const counts = [256, 81, 16, 1];
  const w = counts.map((c) => Math.sqrt(c));
  const W = w.reduce((a, b) => a + b, 0);
  const rows = counts.reduce((a, b) => a + b, 0);
  const item = new Int32Array(rows);
  let r = 0;
  counts.forEach((c, i) => { for (let j = 0; j < c; j++) item[r++] = i; });
  const pos: ImpressionColumns = {
    user: new Int32Array(rows), session: Int32Array.from({ length: rows }, (_, i) => i), item,
    feedback: new Uint8Array(rows).fill(Feedback.Click), ts: new Float64Array(rows),
  };
  assert.deepEqual(Array.from(itemPopularity(pos.item, pos.feedback, 4)), counts);
  // Expected draws of item j: over sessions whose item i != j, w_j / (W - w_i).
  const seeds = 20;
  const exp = [0, 0, 0, 0];
  const vari = [0, 0, 0, 0];
  for (let j = 0; j < 4; j++) {
    for (let i = 0; i < 4; i++) {
      if (i === j) continue;
      const p = w[j] / (W - w[i]);
      exp[j] += seeds * counts[i] * p;
      vari[j] += seeds * counts[i] * p * (1 - p);
    }
  }
  const obs = [0, 0, 0, 0];
  for (let seed = 0; seed < seeds; seed++) {
    const out = addNegatives(pos, 4, { k: 1, power: 0.5, rng: new Rng(seed) });
    assert.equal(out.negatives, rows);
    for (let q = 0; q < out.item.length; q++) {
      if (out.feedback[q] !== Feedback.Skip) continue;
      assert.notEqual(out.item[q], out.item[q + 1], 'a negative equals its positive');
      obs[out.item[q]]++;
    }
  }
  for (let j = 0; j < 4; j++) assert.ok(Math.abs(obs[j] - exp[j]) < 4 * Math.sqrt(vari[j]), `item ${j}: ${obs[j]} vs ${exp[j].toFixed(1)}`);
});

test('a session covering the catalogue gives a counted shortfall, not a hang', () => {
  const pos: ImpressionColumns = {
    user: new Int32Array(3), session: new Int32Array(3), item: Int32Array.from([0, 1, 2]),
    feedback: new Uint8Array(3).fill(Feedback.Click), ts: Float64Array.from([1, 2, 3]),
  };
  const out = addNegatives(pos, 4, { k: 2, power: 0.75, rng: new Rng(1) });
  // Only item 3 (weight 0 -> never drawn with power > 0) is outside the session: nothing placeable.
  assert.equal(out.negatives, 0);
  assert.equal(out.shortfall, 6);
  assert.equal(out.item.length, 3);
  const uni = addNegatives(pos, 4, { k: 2, power: 0, rng: new Rng(1) });
  assert.equal(uni.negatives, 1); // power 0 = uniform: item 3 once
  assert.equal(uni.shortfall, 5);
  const none = addNegatives(pos, 4, { k: 0, power: 0.75, rng: new Rng(1) });
  assert.deepEqual(none.item, pos.item);
});
