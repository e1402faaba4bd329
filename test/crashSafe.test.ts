/**
 * Crash safety of `hrlmg train`: a REAL child process is killed with SIGKILL at several points
 *   1. while loading (before any checkpoint exists),
 *   2. right after a checkpoint folder appeared (between batches),
 *   3. during a checkpoint write (its temporary folder exists; retried until a kill lands inside one),
 *   4. in the middle of a session batch (between two checkpoints),
 *   5. while the final results are being written,
 * each time restarted with the SAME command, and the finished run must equal an uninterrupted one
 * bit for bit: result.json (training log, update counts, sha256 of every weight), the saved agent's
 * files, the final checkpoint's agent state (networks, targets, Adam moments, replay buffers, Rng
 * states) and the training log entries. No lock, temporary file or partial output may remain.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filesUnder, runCli, startCli, tinyTrainArgs, tinyWorldDataset, type Exit } from './reliabilityFixture';
import { initBackend } from '../lib/backend';
import { Rng } from '../lib/util/rng';
import { createAgent } from '../lib/agents/factory';
import { findTrainerCheckpoint } from '../lib/agents/checkpoint';
import { Trainer, train, trainEnvFactory } from '../lib/agents/trainer';
import { CheckpointStore } from '../lib/reliability/checkpointStore';
import { clusterWorld, ClusterBackend } from './agentsFixture';
import { loadDataset } from '../lib/data/dataset';
import { fitSimulator } from '../lib/sim/fitSimulator';

let tmp = '';
let data = '';
const BATCHES = 12;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-crash-'));
  data = await tinyWorldDataset(path.join(tmp, 'data'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ckptDir = (out: string): string => path.join(out, 'checkpoints');
const list = (d: string): string[] => (fs.existsSync(d) ? fs.readdirSync(d) : []);
const done = (d: string): number[] => list(d).filter((n) => /^ckpt-\d+$/.test(n)).map((n) => Number(n.slice(5)));
const newest = (d: string): number => Math.max(-1, ...done(d));

/**
 * Start the same command; SIGKILL it as soon as `when()` holds (polled every 2 ms). Resolves with
 * whether the kill happened (false: the run ended first) and the process's exit.
 */
async function killWhen(args: string[], when: () => boolean, timeoutMs = 60_000): Promise<{ killed: boolean; exit: Exit }> {
  const c = startCli(args, tmp);
  let killed = false;
  const t0 = Date.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
      if (when() || Date.now() - t0 > timeoutMs) {
        killed = c.proc.kill('SIGKILL');
        return resolve();
      }
      setTimeout(tick, 2);
    };
    c.proc.once('exit', () => resolve());
    tick();
  });
  const exit = await c.exit;
  return { killed: killed && exit.signal === 'SIGKILL', exit };
}

function bytesEqual(a: string, b: string, what: string): void {
  assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)), `${what}: ${path.basename(a)} differs`);
}

test('SIGKILL at 5 kinds of points, restart with the same command: bit-identical to an uninterrupted run', { timeout: 180_000 }, async () => {
  const t0 = Date.now();
  // the uninterrupted reference
  const refOut = path.join(tmp, 'ref');
  const ref = await runCli(tinyTrainArgs(data, refOut, { batches: BATCHES }), tmp);
  assert.equal(ref.code, 0, ref.err);
  const refSeconds = (Date.now() - t0) / 1000;

  const out = path.join(tmp, 'crashed');
  const args = tinyTrainArgs(data, out, { batches: BATCHES });
  const ck = ckptDir(out);
  const kills: string[] = [];

  // 1. while starting (no checkpoint yet): 300 ms after the spawn
  const s1 = Date.now();
  let k = await killWhen(args, () => Date.now() - s1 > 300);
  assert.ok(k.killed, 'kill 1 (startup) landed');
  kills.push(`startup (newest checkpoint then: ${newest(ck)})`);

  // 2. right after checkpoint 3 appeared
  k = await killWhen(args, () => newest(ck) >= 3);
  assert.ok(k.killed, 'kill 2 landed');
  kills.push(`right after checkpoint ${newest(ck)} appeared`);

  // 3. during a checkpoint write: kill as soon as a temporary checkpoint folder shows up; retried
  //    (each retry is another kill + restart) until one kill leaves it behind, i.e. landed inside
  let inside = 0;
  for (let attempt = 0; attempt < 4 && inside === 0 && newest(ck) < BATCHES - 3; attempt++) {
    k = await killWhen(args, () => list(ck).some((n) => n.startsWith('.writing-')));
    assert.ok(k.killed, 'kill 3 landed');
    const left = list(ck).filter((n) => n.startsWith('.writing-'));
    if (left.length) inside++;
    kills.push(`during the write of a checkpoint (temporary folder ${left.length ? 'left behind: inside the write' : 'already renamed: just after it'}; newest complete: ${newest(ck)})`);
  }

  // 4. mid-batch: half a batch after a checkpoint appeared (batch time from the reference run)
  const base = newest(ck);
  const half = Math.max(20, ((refSeconds * 1000) / BATCHES) * 0.3);
  let seen = 0;
  k = await killWhen(args, () => {
    if (!seen && newest(ck) > base) seen = Date.now();
    return seen > 0 && Date.now() - seen > half;
  });
  // (on a starved machine the poll may come late: then the kill lands later, or after the end)
  if (k.killed) kills.push(`mid-batch (${Math.round(half)} ms after checkpoint ${base + 1}; newest complete: ${newest(ck)})`);
  else assert.equal(k.exit.code, 0, k.exit.err);

  // 5. while writing the final results (agent/ appears before result.json)
  if (!fs.existsSync(path.join(out, 'result.json'))) {
    k = await killWhen(args, () => list(out).some((n) => n === 'agent' || n.startsWith('agent.tmp-') || n.startsWith('train-log.json')));
    if (k.killed) kills.push(`while writing the final results (result.json ${fs.existsSync(path.join(out, 'result.json')) ? 'already written' : 'absent'})`);
    else assert.equal(k.exit.code, 0, k.exit.err); // the run finished before the poll saw the outputs
  }

  // the same command finishes the run
  const fin = await runCli(args, tmp);
  assert.equal(fin.code, 0, fin.err);
  assert.match(fin.out, /complete/);

  // bit for bit: deterministic result, saved agent, final checkpoint's agent state, log entries
  bytesEqual(path.join(refOut, 'result.json'), path.join(out, 'result.json'), 'result');
  const refAgent = filesUnder(path.join(refOut, 'agent'));
  assert.deepEqual(filesUnder(path.join(out, 'agent')), refAgent);
  for (const f of refAgent) bytesEqual(path.join(refOut, 'agent', f), path.join(out, 'agent', f), `agent/${f}`);
  const last = `ckpt-${String(BATCHES).padStart(8, '0')}`;
  const refCk = path.join(ckptDir(refOut), last, 'agent');
  const ckFiles = filesUnder(refCk);
  assert.ok(ckFiles.includes('replay-low.bin') && ckFiles.includes('replay-high.bin') && ckFiles.includes('runtime.json'));
  assert.deepEqual(filesUnder(path.join(ck, last, 'agent')), ckFiles);
  for (const f of ckFiles) bytesEqual(path.join(refCk, f), path.join(ck, last, 'agent', f), `checkpoint agent/${f}`);
  const logOf = (d: string): string => JSON.stringify(JSON.parse(fs.readFileSync(path.join(d, 'train-log.json'), 'utf8')).log);
  assert.equal(logOf(out), logOf(refOut), 'training log');
  const result = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8'));
  assert.equal(result.budget.episodes, BATCHES);
  assert.ok(result.updates.low > 0 && result.updates.high > 0);

  // nothing left behind: no lock, no temporary files, exactly the 2 newest checkpoints
  const everything = filesUnder(out).concat(list(out), list(ck));
  assert.ok(!everything.some((f) => /\.tmp-|\.writing-|\.pruning-|\.hrlmg-lock/.test(f)), `leftovers: ${everything.filter((f) => /\.tmp-|\.writing-|\.pruning-|lock/.test(f))}`);
  assert.deepEqual(list(ck).sort(), [`ckpt-${String(BATCHES - 1).padStart(8, '0')}`, last]);

  // a finished run is not redone
  const again = await runCli(args, tmp);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /already complete/);
  bytesEqual(path.join(refOut, 'result.json'), path.join(out, 'result.json'), 'result after a rerun');

  assert.ok(kills.length >= 4, kills.join('\n'));
  assert.ok(inside >= 1 || kills.some((s) => s.includes('just after')), 'a kill at a checkpoint write');
  process.stderr.write(`# crashSafe: ${kills.length} kills (${inside} inside a checkpoint write), total ${((Date.now() - t0) / 1000).toFixed(1)} s, reference run ${refSeconds.toFixed(1)} s\n#   ${kills.join('\n#   ')}\n`);
});

test('a changed configuration is refused in the same folder; --fresh discards it; --per-run separates it', { timeout: 120_000 }, async () => {
  const out = path.join(tmp, 'cfg');
  const a = await runCli(tinyTrainArgs(data, out, { batches: 2 }), tmp);
  assert.equal(a.code, 0, a.err);
  const b = await runCli(tinyTrainArgs(data, out, { batches: 2, extra: ['--lrCritic', '0.002'] }), tmp);
  assert.equal(b.code, 2);
  assert.match(b.err, /^hrlmg train: error: .*holds another run \(agent\.lrCritic: 0\.001 there, 0\.002 now\); use another --out, --per-run, or --fresh/);
  assert.equal(b.err.trimEnd().split('\n').length, 1, b.err);
  // a larger budget continues the finished run (the budget is not part of the identity)
  const c = await runCli(tinyTrainArgs(data, out, { batches: 3 }), tmp);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /resumed from session batch 2/);
  const d = await runCli(tinyTrainArgs(data, out, { batches: 2, extra: ['--lrCritic', '0.002', '--fresh'] }), tmp);
  assert.equal(d.code, 0, d.err);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).identity.agent.lrCritic, 0.002);
  const wrongE = await runCli(tinyTrainArgs(data, path.join(tmp, 'wrongE'), { batches: 1, extra: ['--E', '50'] }), tmp);
  assert.equal(wrongE.code, 2);
  assert.match(wrongE.err, /^hrlmg train: error: agent\(hrl-mg\)\.E: must match the dataset \(.* has embeddingDim = 8\), got 50/);
  assert.ok(!fs.existsSync(path.join(tmp, 'wrongE')));
  const e = await runCli(tinyTrainArgs(data, path.join(tmp, 'per'), { batches: 1, extra: ['--per-run'] }), tmp);
  assert.equal(e.code, 0, e.err);
  assert.equal(list(path.join(tmp, 'per')).filter((n) => /^hrl-mg-s7-[0-9a-f]{10}$/.test(n)).length, 1);
});

test('dnn: killed after a checkpoint and mid-batch, resumed: bit-identical', { timeout: 120_000 }, async () => {
  const refOut = path.join(tmp, 'dnn-ref');
  const ref = await runCli(tinyTrainArgs(data, refOut, { batches: 6, method: 'dnn' }), tmp);
  assert.equal(ref.code, 0, ref.err);
  const out = path.join(tmp, 'dnn');
  const args = tinyTrainArgs(data, out, { batches: 6, method: 'dnn' });
  const ck = ckptDir(out);
  let k = await killWhen(args, () => newest(ck) >= 2);
  assert.ok(k.killed);
  let seen = 0;
  k = await killWhen(args, () => {
    if (!seen && newest(ck) >= 3) seen = Date.now();
    return seen > 0 && Date.now() - seen > 30;
  });
  assert.ok(k.killed);
  const fin = await runCli(args, tmp);
  assert.equal(fin.code, 0, fin.err);
  assert.match(fin.out, /resumed from session batch \d/);
  bytesEqual(path.join(refOut, 'result.json'), path.join(out, 'result.json'), 'dnn result');
  for (const f of filesUnder(path.join(refOut, 'agent'))) bytesEqual(path.join(refOut, 'agent', f), path.join(out, 'agent', f), `dnn agent/${f}`);
});

test('in-process: checkpoint folder lost between the two renames of a replacement, damaged newest checkpoint', async () => {
  await initBackend();
  const w = clusterWorld({ nItems: 32, E: 4, N: 3 });
  const makeEnv = trainEnvFactory(w.ds, new ClusterBackend(w.cluster), { batchSize: 4, T: 5, poolSize: 16 });
  const cfg = { E: 4, H: 4, N: 3, batchLow: 4, warmupLow: 4, bufferLow: 100, M: 2, c: 2, batchHigh: 4, warmupHigh: 4, bufferHigh: 50 };
  const tcfg = { seed: 2, sessions: 16, progress: false };
  const mk = (seed: number) => createAgent('hrl-mg', w.ds.embeddings, cfg, new Rng(seed));
  const ref = mk(1);
  await train(ref, makeEnv, tcfg);
  // Trainer checkpoints (writeDirAtomic): killed after "rename old aside", before "rename new in"
  const dir = path.join(tmp, 'ck-old');
  const a = mk(1);
  const ta = new Trainer(a, makeEnv, tcfg);
  await ta.run({ episodes: 2 });
  await ta.saveCheckpoint(dir);
  const aside = `${dir}.tmp-99999-abc-1-old`;
  fs.renameSync(dir, aside);
  assert.equal(findTrainerCheckpoint(dir), aside);
  const b = mk(5);
  await train(b, makeEnv, tcfg, { resumeFrom: dir, checkpointDir: dir });
  assert.ok(fs.existsSync(path.join(dir, 'trainer.json')) && !fs.existsSync(aside), 'the next write replaces it and removes the leftover');
  const same = (x: typeof ref, y: typeof ref) => x.weightArrays().every((arr, i) => Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).equals(Buffer.from(y.weightArrays()[i].buffer, y.weightArrays()[i].byteOffset, y.weightArrays()[i].byteLength)));
  assert.ok(same(ref, b), 'resumed from the set-aside checkpoint: same weights as uninterrupted');
  // CheckpointStore: a damaged newest checkpoint falls back to the previous one
  const store = new CheckpointStore(path.join(tmp, 'store'));
  const c = mk(1);
  const tc = new Trainer(c, makeEnv, tcfg);
  for (let k = 0; k < 3; k++) {
    tc.runEpisode();
    await store.save(tc);
  }
  assert.deepEqual(store.list().map((x) => x.episodes), [2, 3]);
  fs.writeFileSync(path.join(store.latest()!.dir, 'trainer.json'), '{"format": "hrl-mg/trainer-checkpoint", "B": 4, "T"'); // torn
  const d = mk(7);
  const td = new Trainer(d, makeEnv, tcfg);
  const warnings: string[] = [];
  const got = await store.restoreLatest(td, (m) => warnings.push(m));
  assert.equal(got?.episodes, 2);
  assert.match(warnings.join(), /unreadable .* trying an older one/);
  await td.run();
  assert.ok(same(ref, d), 'resumed from the older checkpoint: same weights as uninterrupted');
  // pruning: an old checkpoint leaves the ckpt-* namespace in one rename before it is deleted, so a
  // kill inside the delete leaves a .pruning- folder that removeTemp() clears, never a half-deleted
  // ckpt-* folder that list() would skip and prune() never remove (seen under SIGKILL)
  const half = path.join(store.root, '.pruning-ckpt-00000001-123');
  fs.mkdirSync(path.join(half, 'agent'), { recursive: true });
  fs.writeFileSync(path.join(half, 'agent', 'weights.bin'), 'x');
  assert.equal(store.removeTemp(), 1);
  assert.deepEqual(fs.readdirSync(store.root).sort(), ['ckpt-00000002', 'ckpt-00000003']);
  tc.runEpisode();
  await store.save(tc);
  assert.deepEqual(fs.readdirSync(store.root).sort(), ['ckpt-00000003', 'ckpt-00000004'], 'pruned, with nothing left behind');
  for (const x of [ref, a, b, c, d]) x.dispose();
});

test('--backend sim (learned simulator): killed after a checkpoint, resumed: bit-identical', { timeout: 120_000 }, async () => {
  await initBackend();
  const simDir = path.join(tmp, 'sim');
  const sim = await fitSimulator(loadDataset(data), { epochs: 1, H: 8, hidden: 8 });
  await sim.save(simDir);
  sim.dispose();
  const simArgs = (out: string): string[] => tinyTrainArgs(data, out, { batches: 5, method: 'hrl' }).map((a) => (a === 'truth' ? 'sim' : a)).concat(['--sim', simDir]);
  const ref = await runCli(simArgs(path.join(tmp, 'sim-ref')), tmp);
  assert.equal(ref.code, 0, ref.err);
  const out = path.join(tmp, 'sim-run');
  const k = await killWhen(simArgs(out), () => newest(ckptDir(out)) >= 2);
  assert.ok(k.killed);
  const fin = await runCli(simArgs(out), tmp);
  assert.equal(fin.code, 0, fin.err);
  assert.match(fin.out, /resumed from session batch \d/);
  bytesEqual(path.join(tmp, 'sim-ref', 'result.json'), path.join(out, 'result.json'), 'sim result');
  const id = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8')).identity;
  assert.equal(id.backend.kind, 'sim');
  assert.match(id.backend.simSha256, /^[0-9a-f]{64}$/);
  // a missing simulator is a one-line input error
  const bad = await runCli(tinyTrainArgs(data, path.join(tmp, 'nosim'), { batches: 1 }).map((a) => (a === 'truth' ? 'sim' : a)).concat(['--sim', path.join(tmp, 'nope')]), tmp);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^hrlmg train: error: .*nope.simulator\.json: not found \(not a simulator folder\? run fit-simulator\)\n$/);
});

test('SIGTERM / SIGINT (Ctrl-C): stop at once; the stale lock is broken and the same command resumes', { timeout: 60_000 }, async () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    const out = path.join(tmp, `sig-${sig}`);
    const args = tinyTrainArgs(data, out, { batches: 20 });
    const c = startCli(args, tmp);
    while (newest(ckptDir(out)) < 2 && c.proc.exitCode === null) await new Promise((r) => setTimeout(r, 2));
    c.proc.kill(sig);
    const e = await c.exit;
    assert.equal(e.signal, sig, `${sig}: stopped by the signal (code ${e.code}, ${e.err})`);
    assert.ok(!fs.existsSync(path.join(out, 'result.json')));
    const fin = await runCli(args, tmp);
    assert.equal(fin.code, 0, fin.err);
    assert.match(fin.out, /resumed from session batch ([2-9]|1\d), complete/);
    assert.ok(!fs.existsSync(path.join(out, '.hrlmg-lock')), 'lock released');
  }
});
