import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auc, calibration, classReport, confusionMatrix, decide, expectedCalibrationError, pearson } from '../lib/sim/metrics';
import { FrequencyBaseline } from '../lib/sim/frequencyBaseline';
import { tinyDataset } from './simFixture';

test('auc: worked examples with ties', () => {
  assert.equal(auc([0.1, 0.4, 0.35, 0.8], Uint8Array.from([0, 0, 1, 1])), 0.75);
  assert.equal(auc([1, 2, 3], Uint8Array.from([0, 1, 1])), 1);
  assert.equal(auc([3, 2, 1], Uint8Array.from([0, 1, 1])), 0);
  assert.equal(auc([1, 1, 1, 1], Uint8Array.from([0, 1, 0, 1])), 0.5);
  // pos 0.5 vs neg {0.5, 0.2}: 0.5 + 1 over 2 pairs
  assert.equal(auc([0.5, 0.5, 0.2], Uint8Array.from([1, 0, 0])), 0.75);
  assert.ok(Number.isNaN(auc([1, 2], Uint8Array.from([1, 1]))));
});

test('decide, confusion and class report by hand', () => {
  const probs = Float32Array.from([0.8, 0.15, 0.05, 0.5, 0.1, 0.4, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1]);
  const labels = Uint8Array.from([0, 2, 1, 1]);
  const plain = decide(probs);
  assert.deepEqual([...plain], [0, 0, 1, 0]);
  const weighted = decide(probs, [1, 1, 2]); // 0.4*2 > 0.5 on row 1
  assert.deepEqual([...weighted], [0, 2, 1, 0]);
  const conf = confusionMatrix(labels, weighted);
  assert.deepEqual(conf, [[1, 0, 0], [1, 1, 0], [0, 0, 1]]);
  const rep = classReport(conf);
  assert.equal(rep.accuracy, 0.75);
  assert.equal(rep.perClass[0].precision, 0.5);
  assert.equal(rep.perClass[0].recall, 1);
  assert.equal(rep.perClass[1].recall, 0.5);
  assert.equal(rep.perClass[1].precision, 1);
  assert.ok(Math.abs(rep.perClass[1].f1 - 2 / 3) < 1e-12);
  assert.equal(rep.perClass[2].f1, 1);
});

test('calibration buckets: equal counts, ties kept together, exact means', () => {
  const pred = [0.1, 0.1, 0.2, 0.3, 0.4, 0.5];
  const out = Uint8Array.from([0, 1, 0, 1, 1, 1]);
  const b = calibration(pred, out, 3);
  assert.deepEqual(b.map((x) => x.count), [2, 2, 2]);
  assert.ok(Math.abs(b[0].meanPredicted - 0.1) < 1e-12);
  assert.equal(b[0].observedRate, 0.5);
  assert.equal(b[2].observedRate, 1);
  const tied = calibration([0.2, 0.2, 0.2, 0.2, 0.9], Uint8Array.from([0, 0, 0, 1, 1]), 2);
  assert.deepEqual(tied.map((x) => x.count), [4, 1]);
  assert.ok(Math.abs(expectedCalibrationError(tied) - (4 * 0.05 + 0.1) / 5) < 1e-12);
});

test('pearson', () => {
  assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
  assert.ok(Math.abs(pearson([1, 2, 3], [3, 2, 1]) + 1) < 1e-12);
});

test('frequency baseline: smoothing toward the global rate', () => {
  const ds = tinyDataset();
  const log = ds.train.log;
  const fb = new FrequencyBaseline(log, 10);
  const i = log.item[0];
  let imp = 0, pos = 0, ord = 0, P = 0, O = 0;
  for (let r = 0; r < log.item.length; r++) {
    if (log.feedback[r] > 0) P++;
    if (log.feedback[r] === 2) O++;
    if (log.item[r] !== i) continue;
    imp++;
    if (log.feedback[r] > 0) pos++;
    if (log.feedback[r] === 2) ord++;
  }
  const gc = P / log.item.length, go = O / log.item.length;
  const p = fb.predict(Int32Array.from([i]));
  assert.ok(Math.abs(p[2] - (ord + 10 * go) / (imp + 10)) < 1e-6);
  assert.ok(Math.abs(p[1] + p[2] - (pos + 10 * gc) / (imp + 10)) < 1e-6);
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6);
});
