/**
 * The DNN's objective 'feedback' (ExpectedRewardNet): shapes and the expected-reward readout
 * against the class probabilities, a learning test (cross-entropy fits a known click rule),
 * save/load round trip with the class rewards, and the agent: 'regression' stays the neutral
 * value (left out of agent.json), 'feedback' is recorded and reloads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../lib/backend';
import { ExpectedRewardNet } from '../lib/nn/expectedRewardNet';
import { createAgent, loadAgent } from '../lib/agents/factory';
import type { DnnAgent } from '../lib/agents/dnnAgent';
import { Rng } from '../lib/util/rng';

const E = 6, N = 3, NI = 40;
const cfg = { E, N, H: 6, hidden: 8, lr: 0.02 };

function table(seed: number): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(NI * E));
}

test('ExpectedRewardNet: scores = sum_f r_f P(f), shapes, save/load keeps weights and class rewards', async () => {
  await initBackend();
  const t = table(1);
  const rng = new Rng(2);
  const net = new ExpectedRewardNet(t, cfg, rng.fork('n'), [0, 2, 7]);
  const B = 3, C = 4;
  const h1 = Int32Array.from({ length: B * N }, () => rng.int(NI + 1));
  const h2 = Int32Array.from({ length: B * N }, () => rng.int(NI + 1));
  const cands = Int32Array.from({ length: B * C }, () => rng.int(NI));
  const s = net.scoreCandidates(h1, h2, cands);
  assert.equal(s.length, B * C);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < C; k++) {
      const rep = (h: Int32Array) => h.slice(b * N, (b + 1) * N);
      const p = net.probabilities(rep(h1), rep(h2), Int32Array.of(cands[b * C + k]));
      assert.equal(p.length, 3);
      assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-5);
      assert.ok(Math.abs(s[b * C + k] - (2 * p[1] + 7 * p[2])) < 1e-4, 'expected reward of the probabilities');
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ern-'));
  try {
    await net.save(path.join(dir, 'n'));
    const back = await ExpectedRewardNet.load(path.join(dir, 'n'), t);
    assert.deepEqual(Array.from(back.classRewards), [0, 2, 7]);
    assert.deepEqual(back.scoreCandidates(h1, h2, cands), s);
    back.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    net.dispose();
  }
});

test('ExpectedRewardNet learns a click rule: items with e_0 > 0 are clicked, the others skipped', async () => {
  await initBackend();
  const t = table(3);
  const net = new ExpectedRewardNet(t, cfg, new Rng(4), [0, 1, 5]);
  const rng = new Rng(5);
  const B = 64;
  const batch = () => {
    const items = Int32Array.from({ length: B }, () => rng.int(NI));
    const labels = Uint8Array.from(items, (i) => (t[i * E] > 0 ? 1 : 0));
    return { h: Int32Array.from({ length: B * N }, () => 1 + rng.int(NI)), items, labels };
  };
  const first = batch();
  const l0 = net.trainStep(first.h, first.h, first.items, first.labels);
  let l = l0;
  for (let k = 0; k < 150; k++) {
    const m = batch();
    l = net.trainStep(m.h, m.h, m.items, m.labels);
  }
  assert.ok(l < 0.35 * l0, `cross-entropy fell from ${l0} to ${l}`);
  const test = batch();
  const sc = net.predict(test.h, test.h, test.items);
  let right = 0;
  for (let b = 0; b < B; b++) right += (sc[b] > 0.5 ? 1 : 0) === test.labels[b] ? 1 : 0;
  assert.ok(right >= 0.9 * B, `${right}/${B} ranked on the right side`);
  net.dispose();
});

test("DNN agent: objective 'regression' is neutral (absent from agent.json), 'feedback' is recorded and reloads", async () => {
  await initBackend();
  const t = table(6);
  const tiny = { E, N, H: 4, hidden: 4 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dnnobj-'));
  try {
    const reg = createAgent('dnn', t, { ...tiny, objective: 'regression' }, new Rng(1)) as DnnAgent;
    await reg.save(path.join(dir, 'reg'));
    const jr = JSON.parse(fs.readFileSync(path.join(dir, 'reg', 'agent.json'), 'utf8'));
    assert.equal(JSON.stringify(jr).includes('objective'), false, 'regression left out');
    reg.dispose();
    const fb = createAgent('dnn', t, { ...tiny, objective: 'feedback' }, new Rng(1)) as DnnAgent;
    assert.equal(fb.net.constructor.name, 'ExpectedRewardNet');
    await fb.save(path.join(dir, 'fb'));
    const jf = fs.readFileSync(path.join(dir, 'fb', 'agent.json'), 'utf8');
    assert.ok(jf.includes('"objective": "feedback"'));
    const back = (await loadAgent(path.join(dir, 'fb'), t)) as DnnAgent;
    const h = Int32Array.from({ length: 2 * N }, (_, j) => 1 + (j % NI));
    const c = Int32Array.from({ length: 2 * 5 }, (_, j) => j);
    assert.deepEqual(back.net.scoreCandidates(h, h, c), fb.net.scoreCandidates(h, h, c));
    back.dispose();
    fb.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
