/**
 * Timing of ONE full Algorithm-2 parameter update (high-level DdpgCore.update with K=2 + low-level
 * DdpgCore.update with K=1; E=50, N=10, H=64) at batch 64 and 256, plus one acting step (LActor
 * forward on batch 64 + cosine argmax over 500 candidates per user in JS) and RewardNet
 * scoreCandidates (64 users x 500 candidates). Median / p10 / p90 of --iters calls after --warmup.
 * Like the PyTorch peer, 4 pre-generated random minibatches (full histories, no padding) are cycled.
 * If /usr/bin/python3 has torch, also runs /work/shared/bench/peer_torch.py and prints the ratio.
 *
 *   node dist-<x>/bench/update.js [--batch 64 256] [--warmup 10] [--iters 50] [--no-peer]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { DdpgCore, DdpgBatch } from '../lib/agents/ddpgCore';
import { RewardNet } from '../lib/nn/rewardNet';

const E = 50, N = 10, H = 64, M = 2, ITEMS = 10_000, CANDS = 500;

function arg(name: string, def: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const out: number[] = [];
  for (let j = i + 1; j < process.argv.length && !process.argv[j].startsWith('--'); j++) out.push(Number(process.argv[j]));
  return out;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function timeit(fn: () => void, warmup: number, iters: number): { median: number; p10: number; p90: number } {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ts.sort((a, b) => a - b);
  return { median: quantile(ts, 0.5), p10: quantile(ts, 0.1), p90: quantile(ts, 0.9) };
}

const fmt = (s: { median: number; p10: number; p90: number }) => `${s.median.toFixed(1)} ms (p10 ${s.p10.toFixed(1)}, p90 ${s.p90.toFixed(1)})`;

async function main(): Promise<void> {
  const batches = arg('batch', [64, 256]);
  const [warmup] = arg('warmup', [10]);
  const [iters] = arg('iters', [50]);
  const info = await initBackend();
  console.log(`backend: ${info.backend} (tfjs ${info.tfjsVersion}, ${info.node}, ${info.cpu})`);
  const rng = new Rng(0);
  const table = rng.fillNormal(new Float32Array(ITEMS * E));
  const hist = (batch: number) => {
    const h = new Int32Array(batch * N);
    for (let i = 0; i < h.length; i++) h[i] = 1 + rng.int(ITEMS);
    return h;
  };
  const mb = (K: number, batch: number): DdpgBatch => ({
    s1: hist(batch), s2: hist(batch), s1n: hist(batch), s2n: hist(batch),
    a: rng.fillUniform(new Float32Array(K * batch * E), -1, 1),
    r: rng.fillUniform(new Float32Array(K * batch), 0, 1),
  });
  const ours: Record<number, number> = {};
  for (const batch of batches) {
    const high = new DdpgCore(table, { heads: M, E, N, H }, new Rng(1).fork('high'));
    const low = new DdpgCore(table, { heads: 1, E, N, H }, new Rng(1).fork('low'));
    const pool = Array.from({ length: 4 }, () => ({ h: mb(M, batch), l: mb(1, batch) }));
    let k = 0;
    const s = timeit(() => {
      const p = pool[k++ % 4];
      high.update(p.h);
      low.update(p.l);
    }, warmup, iters);
    ours[batch] = s.median;
    console.log(`update (high K=2 + low K=1), batch ${batch}: ${fmt(s)}`);
    high.dispose();
    low.dispose();
  }

  // Acting step: LActor forward + cosine argmax over 500 candidates per user (JS).
  {
    const batch = 64;
    const low = new DdpgCore(table, { heads: 1, E, N, H }, new Rng(1).fork('low'));
    const unit = new Float32Array(table.length); // rows pre-normalised once (Eq. 13)
    for (let i = 0; i < ITEMS; i++) {
      let n = 0;
      for (let j = 0; j < E; j++) n += table[i * E + j] ** 2;
      n = Math.sqrt(n) || 1;
      for (let j = 0; j < E; j++) unit[i * E + j] = table[i * E + j] / n;
    }
    const b = hist(batch), c = hist(batch);
    const cands = new Int32Array(batch * CANDS).map(() => rng.int(ITEMS));
    const chosen = new Int32Array(batch);
    const s = timeit(() => {
      const a = low.act(b, c, batch); // [1, batch, E]
      for (let u = 0; u < batch; u++) {
        let best = -Infinity, arg = -1;
        for (let q = 0; q < CANDS; q++) {
          const it = cands[u * CANDS + q];
          let dot = 0;
          for (let j = 0; j < E; j++) dot += a[u * E + j] * unit[it * E + j];
          if (dot > best) { best = dot; arg = it; }
        }
        chosen[u] = arg; // ||a|| is the same for every candidate of a user: no need to divide
      }
    }, warmup, iters);
    console.log(`act (LActor forward + cosine argmax over ${CANDS} candidates/user), batch ${batch}: ${fmt(s)}`);
    low.dispose();

    const dnn = new RewardNet(table, { E, N, H }, new Rng(1).fork('dnn'));
    const s2 = timeit(() => dnn.scoreCandidates(b, c, cands), Math.min(warmup, 3), Math.min(iters, 20));
    console.log(`RewardNet.scoreCandidates, ${batch} users x ${CANDS} candidates: ${fmt(s2)}`);
    dnn.dispose();
  }

  const peer = '/work/shared/bench/peer_torch.py';
  if (process.argv.includes('--no-peer') || !fs.existsSync(peer)) return;
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    console.log('peer: /usr/bin/python3 has no torch; skipped');
    return;
  }
  const out = execFileSync('/usr/bin/python3', [peer, '--threads', '1', '--batch', ...batches.map(String), '--items', '10000', '--only', 'update', '--warmup', String(warmup), '--iters', String(iters)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  for (const line of out.trim().split('\n')) {
    const rec = JSON.parse(line) as { what: string; batch: number; ms_median: number };
    if (rec.what !== 'update') continue;
    const r = ours[rec.batch];
    console.log(`peer torch update, batch ${rec.batch}: ${rec.ms_median.toFixed(1)} ms; ours/peer = ${r ? (r / rec.ms_median).toFixed(2) : '?'}x`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
