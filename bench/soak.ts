/**
 * Soak: 10,000 agent updates of the real training loop (HRL-MG: each also updates the high level,
 * so ~20,000 network updates) at tiny sizes, with the divergence guard on every update, a
 * crash-safe checkpoint every 10 session batches and a restore every 50, printing memory after a
 * forced GC at intervals: tf numTensors / bytes, wasm heap, JS heapUsed, external, arrayBuffers,
 * RSS. Everything must stay flat after warm-up (lib/reliability/soak.ts).
 *
 *   node dist-<x>/bench/soak.js [--updates 10000] [--every 1000] [--method hrl-mg] [--json FILE]
 */
import * as fs from 'node:fs';
import { formatSoak, runSoak, soakGrowth } from '../lib/reliability/soak';
import type { AgentMethod } from '../lib/agents/agentConfig';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  const updates = Number(arg('updates', '10000'));
  const every = Number(arg('every', '1000'));
  const method = arg('method', 'hrl-mg') as AgentMethod;
  process.stderr.write(`soak: ${updates} ${method} updates, memory every ${every}...\n`);
  const rep = await runSoak({
    updates,
    every,
    method,
    onSample: (s) => process.stderr.write(`  ${s.updates} updates, ${s.numTensors} tensors, heap ${(s.heapUsed / 1048576).toFixed(2)} MB, rss ${(s.rss / 1048576).toFixed(1)} MB, ${s.seconds.toFixed(0)} s\n`),
  });
  const g = soakGrowth(rep);
  const MB = 1048576;
  process.stdout.write(`${formatSoak(rep)}\n\n`);
  process.stdout.write(
    `${rep.method} on ${rep.backend}: ${rep.samples.at(-1)!.updates} updates (${rep.samples.at(-1)!.netUpdates} network updates), ` +
      `${rep.checkpoints} checkpoints, ${rep.restores} restores, ${rep.weightScans} weight scans, ${rep.seconds.toFixed(0)} s\n` +
      `growth first -> last sample: tensors ${g.numTensors}, tf bytes ${g.tfBytes}, wasm heap ${(g.wasmHeap / MB).toFixed(2)} MB, ` +
      `heapUsed ${(g.heapUsed / MB).toFixed(2)} MB (trend ${(g.heapSlopePer1k / 1024).toFixed(1)} KB / 1k updates), external ${(g.external / MB).toFixed(2)} MB, ` +
      `arrayBuffers ${(g.arrayBuffers / MB).toFixed(2)} MB, rss ${(g.rss / MB).toFixed(1)} MB\n`,
  );
  const json = arg('json', '');
  if (json) fs.writeFileSync(json, JSON.stringify({ ...rep, growth: g }, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
