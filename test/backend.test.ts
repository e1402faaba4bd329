import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend, backendInfo } from '../lib/backend';

test('a backend is chosen once and recorded', async () => {
  const a = await initBackend();
  const b = await initBackend();
  assert.equal(a, b);
  assert.ok(['tensorflow', 'wasm', 'cpu'].includes(a.backend));
  assert.equal(tf.getBackend(), a.backend);
  assert.equal(backendInfo().backend, a.backend);
  // On these machines tfjs-node is the plain-tfjs alias, so wasm must be picked, not a fake 'tensorflow'.
  if (tf.findBackendFactory('tensorflow') == null) assert.notEqual(a.backend, 'tensorflow');
});
