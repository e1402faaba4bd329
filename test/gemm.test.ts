import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { mm } from '../lib/nn/engine/kernels';
import { gemmImpl } from '../lib/nn/engine/gemm';

before(async () => {
  await initBackend();
});

const onWasm = () => tf.getBackend() === 'wasm';

/** mm through gemm.ts and through _FusedMatMul (XNNPACK) on the same operands. */
function both(a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor | null, act: 'linear' | 'relu'): { ours: Float32Array; ref: Float32Array; shape: number[] } {
  try {
    gemmImpl.enabled = false;
    const ref = tf.tidy(() => mm(a, b, bias, act).dataSync() as Float32Array);
    gemmImpl.enabled = true;
    const out = mm(a, b, bias, act);
    const ours = out.dataSync() as Float32Array;
    const shape = out.shape;
    out.dispose();
    return { ours, ref, shape };
  } finally {
    gemmImpl.enabled = true;
  }
}

test('gemm: the same bits as XNNPACK for row and column remainders, bias and relu', (t) => {
  if (!onWasm()) return t.skip('gemm.ts runs on the wasm backend only');
  const rng = new Rng(7);
  // M covers blocks of 4 and 1-3 leftover rows; N covers 8-column tiles, a 4-column tile and 1-3 single columns
  const shapes = [[1, 1, 1], [3, 5, 2], [4, 3, 8], [5, 7, 12], [7, 2, 13], [9, 64, 50], [13, 114, 64], [64, 50, 192], [256, 64, 1], [33, 9, 31]];
  for (const [M, K, N] of shapes) {
    for (const hasBias of [false, true]) {
      for (const act of ['linear', 'relu'] as const) {
        const a = tf.tensor3d(rng.fillNormal(new Float32Array(M * K)), [1, M, K]);
        const b = tf.tensor3d(rng.fillNormal(new Float32Array(K * N)), [1, K, N]);
        const bias = hasBias ? tf.tensor1d(rng.fillNormal(new Float32Array(N))) : null;
        const { ours, ref, shape } = both(a, b, bias, act);
        assert.deepEqual(shape, [1, M, N]);
        for (let i = 0; i < ref.length; i++) {
          if (ours[i] !== ref[i]) assert.fail(`M=${M} K=${K} N=${N} bias=${hasBias} ${act}: element ${i}: ${ours[i]} vs XNNPACK ${ref[i]}`);
        }
        tf.dispose([a, b, ...(bias ? [bias] : [])]);
      }
    }
  }
});

test('gemm: a product worked out by hand, with bias and relu', (t) => {
  if (!onWasm()) return t.skip('gemm.ts runs on the wasm backend only');
  // A [2, 3] = [[1, 2, 3], [-1, 0, 1]], B [3, 2] = [[1, 0], [0, 1], [1, -2]], bias = [0.5, -10]
  // A B = [[4, -4], [0, -2]];  + bias = [[4.5, -14], [0.5, -12]];  relu -> [[4.5, 0], [0.5, 0]]
  const a = tf.tensor3d([1, 2, 3, -1, 0, 1], [1, 2, 3]);
  const b = tf.tensor3d([1, 0, 0, 1, 1, -2], [1, 3, 2]);
  const bias = tf.tensor1d([0.5, -10]);
  assert.deepEqual(Array.from(mm(a, b).dataSync()), [4, -4, 0, -2]);
  assert.deepEqual(Array.from(mm(a, b, bias).dataSync()), [4.5, -14, 0.5, -12]);
  assert.deepEqual(Array.from(mm(a, b, bias, 'relu').dataSync()), [4.5, 0, 0.5, 0]);
  // an empty product (K = 0): every row is act(bias)
  const a0 = tf.zeros([1, 2, 0]), b0 = tf.zeros([1, 0, 2]);
  assert.deepEqual(Array.from(mm(a0, b0).dataSync()), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(mm(a0, b0, bias).dataSync()), [0.5, -10, 0.5, -10]);
  assert.deepEqual(Array.from(mm(a0, b0, bias, 'relu').dataSync()), [0.5, 0, 0.5, 0]);
  tf.dispose([a, b, bias, a0, b0]);
});

test('gemm: correct after the wasm heap grows; no tensors left behind', (t) => {
  if (!onWasm()) return t.skip('gemm.ts runs on the wasm backend only');
  const rng = new Rng(3);
  const a = tf.tensor3d(rng.fillNormal(new Float32Array(16 * 20)), [1, 16, 20]);
  const b = tf.tensor3d(rng.fillNormal(new Float32Array(20 * 24)), [1, 20, 24]);
  const before1 = both(a, b, null, 'linear').ours;
  const big = tf.zeros([64 << 20]); // 256 MB: the heap must grow (new ArrayBuffer), kernels keep addressing it by offset
  const after = both(a, b, null, 'linear');
  big.dispose();
  assert.deepEqual(Array.from(after.ours), Array.from(before1));
  assert.deepEqual(Array.from(after.ours), Array.from(after.ref));
  const n0 = tf.memory().numTensors;
  tf.tidy(() => {
    mm(a, b);
    mm(a, b, null, 'relu');
  });
  assert.equal(tf.memory().numTensors, n0);
  tf.dispose([a, b]);
});

test('gemm: mismatched operands are an error naming both shapes', (t) => {
  if (!onWasm()) return t.skip('gemm.ts runs on the wasm backend only');
  const a = tf.zeros([1, 4, 3]), b = tf.zeros([1, 5, 2]);
  assert.throws(() => mm(a, b), /a \[1,4,3\], b \[1,5,2\]/);
  tf.dispose([a, b]);
});
