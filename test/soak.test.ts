/**
 * No leak over a long run (short version of bench/soak.ts): 500 HRL-MG agent updates = 1,000
 * network updates of the real training loop with the divergence guard scanning every weight after
 * every update, crash-safe checkpoints every 10 session batches and restores, memory sampled after
 * a forced GC every 50 updates. After warm-up: tensors, TF bytes and the wasm heap exactly flat;
 * JS heap, external and arrayBuffers flat to within allocator noise; RSS bounded.
 * (test/leak.test.ts checks numTensors of the bare training loop; this adds memory and the
 * reliability machinery.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak, soakGrowth } from '../lib/reliability/soak';

const MB = 1024 * 1024;

test('1,000 network updates with guard, checkpoints and restores: memory flat', { timeout: 120_000 }, async () => {
  const rep = await runSoak({ updates: 500, every: 50, method: 'hrl-mg', checkpointEvery: 5, restoreEvery: 15, updatesPerStep: 2 });
  const s = rep.samples;
  const last = s.at(-1)!;
  assert.ok(last.updates >= 500 && last.netUpdates >= 1000, `${last.updates} agent / ${last.netUpdates} network updates`);
  assert.ok(s.length >= 11);
  assert.ok(rep.checkpoints >= 5 && rep.restores >= 1, `${rep.checkpoints} checkpoints, ${rep.restores} restores`);
  assert.ok(rep.weightScans >= 500, 'a weight scan after every update');
  const g = soakGrowth(rep);
  for (const x of s) {
    assert.equal(x.numTensors, s[0].numTensors, `tensors at ${x.updates} updates`);
    assert.equal(x.tfBytes, s[0].tfBytes, `tf bytes at ${x.updates} updates`);
    assert.equal(x.wasmHeap, s[0].wasmHeap, `wasm heap at ${x.updates} updates`);
  }
  // JS heap after GC: V8's compiled code still grows early on (~0.5-0.8 MB over the first 1,000
  // updates in bench/soak.ts; a heap-snapshot diff shows only code objects), data must not
  assert.ok(Math.abs(g.heapUsed) < 2 * MB, `heapUsed grew ${(g.heapUsed / MB).toFixed(2)} MB`);
  const maxHeap = Math.max(...s.map((x) => x.heapUsed));
  assert.ok(maxHeap - s[0].heapUsed < 3 * MB, `heapUsed peaked ${((maxHeap - s[0].heapUsed) / MB).toFixed(2)} MB above the start`);
  // typed arrays / wasm memory: a 200-byte buffer kept per update would show
  assert.ok(Math.abs(g.external) < 0.1 * MB, `external grew ${(g.external / MB).toFixed(3)} MB`);
  assert.ok(Math.abs(g.arrayBuffers) < 0.1 * MB, `arrayBuffers grew ${(g.arrayBuffers / MB).toFixed(3)} MB`);
  // RSS moves with the allocator; compare the medians of the first and last thirds
  const med = (a: number[]): number => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const third = Math.max(1, Math.floor(s.length / 3));
  const rssGrowth = med(s.slice(-third).map((x) => x.rss)) - med(s.slice(0, third).map((x) => x.rss));
  assert.ok(rssGrowth < 48 * MB, `rss grew ${(rssGrowth / MB).toFixed(1)} MB`);
  process.stderr.write(
    `# soak: ${last.netUpdates} network updates in ${rep.seconds.toFixed(1)} s; growth: tensors ${g.numTensors}, heapUsed ${(g.heapUsed / MB).toFixed(2)} MB, ` +
      `external ${(g.external / MB).toFixed(3)} MB, arrayBuffers ${(g.arrayBuffers / MB).toFixed(3)} MB, rss (median thirds) ${(rssGrowth / MB).toFixed(1)} MB\n`,
  );
});
