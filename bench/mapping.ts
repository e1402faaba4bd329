/**
 * Benchmark of the action-mapping indexes (Section 3.1): recall@1 of ApproxIndex against ExactIndex
 * and queries/second of both, at batch 1 and batch 64, whole-catalog sessions (no pools).
 *
 *   npx tsc -p . && node dist/bench/mapping.js --items 1000000
 *   node dist/bench/mapping.js --help
 *
 * Catalogs (dimension `dim`): 'normal' = i.i.d. N(0, 1) entries; 'clustered' = mixture of Gaussians
 * (`clusters` centres ~ N(0, I), Zipf-sized clusters, within-cluster std `spread`).
 * Queries: 'item+noise s' = a random item's vector plus Gaussian noise of norm ~ s*|item| (a
 * proto-action near some item, cosine ~ 1/sqrt(1+s^2) to it); 'random' = pure N(0, I) vectors, for
 * which the nearest neighbour in 50-D is barely nearer than the rest and hashing cannot do well.
 * recall@1 = fraction of queries where ApproxIndex returns exactly ExactIndex's item.
 */
import { ApproxIndex, approxIndexSpec } from '../lib/agents/mapping/approxIndex';
import { ExactIndex } from '../lib/agents/mapping/exactIndex';
import type { ItemIndex } from '../lib/agents/mapping/itemIndex';
import { describeSpec, int, num, numArray, resolveConfig } from '../lib/util/config';
import { Rng } from '../lib/util/rng';
import { kitVersion } from '../lib/util/versions';
import os from 'node:os';

const spec = {
  items: int(100000, 'catalog size', { min: 100 }),
  dim: int(50, 'embedding dimension (paper: 50)', { min: 2 }),
  queries: int(256, 'queries per (catalog, query type) for recall and approx throughput', { min: 64 }),
  exactQueries: int(64, 'queries timed for exact batch-1 throughput (batch 64 is timed on the ground-truth pass over all queries)', { min: 1 }),
  noise: numArray([0.3, 0.6], 'relative noise levels s of item+noise queries', { min: 0 }),
  clusters: int(1000, 'mixture components of the clustered catalog', { min: 1 }),
  spread: num(0.5, 'within-cluster standard deviation (centres have std 1)', { gt: 0 }),
  seed: int(1, 'seed of everything (data, queries, hyperplanes)', { min: 0 }),
  tables: int(0, 'ApproxIndex tables (0 = index default)', { min: 0 }),
  bits: int(-1, 'ApproxIndex bits (-1 = index default)', { min: -1 }),
  probes: int(0, 'ApproxIndex probes per table (0 = index default)', { min: 0 }),
};

function parseArgs(argv: string[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(`usage: node dist/bench/mapping.js [--key value ...]\n\n${describeSpec(spec)}\n\nApproxIndex defaults:\n${describeSpec(approxIndexSpec)}`);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const k = a.slice(2), v = argv[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    o[k] = k === 'noise' ? v.split(',').map(Number) : Number(v);
  }
  return o;
}

function normalCatalog(n: number, E: number, rng: Rng): Float32Array {
  return rng.fillNormal(new Float32Array(n * E));
}

function clusteredCatalog(n: number, E: number, C: number, spread: number, rng: Rng): Float32Array {
  const centres = rng.fillNormal(new Float32Array(C * E));
  const w = Float64Array.from({ length: C }, (_, c) => 1 / Math.pow(c + 1, 0.7)); // Zipf-ish sizes
  const cum = new Float64Array(C);
  let s = 0;
  for (let c = 0; c < C; c++) cum[c] = s += w[c];
  const out = new Float32Array(n * E);
  for (let i = 0; i < n; i++) {
    const u = rng.random() * s;
    let lo = 0, hi = C - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid; else lo = mid + 1;
    }
    for (let k = 0; k < E; k++) out[i * E + k] = centres[lo * E + k] + spread * rng.normal();
  }
  return out;
}

function makeQueries(items: Float32Array, E: number, nq: number, noise: number | null, rng: Rng): Float32Array {
  const n = items.length / E;
  const q = new Float32Array(nq * E);
  if (noise === null) return rng.fillNormal(q);
  for (let j = 0; j < nq; j++) {
    const i = rng.int(n);
    let nn = 0;
    for (let k = 0; k < E; k++) nn += items[i * E + k] ** 2;
    const sd = (noise * Math.sqrt(nn)) / Math.sqrt(E);
    for (let k = 0; k < E; k++) q[j * E + k] = items[i * E + k] + sd * rng.normal();
  }
  return q;
}

/** Map queries [0, limit) in batches of B fresh whole-catalog sessions. */
function mapAll(index: ItemIndex, q: Float32Array, E: number, B: number, limit: number): Int32Array {
  const nq = Math.min(limit, q.length / E);
  const picks = new Int32Array(nq);
  for (let j0 = 0; j0 < nq; j0 += B) {
    const b = Math.min(B, nq - j0);
    picks.set(index.sessions(b).map(q.subarray(j0 * E, (j0 + b) * E)), j0);
  }
  return picks;
}

/**
 * Picks of the first pass and queries/second, repeating the pass until `minSec` has elapsed (fast
 * indexes would otherwise be timed over a few ms, at the mercy of timer and scheduler noise).
 */
function run(index: ItemIndex, q: Float32Array, E: number, B: number, limit: number, minSec = 0): { picks: Int32Array; qps: number } {
  const nq = Math.min(limit, q.length / E);
  let picks: Int32Array | null = null;
  let done = 0;
  const t0 = process.hrtime.bigint();
  let sec = 0;
  do {
    const p = mapAll(index, q, E, B, nq);
    picks ??= p;
    done += nq;
    sec = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (sec < minSec);
  return { picks: picks, qps: done / sec };
}

function main(): void {
  const cfg = resolveConfig('bench.mapping', spec, parseArgs(process.argv.slice(2)));
  const E = cfg.dim;
  const over: Record<string, number> = {};
  if (cfg.tables > 0) over.tables = cfg.tables;
  if (cfg.bits >= 0) over.bits = cfg.bits;
  if (cfg.probes > 0) over.probes = cfg.probes;
  const root = new Rng(cfg.seed);
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`# mapping benchmark: ${cfg.items} items x ${E} dims, ${cfg.queries} queries per row, seed ${cfg.seed}`);
  console.log(`# machine: ${cpu}, ${os.cpus().length} cores (shared), node ${process.version}, kit ${kitVersion()}`);
  const rows: string[][] = [];
  for (const kind of ['normal', 'clustered'] as const) {
    const drng = root.fork(`data.${kind}`);
    let t = Date.now();
    const items = kind === 'normal' ? normalCatalog(cfg.items, E, drng) : clusteredCatalog(cfg.items, E, cfg.clusters, cfg.spread, drng);
    const genMs = Date.now() - t;
    t = Date.now();
    const exact = new ExactIndex(items, E);
    const exactMs = Date.now() - t;
    t = Date.now();
    const approx = new ApproxIndex(items, E, root.fork('index'), over);
    const buildMs = Date.now() - t;
    console.log(`# ${kind}: generate ${genMs} ms, exact normalise ${exactMs} ms, approx build ${buildMs} ms ` +
      `(tables=${approx.tables}, bits=${approx.bits}, probes=${approx.config.probes}, center=${approx.config.center})`);
    const qtypes: (number | null)[] = [...cfg.noise, null];
    for (const noise of qtypes) {
      const q = makeQueries(items, E, cfg.queries, noise, root.fork(`queries.${kind}.${noise}`));
      mapAll(exact, q, E, 1, 2); // warm-up (JIT)
      const ex64 = run(exact, q, E, 64, cfg.queries); // timed, and the ground truth (all queries)
      const truth = ex64.picks;
      const ex1 = run(exact, q, E, 1, cfg.exactQueries);
      mapAll(approx, q, E, 64, 64); // warm-up
      approx.resetStats();
      const ap64 = run(approx, q, E, 64, cfg.queries);
      const cand = approx.stats.candidates / Math.max(1, approx.stats.queries);
      if (approx.stats.fallbacks > 0) console.log(`# note: ${approx.stats.fallbacks} exact fallbacks`);
      const ap64t = run(approx, q, E, 64, cfg.queries, 1);
      const ap1 = run(approx, q, E, 1, cfg.queries, 1);
      let hit = 0;
      for (let j = 0; j < truth.length; j++) if (ap64.picks[j] === truth[j]) hit++;
      for (let j = 0; j < truth.length; j++) if (ap1.picks[j] !== ap64.picks[j]) throw new Error('approx batch-1 and batch-64 picks differ');
      rows.push([
        kind, noise === null ? 'random' : `item+noise ${noise}`, (hit / truth.length).toFixed(3), cand.toFixed(0),
        ex1.qps.toFixed(1), ex64.qps.toFixed(1), ap1.qps.toFixed(0), ap64t.qps.toFixed(0),
        `${(ap1.qps / ex1.qps).toFixed(1)}x`, `${(ap64t.qps / ex64.qps).toFixed(1)}x`,
      ]);
    }
  }
  const head = ['catalog', 'queries', 'recall@1', 'scored/q', 'exact q/s b1', 'exact q/s b64', 'approx q/s b1', 'approx q/s b64', 'speedup b1', 'speedup b64'];
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => '| ' + r.map((x, c) => x.padEnd(w[c])).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + w.map((x) => '-'.repeat(x + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

main();
