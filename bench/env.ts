/**
 * Environment speed: user-steps per second of RecEnv with both backends (learned simulator and
 * ground-truth model) at batch 1, 64 and 256 under a random valid policy, beside the time of one
 * FeedbackNet.predict at the same batch (a step should cost about one batched forward pass).
 *
 *   node dist/bench/env.js [--impressions 30000] [--T 50] [--seconds 3] [--batches 1,64,256] [--pool 500]
 *
 * The simulator's weights are freshly initialised (speed does not depend on them).
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/backend';
import { generateWorld } from '../lib/data/world';
import { prepareDataset } from '../lib/data/prepare';
import { FeedbackNet } from '../lib/nn/feedbackNet';
import { Rng } from '../lib/util/rng';
import { RecEnv } from '../lib/sim/recEnv';
import { Simulator } from '../lib/sim/simulator';
import { SimulatorBackend } from '../lib/sim/simulatorBackend';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { resolveSimulatorConfig } from '../lib/sim/simulatorConfig';
import type { Observation, UserBackend } from '../lib/sim/userBackend';

function randomPolicy(obs: Observation, B: number, P: number, rng: Rng, out: Int32Array): Int32Array {
  for (let b = 0; b < B; b++) {
    let j: number;
    do j = rng.int(P);
    while (!obs.remaining[b * P + j]);
    out[b] = obs.pool[b * P + j];
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      impressions: { type: 'string', default: '30000' },
      T: { type: 'string', default: '50' },
      seconds: { type: 'string', default: '3' },
      batches: { type: 'string', default: '1,64,256' },
      pool: { type: 'string', default: '500' },
    },
  });
  const info = await initBackend();
  const T = Number(values.T);
  const seconds = Number(values.seconds);
  const P = Number(values.pool);
  const batches = String(values.batches).split(',').map(Number);
  const { world, log } = generateWorld({ trainImpressions: Number(values.impressions) });
  const ds = await prepareDataset(log, {});
  const E = ds.embeddings.length / ds.items.n;
  const cfg = resolveSimulatorConfig({ itemRates: false });
  const net = new FeedbackNet(ds.embeddings, { E, N: ds.train.N, H: cfg.H, hidden: cfg.hidden }, new Rng(1));
  const sim = new Simulator(net, ds.embeddings, cfg, [1, 1, 1], {
    source: 'world', createdAt: null, nItems: ds.items.n, nUsers: ds.train.log.nUsers, N: ds.train.N, E, trainRows: ds.train.log.item.length, embeddingsSha256: null,
  });
  console.log(`backend ${info.backend}; dataset ${ds.items.n} items, N=${ds.train.N}, E=${E}; T=${T}, pool ${P}; simulator H=${cfg.H}, hidden=${cfg.hidden}`);
  console.log('batch  backend      user-steps/s   ms/step   reset ms   predict ms (same batch)');
  for (const B of batches) {
    let predictMs = NaN;
    for (const [name, backend] of [
      ['simulator', new SimulatorBackend(sim)],
      ['true-model', new TrueModelBackend(world, ds)],
    ] as [string, UserBackend][]) {
      const env = new RecEnv(ds, backend, { batchSize: B, T, poolSize: P, seed: 1 });
      const rng = new Rng(2);
      const act = new Int32Array(B);
      let steps = 0;
      let stepMs = 0;
      let resetMs = 0;
      let resets = 0;
      const t0 = Date.now();
      while (Date.now() - t0 < seconds * 1000 || resets < 1) {
        let t = performance.now();
        let obs = env.reset(env.sampleUsers(B));
        resetMs += performance.now() - t;
        resets++;
        for (let k = 0; k < T; k++) {
          randomPolicy(obs, B, P, rng, act);
          t = performance.now();
          obs = env.step(act).obs;
          stepMs += performance.now() - t;
          steps++;
        }
        if (name === 'simulator' && Number.isNaN(predictMs)) {
          for (let k = 0; k < 2; k++) sim.predict(obs.browsed, obs.clicked, act); // warm-up
          const reps = Math.max(3, Math.ceil(200 / B));
          t = performance.now();
          for (let k = 0; k < reps; k++) sim.predict(obs.browsed, obs.clicked, act);
          predictMs = (performance.now() - t) / reps;
        }
      }
      const ups = (steps * B) / ((stepMs + resetMs) / 1000);
      console.log(
        `${String(B).padStart(5)}  ${name.padEnd(11)}  ${ups.toFixed(0).padStart(13)}  ${(stepMs / steps).toFixed(3).padStart(8)}  ${(resetMs / resets).toFixed(1).padStart(9)}   ${name === 'simulator' ? predictMs.toFixed(3) : ''}`,
      );
    }
  }
  sim.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
