/**
 * Soak run: the real training path (Trainer + divergence guard + crash-safe checkpoints and
 * restores) on a tiny default world with the ground-truth backend, for a number of agent updates,
 * sampling memory at intervals after a forced GC:
 *   tf.memory().numTensors / numBytes, the wasm heap, process.memoryUsage() heapUsed, external,
 *   arrayBuffers and rss.
 * A leak shows as growth between the first sample after warm-up and the last; bench/soak.ts runs
 * 10,000 updates, test/soak.test.ts 1,000.
 *
 *   const rep = await runSoak({ updates: 1000, every: 100 });   rep.samples, growth(rep)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { Rng } from '../util/rng';
import { UsageError } from '../util/errors';
import { generateWorld } from '../data/world';
import { prepareDataset } from '../data/prepare';
import { TrueModelBackend } from '../sim/trueModelBackend';
import { createAgent } from '../agents/factory';
import { Trainer, trainEnvFactory } from '../agents/trainer';
import type { AgentMethod } from '../agents/agentConfig';
import { CheckpointStore } from './checkpointStore';
import { DivergenceGuard } from './divergence';

export interface SoakOptions {
  /** Agent updates to run after warm-up (low-level updates; HRL-MG also updates its high level each time). */
  updates: number;
  /** Sample memory every this many updates. */
  every: number;
  method?: AgentMethod;
  /** Session batches between checkpoints (0: none). */
  checkpointEvery?: number;
  /** Session batches between restores of the newest checkpoint (0: none). */
  restoreEvery?: number;
  /** Agent updates per env step (trainer.updatesPerStep; default 1). */
  updatesPerStep?: number;
  /** Called with every sample as it is taken. */
  onSample?: (s: SoakSample) => void;
}

export interface SoakSample {
  /** Agent updates since warm-up. */
  updates: number;
  /** Network updates since warm-up (low + high level). */
  netUpdates: number;
  numTensors: number;
  tfBytes: number;
  /** WebAssembly heap of the wasm backend (bytes), null on other backends. */
  wasmHeap: number | null;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  seconds: number;
}

export interface SoakReport {
  method: AgentMethod;
  backend: string;
  samples: SoakSample[];
  checkpoints: number;
  restores: number;
  weightScans: number;
  seconds: number;
}

let gcFn: (() => void) | null = null;

/** A full GC (exposed at run time, no --expose-gc needed). */
export function forceGc(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

function wasmHeap(): number | null {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.byteLength ?? null;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  if (!(o.updates > 0 && o.every > 0)) throw new UsageError('runSoak: updates and every must be > 0');
  const info = await initBackend();
  const method = o.method ?? 'hrl-mg';
  const { world, log } = generateWorld({ trainImpressions: 2000, nItems: 200, seed: 5 });
  const ds = await prepareDataset(log, { embeddingDim: 8, N: 5 });
  const backend = new TrueModelBackend(world, ds);
  const B = 4;
  const T = 6;
  const makeEnv = trainEnvFactory(ds, backend, { batchSize: B, T, poolSize: 30 });
  const hier = { c: 3, batchHigh: 4, warmupHigh: 4, bufferHigh: 100 };
  const cfg: Record<string, unknown> = { E: 8, N: 5, H: 8, batchLow: 8, warmupLow: 8, bufferLow: 300 };
  if (method === 'hrl-mg') Object.assign(cfg, hier, { M: 2 });
  if (method === 'hrl') Object.assign(cfg, hier);
  if (method === 'dnn') cfg.hidden = 8;
  const agent = createAgent(method, ds.embeddings, cfg, new Rng(1).fork('soak'));
  const guard = new DivergenceGuard(agent);
  // one log entry per 100 batches: the training log's own (intended) growth stays out of the figures
  const trainer = new Trainer(agent, makeEnv, { seed: 1, sessions: 1, progress: false, logEvery: 100 * T, updatesPerStep: o.updatesPerStep ?? 1 }, guard.hooks());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-soak-'));
  const store = new CheckpointStore(dir, 2);
  const ckEvery = o.checkpointEvery ?? 10;
  const rsEvery = o.restoreEvery ?? 50;
  let checkpoints = 0;
  let restores = 0;
  const t0 = Date.now();
  try {
    // warm-up: replay buffers past capacity, every lazily created state exists, one checkpoint + restore
    while (agent.updateCounts.low < 50 || trainer.steps * B < 300 + 50) trainer.runEpisode();
    await store.save(trainer);
    await store.restoreLatest(trainer);
    const base = agent.updateCounts;
    const samples: SoakSample[] = [];
    const sample = (): SoakSample => {
      forceGc();
      const m = process.memoryUsage();
      const tm = tf.memory();
      const c = agent.updateCounts;
      const s: SoakSample = {
        updates: c.low - base.low,
        netUpdates: c.low - base.low + c.high - base.high,
        numTensors: tm.numTensors,
        tfBytes: tm.numBytes,
        wasmHeap: wasmHeap(),
        heapUsed: m.heapUsed,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        rss: m.rss,
        seconds: (Date.now() - t0) / 1000,
      };
      samples.push(s);
      o.onSample?.(s);
      return s;
    };
    sample();
    let next = o.every;
    let batches = 0;
    while (agent.updateCounts.low - base.low < o.updates) {
      trainer.runEpisode();
      batches++;
      if (ckEvery > 0 && batches % ckEvery === 0) {
        await store.save(trainer);
        checkpoints++;
      }
      if (rsEvery > 0 && batches % rsEvery === 0 && store.latest()) {
        await store.restoreLatest(trainer); // rewinds to the newest checkpoint: exercises the load path
        restores++;
      }
      if (agent.updateCounts.low - base.low >= next) {
        sample();
        while (next <= agent.updateCounts.low - base.low) next += o.every;
      }
    }
    if (samples.at(-1)!.updates !== agent.updateCounts.low - base.low) sample();
    return { method, backend: info.backend, samples, checkpoints, restores, weightScans: guard.scans, seconds: (Date.now() - t0) / 1000 };
  } finally {
    agent.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface SoakGrowth {
  numTensors: number;
  tfBytes: number;
  wasmHeap: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  /** heapUsed growth per 1,000 updates from a least-squares line over the second half of the samples. */
  heapSlopePer1k: number;
}

/** Last sample minus first (after warm-up), and the heap's trend over the second half. */
export function soakGrowth(r: SoakReport): SoakGrowth {
  const a = r.samples[0];
  const z = r.samples.at(-1)!;
  const half = r.samples.slice(Math.floor(r.samples.length / 2));
  let slope = 0;
  if (half.length >= 2) {
    const mx = half.reduce((s, x) => s + x.updates, 0) / half.length;
    const my = half.reduce((s, x) => s + x.heapUsed, 0) / half.length;
    let num = 0;
    let den = 0;
    for (const x of half) {
      num += (x.updates - mx) * (x.heapUsed - my);
      den += (x.updates - mx) ** 2;
    }
    slope = den > 0 ? (num / den) * 1000 : 0;
  }
  return {
    numTensors: z.numTensors - a.numTensors,
    tfBytes: z.tfBytes - a.tfBytes,
    wasmHeap: (z.wasmHeap ?? 0) - (a.wasmHeap ?? 0),
    heapUsed: z.heapUsed - a.heapUsed,
    external: z.external - a.external,
    arrayBuffers: z.arrayBuffers - a.arrayBuffers,
    rss: z.rss - a.rss,
    heapSlopePer1k: slope,
  };
}

const MB = 1024 * 1024;

/** One text row per sample (bench output). */
export function formatSoak(r: SoakReport): string {
  const rows = [['updates', 'netUpd', 'tensors', 'tfKB', 'wasmMB', 'heapMB', 'extMB', 'abufMB', 'rssMB', 'sec']];
  for (const s of r.samples) {
    rows.push([
      String(s.updates), String(s.netUpdates), String(s.numTensors), (s.tfBytes / 1024).toFixed(1), s.wasmHeap === null ? '-' : (s.wasmHeap / MB).toFixed(1),
      (s.heapUsed / MB).toFixed(2), (s.external / MB).toFixed(2), (s.arrayBuffers / MB).toFixed(2), (s.rss / MB).toFixed(1), s.seconds.toFixed(1),
    ]);
  }
  const w = rows[0].map((_, j) => Math.max(...rows.map((x) => x[j].length)));
  return rows.map((x) => x.map((c, j) => c.padStart(w[j])).join('  ')).join('\n');
}
