/**
 * Where the time of one Algorithm-2 update goes, kernel by kernel (the same update as update.ts:
 * high-level DdpgCore.update with K = 2 + low-level with K = 1; E = 50, N = 10, H = 64).
 *
 *   node dist/bench/profile.js [--batch 256] [--iters 30] [--impl fast|nogemm|nosimd]
 *
 * Wraps engine.runKernel with a timer (performance.now around every kernel call, nested calls
 * counted once) and prints ms per update, calls per update and, for matmuls, the shape and the
 * rate in G multiply-adds/s. The timer itself adds a little to every call: compare rows with each
 * other, and use update.ts for the total.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../lib/backend';
import { DdpgCore } from '../lib/agents/ddpgCore';
import { Rng } from '../lib/util/rng';
import { gemmImpl } from '../lib/nn/engine/gemm';
import { simdImpl } from '../lib/nn/engine/simd';
import { E, H, ITEMS, M, N, randomMinibatch } from './updateWorkload';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  const batch = Number(arg('batch', '256')), iters = Number(arg('iters', '30')), impl = arg('impl', 'fast');
  if (!(batch > 0) || !(iters > 0) || !['fast', 'nogemm', 'nosimd'].includes(impl)) throw new Error('usage: profile.js [--batch n] [--iters n] [--impl fast|nogemm|nosimd]');
  gemmImpl.enabled = impl !== 'nogemm';
  simdImpl.enabled = impl !== 'nosimd';
  const info = await initBackend();
  const rng = new Rng(0);
  const table = rng.fillNormal(new Float32Array(ITEMS * E));
  const pool = Array.from({ length: 4 }, () => ({ h: randomMinibatch(rng, M, batch), l: randomMinibatch(rng, 1, batch) }));
  const high = new DdpgCore(table, { heads: M, E, N, H }, new Rng(1).fork('high'));
  const low = new DdpgCore(table, { heads: 1, E, N, H }, new Rng(1).fork('low'));
  let k = 0;
  const step = (): void => {
    const p = pool[k++ % 4];
    high.update(p.h);
    low.update(p.l);
  };
  for (let i = 0; i < 10; i++) step(); // warm-up (module compilation, tier-up, allocation)

  type Rec = { calls: number; ms: number; macs: number };
  const stats = new Map<string, Rec>();
  const engine = tf.engine() as unknown as { runKernel: (name: string, inputs: Record<string, tf.Tensor>, attrs: object) => unknown };
  const orig = engine.runKernel.bind(engine);
  let depth = 0;
  engine.runKernel = (name, inputs, attrs) => {
    depth++;
    const t0 = performance.now();
    try {
      return orig(name, inputs, attrs);
    } finally {
      const dt = performance.now() - t0;
      depth--;
      if (depth === 0) {
        let key = name, macs = 0;
        if (name === '_FusedMatMul' || name === 'HrlmgMatMul' || name === 'BatchMatMul') {
          const a = inputs.a.shape, b = inputs.b.shape;
          key = `${name} [${a.join(',')}] x [${b.join(',')}]`;
          macs = a[a.length - 2] * a[a.length - 1] * b[b.length - 1];
        }
        const r = stats.get(key) ?? { calls: 0, ms: 0, macs };
        r.calls++;
        r.ms += dt;
        stats.set(key, r);
      }
    }
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < iters; i++) step();
  const wall = (performance.now() - t0) / iters;
  const cu = process.cpuUsage(c0);
  engine.runKernel = orig;
  high.dispose();
  low.dispose();

  const rows = [...stats.entries()].sort((x, y) => y[1].ms - x[1].ms);
  const kernelMs = rows.reduce((s, [, r]) => s + r.ms, 0) / iters;
  console.log(`# backend ${info.backend}, batch ${batch}, impl ${impl}, ${iters} updates: ${wall.toFixed(1)} ms wall / ${((cu.user + cu.system) / 1000 / iters).toFixed(1)} ms CPU per update with the timer; inside kernels ${kernelMs.toFixed(1)} ms`);
  console.log('| ms / update | calls / update | kernel | G multiply-adds/s |');
  console.log('|---|---|---|---|');
  for (const [key, r] of rows) {
    if (r.ms / iters < 0.05) continue;
    const rate = r.macs ? ((r.calls * r.macs) / (r.ms * 1e6)).toFixed(1) : '';
    console.log(`| ${(r.ms / iters).toFixed(2)} | ${(r.calls / iters).toFixed(0)} | ${key} | ${rate} |`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
