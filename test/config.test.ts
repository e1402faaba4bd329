import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, int, num, oneOf } from '../lib/util/config';
import { ConfigError } from '../lib/util/errors';

const spec = { M: int(2, 'goals', { min: 1 }), c: int(10, 'period', { min: 1 }), alpha: num(0.5, 'weight', { min: 0 }), mode: oneOf('a', ['a', 'b'] as const, 'mode') };

test('defaults and overrides resolve', () => {
  assert.deepEqual(resolveConfig('t', spec, {}), { M: 2, c: 10, alpha: 0.5, mode: 'a' });
  assert.equal(resolveConfig('t', spec, { alpha: 0.25 }).alpha, 0.25);
});

test('bad configs name the key and the problem', () => {
  assert.throws(() => resolveConfig('t', spec, { bogus: 1 }), (e: unknown) => e instanceof ConfigError && /t\.bogus: unknown key/.test(e.message));
  assert.throws(() => resolveConfig('t', spec, { M: 0 }), /t\.M: must be >= 1, got 0/);
  assert.throws(() => resolveConfig('t', spec, { alpha: -1 }), /t\.alpha: must be >= 0/);
  assert.throws(() => resolveConfig('t', spec, { M: 1.5 }), /t\.M: must be an integer/);
  assert.throws(() => resolveConfig('t', spec, { mode: 'z' }), /t\.mode: must be one of a, b/);
  assert.throws(() => resolveConfig('t', spec, { c: 1 }, (c) => (c.c < c.M ? ['c', `must be >= M (${c.M})`] : null)), /t\.c: must be >= M/);
});
