import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { ConfigError, InputError, UsageError } from '../lib/util/errors';
import { fitSimulator } from '../lib/sim/fitSimulator';
import { Simulator, fitClassAdjust, priorCorrect } from '../lib/sim/simulator';
import { classWeightsFor, resolveSimulatorConfig } from '../lib/sim/simulatorConfig';
import { rateLogits } from '../lib/sim/itemRates';
import { tinyDataset } from './simFixture';

const N = 5;
const ds = tinyDataset({ N, nUsers: 40 });
const small = { epochs: 2, H: 8, hidden: 8, batchSize: 64, seed: 3 };

test('class weights: inverse-frequency power, capped, count-weighted mean 1', () => {
  const w = classWeightsFor([900, 95, 5], 0.5, 50);
  const share = [0.9, 0.095, 0.005];
  // ratios follow share^-0.5
  assert.ok(Math.abs(w[1] / w[0] - Math.sqrt(share[0] / share[1])) < 1e-9);
  assert.ok(Math.abs(w[2] / w[0] - Math.sqrt(share[0] / share[2])) < 1e-9);
  assert.ok(Math.abs(w[0] * 0.9 + w[1] * 0.095 + w[2] * 0.005 - 1) < 1e-12);
  const capped = classWeightsFor([900, 95, 5], 1, 50); // order/skip would be 180 -> capped at 50
  assert.ok(Math.abs(capped[2] / capped[0] - 50) < 1e-9);
  assert.deepEqual(classWeightsFor([10, 10, 10], 1, 50).map((x) => +x.toFixed(12)), [1, 1, 1]);
});

test('prior correction undoes class weighting', () => {
  // true p = (0.9, 0.08, 0.02); weighted p_w ∝ w p with w = (1, 2, 10)
  const w = [1, 2, 10];
  const pw = [0.9 * 1, 0.08 * 2, 0.02 * 10];
  const s = pw[0] + pw[1] + pw[2];
  const p = priorCorrect(Float32Array.from(pw.map((x) => x / s)), w);
  assert.ok(Math.abs(p[0] - 0.9) < 1e-6 && Math.abs(p[1] - 0.08) < 1e-6 && Math.abs(p[2] - 0.02) < 1e-6);
});

test('output calibration factors match the mean predicted shares to the target', () => {
  // rows over-predict clicks: mean shares (0.8, 0.18, 0.02) -> target (0.9, 0.095, 0.005)
  const rows = [[0.7, 0.27, 0.03], [0.9, 0.09, 0.01]];
  const p = Float32Array.from(rows.flat());
  const a = fitClassAdjust(p, [0.9, 0.095, 0.005]);
  assert.equal(a[0], 1);
  const mean = [0, 0, 0];
  for (const r of rows) {
    const x = r.map((v, c) => v * a[c]);
    const s = x[0] + x[1] + x[2];
    for (let c = 0; c < 3; c++) mean[c] += x[c] / s / rows.length;
  }
  assert.ok(Math.abs(mean[0] - 0.9) < 1e-4 && Math.abs(mean[1] - 0.095) < 1e-4 && Math.abs(mean[2] - 0.005) < 1e-4, `${mean}`);
});

test('item rate features: smoothed logits by hand', () => {
  const log = ds.train.log;
  const rows = Int32Array.from({ length: log.item.length }, (_, r) => r);
  const f = rateLogits(log, rows, 10);
  const i = log.item[0];
  let imp = 0, pos = 0, P = 0;
  for (let r = 0; r < log.item.length; r++) {
    if (log.feedback[r] > 0) P++;
    if (log.item[r] === i) {
      imp++;
      if (log.feedback[r] > 0) pos++;
    }
  }
  const pc = (pos + (10 * P) / log.item.length) / (imp + 10);
  assert.ok(Math.abs(f[i * 2] - Math.log(pc / (1 - pc))) < 1e-5);
});

test('fit: summary, calibrated probabilities, deterministic in the seed; save/load gives identical predictions', async () => {
  await initBackend();
  const sim = await fitSimulator(ds, small, { progress: false });
  const tr = sim.training!;
  assert.equal(tr.epochs.length, 2);
  assert.ok(tr.rows > 0 && tr.valRows > 0);
  assert.equal(tr.rows + tr.valRows, ds.train.log.item.length);
  assert.ok(tr.bestEpoch >= 1 && tr.bestEpoch <= 2);
  assert.deepEqual(sim.features, ['clickRateLogit', 'orderRateLogit', 'category one-hot (8)']);
  // item table: E embedding columns + 2 rate columns + 8 category columns
  const E = ds.embeddings.length / ds.items.n;
  assert.equal(sim.embeddings.length, ds.items.n * (E + 2 + 8));
  const i = 13;
  assert.equal(sim.embeddings[i * (E + 10) + E + 2 + ds.items.category[i]], 1);
  const te = ds.test;
  const n = 50;
  const b = te.browsed.slice(0, n * N), c = te.clicked.slice(0, n * N), it = te.log.item.slice(0, n);
  const p = sim.predict(b, c, it);
  assert.equal(p.length, n * 3);
  for (let r = 0; r < n; r++) assert.ok(Math.abs(p[r * 3] + p[r * 3 + 1] + p[r * 3 + 2] - 1) < 1e-5);
  // raw (class-weighted) output puts more mass on orders than the calibrated one
  const raw = sim.predictRaw(b, c, it);
  assert.ok(raw[2] > p[2]);

  const again = await fitSimulator(ds, small, { progress: false });
  assert.deepEqual(again.predict(b, c, it), p);
  again.dispose();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-sim-'));
  try {
    const out = path.join(dir, 'sim');
    const before = tf.memory().numTensors;
    await sim.save(out);
    for (const f of ['model.json', 'weights.bin', 'simulator.json', 'embeddings.bin']) assert.ok(fs.existsSync(path.join(out, f)), f);
    const meta = JSON.parse(fs.readFileSync(path.join(out, 'simulator.json'), 'utf8'));
    assert.equal(meta.format, 'hrlmg-simulator');
    assert.equal(meta.config.epochs, 2);
    assert.equal(meta.dataset.nItems, ds.items.n);
    const loaded = await Simulator.load(out);
    assert.deepEqual(loaded.predict(b, c, it), p);
    assert.deepEqual(loaded.classWeights, sim.classWeights);
    assert.deepEqual(loaded.classAdjust, sim.classAdjust);
    assert.notDeepEqual(sim.classAdjust, [1, 1, 1]);
    assert.deepEqual(loaded.training, sim.training);
    loaded.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor leak across save/load/dispose');
    // a damaged folder is an InputError naming the file
    fs.writeFileSync(path.join(out, 'embeddings.bin'), Buffer.alloc(12));
    await assert.rejects(Simulator.load(out), (e: Error) => e instanceof InputError && /embeddings\.bin/.test(e.message));
    await assert.rejects(Simulator.load(path.join(dir, 'nope')), InputError);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // a simulator refuses a dataset with another catalogue
  assert.throws(() => sim.checkDataset(tinyDataset({ N, nItems: 90 })), UsageError);
  sim.dispose();
});

test('outcome-encoding embedding dimensions (reserved mode) are left out of the network\'s table', async () => {
  await initBackend();
  const E = ds.embeddings.length / ds.items.n;
  const withOutcomes = { ...ds, manifest: { embedding: { outcomes: { mode: 'reserved', dims: 2 } } } } as never;
  const sim = await fitSimulator(withOutcomes, { ...small, epochs: 1, itemRates: false, categoryOneHot: false }, { progress: false });
  assert.equal(sim.training!.embeddingColumns, E - 2);
  assert.equal(sim.embeddings.length, ds.items.n * (E - 2));
  assert.equal(sim.training!.leakage, null);
  sim.dispose();
  const lines: string[] = [];
  const tokens = { ...ds, manifest: { embedding: { outcomes: { mode: 'tokens' } } } } as never;
  const sim2 = await fitSimulator(tokens, { ...small, epochs: 1, itemRates: false, categoryOneHot: false }, { progress: false, log: (l) => lines.push(l) });
  assert.equal(sim2.training!.embeddingColumns, E);
  assert.match(sim2.training!.leakage ?? '', /label leakage/);
  assert.ok(lines.some((l) => /warning/.test(l)));
  sim2.dispose();
});

test('config validation', () => {
  assert.throws(() => resolveSimulatorConfig({ epochs: 0 }), ConfigError);
  assert.throws(() => resolveSimulatorConfig({ weightPower: -1 }), ConfigError);
  assert.throws(() => resolveSimulatorConfig({ nope: 1 }), ConfigError);
});
