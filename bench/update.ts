/**
 * Speed of ONE full Algorithm-2 parameter update (high-level DdpgCore.update with K=2 + low-level
 * DdpgCore.update with K=1; E=50, N=10, H=64) at each --batch, and of the acting step, against the
 * PyTorch peer (../shared/bench/peer_torch.py beside the repository, or $HRLMG_PEER_TORCH; torch CPU, 1 thread), ALTERNATING ours and the
 * peer for --rounds rounds in one run (the machine is shared and noisy: compare within a round).
 *
 * Acting step (batch 64): LActor forward + cosine argmax over 500 candidates per user (JS), our
 * recommendation path; plus 'act-catalog' = the peer's act: LActor forward, normalise, score all
 * 10000 catalog items (one matmul), mask N items per user, argmax.
 * Like the peer: 4 pre-generated random minibatches (full histories) cycled, warm-up then timed
 * calls, median / p10 / p90 per round. Each timed call is measured on the wall clock AND in process
 * CPU time (both sides are single-threaded; CPU time is much less sensitive to other load).
 *
 *   node dist-<x>/bench/update.js [--batch 64 256] [--rounds 3] [--warmup 10] [--iters 50]
 *        [--impl fast|plain|both] [--no-peer] [--peer-cpu] [--no-act] [--lib DIR...]
 *   --impl plain : the cores built on the 'reference' engine (plain tfjs ops + autodiff)
 *   --impl nosimd: the fast path with the JS loops instead of the WebAssembly SIMD step kernels
 *   --impl nogemm: the fast path with tfjs's _FusedMatMul (XNNPACK) instead of gemm.ts's matmul
 *   (several: --impl fast nosimd nogemm plain; 'both' = fast plain)
 *   --peer-cpu   : also run the peer with time.perf_counter replaced by time.process_time
 *   --lib DIR... : benchmark the library build(s) in DIR (e.g. an older build to compare before /
 *                  after; default: this build), each round runs every build then the peer
 * Output: one JSON line per measurement (stdout), then a table; the load average is recorded
 * before and after every measurement.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

import { E, H, ITEMS, M, N, randomHistories, randomMinibatch } from './updateWorkload';

const CANDS = 500, ACT_BATCH = 64;
// The peer lives in the shared folder beside the repository (../shared/bench from the repo root; this
// file runs as dist/bench/update.js), or wherever HRLMG_PEER_TORCH points.
const PEER = process.env.HRLMG_PEER_TORCH ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'bench', 'peer_torch.py');
// Debian's python3 (where python3-torch installs) before whatever python3 is first on PATH.
const PY = process.env.HRLMG_PYTHON ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function args(name: string): string[] | null {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return null;
  const out: string[] = [];
  for (let j = i + 1; j < process.argv.length && !process.argv[j].startsWith('--'); j++) out.push(process.argv[j]);
  return out;
}
const nums = (name: string, def: number[]) => (args(name) ?? def.map(String)).map(Number);
const flag = (name: string) => process.argv.includes(`--${name}`);

interface Stats {
  median: number;
  p10: number;
  p90: number;
  cpuMedian: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function timeit(fn: () => void, warmup: number, iters: number): Stats {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < iters; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e3);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median: quantile(wall, 0.5), p10: quantile(wall, 0.1), p90: quantile(wall, 0.9), cpuMedian: quantile(cpu, 0.5) };
}

const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const r1 = (x: number) => Math.round(x * 10) / 10;

interface Rec {
  side: 'ours' | 'peer' | 'peer-cpu';
  /** For ours: '<build>:<fast|plain>'. */
  impl: string;
  what: string;
  batch: number;
  round: number;
  ms_median: number;
  ms_p10?: number;
  ms_p90?: number;
  cpu_ms_median?: number;
  load_before: number[];
  load_after: number[];
}
const recs: Rec[] = [];
function emit(r: Rec): void {
  recs.push(r);
  console.log(JSON.stringify(r));
}

async function main(): Promise<void> {
  const batches = nums('batch', [64, 256]);
  const [rounds] = nums('rounds', [3]);
  const [warmup] = nums('warmup', [10]);
  const [iters] = nums('iters', [50]);
  const implArgs = args('impl') ?? ['fast'];
  const impls = implArgs.flatMap((i) => (i === 'both' ? ['fast', 'plain'] : [i]));
  if (!impls.every((i) => i === 'fast' || i === 'plain' || i === 'nosimd' || i === 'nogemm')) throw new Error(`--impl takes fast, plain, nosimd, nogemm or both, got ${implArgs}`);
  const here = path.resolve(__dirname, '..');
  const roots = (args('lib') ?? []).map((d) => path.resolve(d));
  if (!roots.length) roots.push(here);
  type Lib = {
    name: string;
    DdpgCore: typeof import('../lib/agents/ddpgCore').DdpgCore;
    Rng: typeof import('../lib/util/rng').Rng;
    /** builds with lib/nn/engine/: the engine is a DdpgCore option; older builds: a global switch */
    engines: boolean;
    nnImpl: { fast: boolean } | undefined;
    simdImpl: { enabled: boolean } | undefined;
    gemmImpl: { enabled: boolean } | undefined;
    /** the library's matmul (kernels.mm), absent in builds before it existed */
    mm: ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor) | undefined;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loadLib = (root: string): Lib => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const req = (m: string) => require(path.join(root, m));
    const has = (m: string) => fs.existsSync(path.join(root, `${m}.js`));
    const nn = has('lib/nn/engine/engine') ? 'lib/nn/engine' : 'lib/nn'; // where the fast-path modules live
    return {
      name: path.basename(root),
      DdpgCore: (req('lib/agents/ddpgCore') as typeof import('../lib/agents/ddpgCore')).DdpgCore,
      Rng: (req('lib/util/rng') as typeof import('../lib/util/rng')).Rng,
      engines: has('lib/nn/engine/engine'),
      nnImpl: has('lib/nn/impl') ? (req('lib/nn/impl') as { nnImpl?: { fast: boolean } }).nnImpl : undefined,
      simdImpl: has(`${nn}/simd`) ? (req(`${nn}/simd`) as { simdImpl?: { enabled: boolean } }).simdImpl : undefined,
      gemmImpl: has(`${nn}/gemm`) ? (req(`${nn}/gemm`) as { gemmImpl?: { enabled: boolean } }).gemmImpl : undefined,
      mm: has(`${nn}/kernels`) ? (req(`${nn}/kernels`) as { mm?: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor }).mm : undefined,
    };
  };
  const libs = roots.map(loadLib);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { initBackend } = require(path.join(roots[0], 'lib/backend')) as typeof import('../lib/backend');
  const { Rng } = libs[0];

  const info = await initBackend();
  console.log(`# backend: ${info.backend} (tfjs ${info.tfjsVersion}, node ${info.node}, ${info.cpu}, ${info.cores} cores); builds: ${roots.join(', ')}`);

  const rng = new Rng(0);
  const table = rng.fillNormal(new Float32Array(ITEMS * E));
  const pools = new Map(batches.map((b) => [b, Array.from({ length: 4 }, () => ({ h: randomMinibatch(rng, M, b), l: randomMinibatch(rng, 1, b) }))]));
  // acting-step data: unit-norm item rows (Eq. 13 cosine), 500 candidates per user, N masked items per user
  const unit = new Float32Array(table.length);
  for (let i = 0; i < ITEMS; i++) {
    let n = 0;
    for (let j = 0; j < E; j++) n += table[i * E + j] ** 2;
    n = Math.sqrt(n) || 1;
    for (let j = 0; j < E; j++) unit[i * E + j] = table[i * E + j] / n;
  }
  const ab = randomHistories(rng, ACT_BATCH), ac = randomHistories(rng, ACT_BATCH);
  const cands = new Int32Array(ACT_BATCH * CANDS).map(() => rng.int(ITEMS));
  const masked = new Int32Array(ACT_BATCH * N).map(() => rng.int(ITEMS));
  const catalogT = tf.tidy(() => tf.transpose(tf.tensor2d(unit, [ITEMS, E])).reshape([1, E, ITEMS])); // [1, E, items]

  const runOurs = (round: number, lib: Lib) => {
    const { DdpgCore } = lib;
    for (const mode of impls) {
      if (mode === 'nosimd' && !lib.simdImpl) continue; // a build without SIMD kernels
      if (mode === 'nogemm' && !lib.gemmImpl) continue; // a build without gemm.ts
      if (lib.nnImpl) lib.nnImpl.fast = mode !== 'plain';
      if (lib.simdImpl) lib.simdImpl.enabled = mode !== 'nosimd';
      if (lib.gemmImpl) lib.gemmImpl.enabled = mode !== 'nogemm';
      const impl = `${lib.name}:${mode}`;
      const opts = lib.engines ? { engine: mode === 'plain' ? 'reference' : 'fast' } as const : {};
      for (const batch of batches) {
        const high = new DdpgCore(table, { heads: M, E, N, H }, new Rng(1).fork('high'), opts);
        const low = new DdpgCore(table, { heads: 1, E, N, H }, new Rng(1).fork('low'), opts);
        const pool = pools.get(batch)!;
        let k = 0;
        const l0 = load();
        const s = timeit(() => {
          const p = pool[k++ % 4];
          high.update(p.h);
          low.update(p.l);
        }, warmup, iters);
        emit({ side: 'ours', impl, what: 'update', batch, round, ms_median: r1(s.median), ms_p10: r1(s.p10), ms_p90: r1(s.p90), cpu_ms_median: r1(s.cpuMedian), load_before: l0, load_after: load() });
        high.dispose();
        low.dispose();
      }
      if (flag('no-act')) continue;
      const low = new DdpgCore(table, { heads: 1, E, N, H }, new Rng(1).fork('low'), opts);
      const chosen = new Int32Array(ACT_BATCH);
      let l0 = load();
      const s = timeit(() => {
        const a = low.act(ab, ac, ACT_BATCH); // [1, batch, E]
        for (let u = 0; u < ACT_BATCH; u++) {
          let best = -Infinity, arg = -1;
          const ao = u * E;
          for (let q = 0; q < CANDS; q++) {
            const it = cands[u * CANDS + q];
            const io = it * E;
            let dot = 0;
            for (let j = 0; j < E; j++) dot += a[ao + j] * unit[io + j];
            if (dot > best) {
              best = dot;
              arg = it;
            }
          }
          chosen[u] = arg; // ||a|| is the same for every candidate of a user: no need to divide
        }
      }, warmup, iters);
      emit({ side: 'ours', impl, what: `act-${CANDS}cands`, batch: ACT_BATCH, round, ms_median: r1(s.median), ms_p10: r1(s.p10), ms_p90: r1(s.p90), cpu_ms_median: r1(s.cpuMedian), load_before: l0, load_after: load() });
      l0 = load();
      const s2 = timeit(() => {
        const a = low.act(ab, ac, ACT_BATCH);
        for (let u = 0; u < ACT_BATCH; u++) {
          let n = 0;
          for (let j = 0; j < E; j++) n += a[u * E + j] ** 2;
          n = Math.max(Math.sqrt(n), 1e-12);
          for (let j = 0; j < E; j++) a[u * E + j] /= n;
        }
        const scores = tf.tidy(() => {
          const q = tf.tensor(a, [1, ACT_BATCH, E]);
          return lib.mm ? lib.mm(q, catalogT) : (tf.engine().runKernel('_FusedMatMul', { a: q, b: catalogT }, { transposeA: false, transposeB: false, activation: 'linear' }) as tf.Tensor);
        });
        const sc = scores.dataSync() as Float32Array; // [batch, items]
        scores.dispose();
        for (let u = 0; u < ACT_BATCH; u++) {
          for (let q = 0; q < N; q++) sc[u * ITEMS + masked[u * N + q]] = -Infinity;
          let best = -Infinity, arg = -1;
          for (let i = 0, o = u * ITEMS; i < ITEMS; i++) if (sc[o + i] > best) { best = sc[o + i]; arg = i; }
          chosen[u] = arg;
        }
      }, warmup, iters);
      emit({ side: 'ours', impl, what: `act-catalog${ITEMS}`, batch: ACT_BATCH, round, ms_median: r1(s2.median), ms_p10: r1(s2.p10), ms_p90: r1(s2.p90), cpu_ms_median: r1(s2.cpuMedian), load_before: l0, load_after: load() });
      low.dispose();
    }
    if (lib.nnImpl) lib.nnImpl.fast = true;
    if (lib.simdImpl) lib.simdImpl.enabled = true;
    if (lib.gemmImpl) lib.gemmImpl.enabled = true;
  };

  const peerArgs = ['--threads', '1', '--batch', ...batches.map(String), '--items', String(ITEMS), '--only', flag('no-act') ? 'update' : 'all', '--warmup', String(warmup), '--iters', String(iters)];
  let peerOk = !flag('no-peer') && fs.existsSync(PEER);
  if (peerOk) {
    try {
      execFileSync(PY, ['-c', 'import torch'], { stdio: 'ignore' });
    } catch {
      console.log(`# peer: ${PY} has no torch; skipped`);
      peerOk = false;
    }
  }
  const runPeer = (round: number, cpuClock: boolean) => {
    const l0 = load();
    const argv = cpuClock
      ? ['-c', `import sys, time, runpy; time.perf_counter = time.process_time; sys.argv = ${JSON.stringify([PEER, ...peerArgs])}; runpy.run_path(${JSON.stringify(PEER)}, run_name='__main__')`]
      : [PEER, ...peerArgs];
    const out = execFileSync(PY, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const l1 = load();
    for (const line of out.trim().split('\n')) {
      const rec = JSON.parse(line) as { what: string; batch: number; items?: number; ms_median: number; ms_p10: number; ms_p90: number; skipped?: string };
      if (rec.skipped) continue;
      const what = rec.what === 'act' ? `act-catalog${rec.items}` : rec.what;
      emit({ side: cpuClock ? 'peer-cpu' : 'peer', impl: 'torch', what, batch: rec.batch, round, ms_median: r1(rec.ms_median), ms_p10: r1(rec.ms_p10), ms_p90: r1(rec.ms_p90), load_before: l0, load_after: l1 });
    }
  };

  for (let round = 1; round <= rounds; round++) {
    for (const lib of libs) runOurs(round, lib);
    if (peerOk) runPeer(round, false);
    if (peerOk && flag('peer-cpu')) runPeer(round, true);
  }

  // Final table: per (what, batch) the median over rounds; ratios within the same clock.
  const med = (xs: number[]) => {
    const s = xs.slice().sort((a, b) => a - b);
    return s.length ? quantile(s, 0.5) : NaN;
  };
  const keys = [...new Set(recs.filter((r) => r.side === 'ours').map((r) => `${r.what}|${r.batch}`))];
  const pick = (side: string, impl: string | null, what: string, batch: number, f: (r: Rec) => number | undefined) =>
    med(recs.filter((r) => r.side === side && (impl === null || r.impl === impl) && r.what === what && r.batch === batch).map(f).filter((x): x is number => x !== undefined));
  const peerWhat = (what: string) => (what.startsWith('act-') ? `act-catalog${ITEMS}` : what);
  console.log(`\n# medians over ${rounds} round(s); wall ms (cpu ms); ratio = ours / peer on the same clock; backend ${info.backend}`);
  console.log('| build:impl | what | batch | ours wall | ours cpu | peer wall | ratio wall | peer cpu | ratio cpu |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const impl of [...new Set(recs.filter((r) => r.side === 'ours').map((r) => r.impl))]) {
    for (const key of keys) {
      const [what, bs] = key.split('|');
      const batch = Number(bs);
      const ow = pick('ours', impl, what, batch, (r) => r.ms_median);
      const oc = pick('ours', impl, what, batch, (r) => r.cpu_ms_median);
      const pw = pick('peer', null, peerWhat(what), batch, (r) => r.ms_median);
      const pc = pick('peer-cpu', null, peerWhat(what), batch, (r) => r.ms_median);
      const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
      const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) + 'x' : '-');
      console.log(`| ${impl} | ${what} | ${batch} | ${f(ow)} | ${f(oc)} | ${f(pw)} | ${ratio(ow, pw)} | ${f(pc)} | ${ratio(oc, pc)} |`);
    }
  }
  const loads = recs.flatMap((r) => [r.load_before[0], r.load_after[0]]);
  console.log(`# 1-min load average during the runs: min ${Math.min(...loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)} (${os.cpus().length} cores)`);
  console.log('# act-500cands (ours) is compared with the peer\'s act over the full catalog (different work); act-catalog is the like-for-like act.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
