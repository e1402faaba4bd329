/** Progress bars: the drawing mode per output (terminal, Jupyter, plain lines) and what each writes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, progressMode } from '../lib/util/progress';

function fakeStream(isTTY: boolean): { isTTY: boolean; out: string[]; write(s: string): boolean } {
  const out: string[] = [];
  return { isTTY, out, write: (s: string) => (out.push(s), true) };
}

function withEnv<T>(vars: Record<string, string | undefined>, f: () => T): T {
  const old: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    old[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return f();
  } finally {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('progressMode: terminal, Jupyter kernel (JPY_* or tslab), plain lines, and HRLMG_PROGRESS forces it', () => {
  assert.equal(progressMode({ isTTY: true }, {}, ['node']), 'tty');
  assert.equal(progressMode({ isTTY: false }, {}, ['node', 'x.js']), 'lines');
  assert.equal(progressMode({ isTTY: false }, { JPY_PARENT_PID: '12' }, ['node']), 'jupyter');
  assert.equal(progressMode({ isTTY: false }, {}, ['node', '/usr/lib/node_modules/tslab/bin/tslab', 'kernel']), 'jupyter');
  assert.equal(progressMode({ isTTY: true }, { HRLMG_PROGRESS: 'lines' }, ['node']), 'lines');
  assert.throws(() => progressMode({ isTTY: false }, { HRLMG_PROGRESS: 'bars' }), /HRLMG_PROGRESS must be tty, jupyter or lines, got 'bars'/);
});

test('Progress in Jupyter rewrites one line with carriage returns; plain mode prints whole lines; quiet prints nothing', () => {
  const jup = fakeStream(false);
  withEnv({ HRLMG_QUIET: undefined, HRLMG_PROGRESS: 'jupyter' }, () => {
    const p = new Progress('fit', 10, { stream: jup as unknown as NodeJS.WriteStream });
    p.tick(5);
    p.tick(5); // within the 500 ms interval: not drawn
    p.finish(); // forced: the final state
  });
  assert.equal(jup.out.length, 3);
  for (const s of jup.out.slice(0, -1)) {
    assert.ok(s.startsWith('\r') && !s.includes('\n'), JSON.stringify(s));
  }
  assert.equal(jup.out[jup.out.length - 1], '\n');
  assert.match(jup.out[jup.out.length - 2], /fit \[#{24}\] 100% 10\/10/);

  const lines = fakeStream(false);
  withEnv({ HRLMG_QUIET: undefined, HRLMG_PROGRESS: 'lines' }, () => {
    const p = new Progress('fit', 4, { stream: lines as unknown as NodeJS.WriteStream, intervalMs: 1e9 });
    p.tick(1);
    p.tick(1);
    p.finish();
  });
  // the first tick prints (nothing printed yet), the second is within the interval, finish forces one
  assert.equal(lines.out.length, 2);
  for (const s of lines.out) assert.ok(s.endsWith('\n') && !s.includes('\r'));

  const quiet = fakeStream(true);
  withEnv({ HRLMG_QUIET: '1', HRLMG_PROGRESS: undefined }, () => {
    const p = new Progress('fit', 4, { stream: quiet as unknown as NodeJS.WriteStream });
    p.tick(4);
    p.finish();
  });
  assert.deepEqual(quiet.out, []);
});
