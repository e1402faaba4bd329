/**
 * The output-folder lock: exclusive (O_EXCL-style link), names its holder, detects stale locks
 * (dead pid, zombie, reused pid) and breaks them safely, waits on request, and keeps two `train`
 * processes on one folder from corrupting each other's results.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  acquireRunLock, isProcessAlive, LOCK_NAME, processStartTime, readLockHolder, RunLock, RunLockError, staleReason, tryAcquireRunLock, withRunLock,
  type LockHolder,
} from '../lib/reliability/runLock';
import { UsageError } from '../lib/util/errors';
import { filesUnder, runCli, startCli, tinyTrainArgs, tinyWorldDataset } from './reliabilityFixture';

let tmp = '';
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-lock-'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A pid that surely belongs to no process any more (a child that has exited and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  assert.ok(pid > 0 && !isProcessAlive(pid));
  return pid;
}

function writeHolder(dir: string, h: Partial<LockHolder>): void {
  fs.mkdirSync(dir, { recursive: true });
  const full: LockHolder = { pid: 1, host: os.hostname(), started: '2020-01-01T00:00:00.000Z', command: 'old run', procStart: null, token: 'tok', ...h };
  fs.writeFileSync(path.join(dir, LOCK_NAME), JSON.stringify(full));
}

test('exclusive: a second acquire fails fast naming the holder; release frees it', async () => {
  const dir = path.join(tmp, 'a');
  const lock = await acquireRunLock(dir, { command: 'first run' });
  assert.ok(lock.held);
  const h = readLockHolder(path.join(dir, LOCK_NAME))!;
  assert.equal(h.pid, process.pid);
  assert.equal(h.host, os.hostname());
  assert.equal(h.command, 'first run');
  assert.equal(h.procStart, processStartTime(process.pid));
  assert.ok(Date.now() - Date.parse(h.started) < 60_000);
  await assert.rejects(acquireRunLock(dir), (e: unknown) => {
    assert.ok(e instanceof RunLockError && e instanceof UsageError);
    assert.equal(e.holder?.token, h.token);
    assert.match(e.message, new RegExp(`is locked by another run: pid ${process.pid} on host ${os.hostname()}, started .*running "first run"`));
    assert.match(e.message, /--wait-lock SECONDS/);
    return true;
  });
  lock.release();
  lock.release(); // idempotent
  assert.ok(!fs.existsSync(path.join(dir, LOCK_NAME)));
  const again = await acquireRunLock(dir);
  again.release();
  // no temporary files left
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('temporary holder records left by a kill during creation: removed by the next holder when their process is gone', async () => {
  const dir = path.join(tmp, 'temps');
  fs.mkdirSync(dir, { recursive: true });
  const dead = `${LOCK_NAME}.${deadPid()}.0123456789abcdef01234567`;
  const live = `${LOCK_NAME}.${process.ppid}.89abcdef0123456789abcdef`; // a live process creating right now
  for (const n of [dead, live]) fs.writeFileSync(path.join(dir, n), '{}\n');
  const lock = await acquireRunLock(dir);
  assert.deepEqual(fs.readdirSync(dir).sort(), [LOCK_NAME, live].sort());
  lock.release();
});

test('release never removes somebody else\'s lock', async () => {
  const dir = path.join(tmp, 'b');
  const lock = await acquireRunLock(dir);
  writeHolder(dir, { pid: process.pid, token: 'someone-else' }); // e.g. broken and retaken meanwhile
  lock.release();
  assert.equal(readLockHolder(path.join(dir, LOCK_NAME))?.token, 'someone-else');
});

test('stale locks are broken: dead pid, reused pid; live and foreign-host locks are not', async () => {
  const dir = path.join(tmp, 'c');
  const logs: string[] = [];
  writeHolder(dir, { pid: deadPid() });
  assert.match(staleReason(readLockHolder(path.join(dir, LOCK_NAME))!)!, /is gone/);
  const l1 = await acquireRunLock(dir, { log: (m) => logs.push(m) });
  assert.match(logs.join('\n'), /broke the stale lock of pid \d+ .*\(process \d+ is gone\)/);
  l1.release();
  // our own pid, but recorded with another start time: the pid was reused by a later process
  writeHolder(dir, { pid: process.pid, procStart: (processStartTime(process.pid) ?? 0) + 12345 });
  if (processStartTime(process.pid) !== null) {
    assert.match(staleReason(readLockHolder(path.join(dir, LOCK_NAME))!)!, /belongs to another process/);
    (await acquireRunLock(dir)).release();
  } else fs.rmSync(path.join(dir, LOCK_NAME));
  // a live holder on this host (our parent shell: alive) is respected
  writeHolder(dir, { pid: process.ppid, procStart: processStartTime(process.ppid) });
  assert.equal(staleReason(readLockHolder(path.join(dir, LOCK_NAME))!), null);
  await assert.rejects(acquireRunLock(dir), RunLockError);
  // another host: cannot be checked, never broken
  writeHolder(dir, { pid: deadPid(), host: 'some-other-host' });
  await assert.rejects(acquireRunLock(dir), /pid \d+ on host some-other-host/);
  fs.rmSync(path.join(dir, LOCK_NAME));
});

test('--wait: acquires once the holder releases; times out naming the holder', async () => {
  const dir = path.join(tmp, 'd');
  const first = await acquireRunLock(dir);
  setTimeout(() => first.release(), 300);
  const t0 = Date.now();
  const second = await acquireRunLock(dir, { waitMs: 10_000, pollMs: 50 });
  assert.ok(Date.now() - t0 >= 250);
  await assert.rejects(acquireRunLock(dir, { waitMs: 200, pollMs: 50 }), /waited 0 s|waited \d+ s/);
  second.release();
  assert.equal(await withRunLock(dir, async (l) => (l.held ? 42 : 0)), 42);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_NAME)));
});

test('8 processes race for one lock (and for one stale lock): exactly one wins each time', { timeout: 60_000 }, async () => {
  const mod = path.join(__dirname, '..', 'lib', 'reliability', 'runLock.js');
  const dir = path.join(tmp, 'race');
  const script = `
    const { tryAcquireRunLock, RunLock } = require(${JSON.stringify(mod)});
    const start = Number(process.argv[1]);
    while (Date.now() < start) {}
    const r = tryAcquireRunLock(${JSON.stringify(dir)});
    process.stdout.write(r instanceof RunLock ? 'won' : 'lost');
    setTimeout(() => { if (r instanceof RunLock) r.release(); }, 1500);`;
  for (const round of ['fresh', 'stale']) {
    if (round === 'stale') writeHolder(dir, { pid: deadPid(), token: 'stale' });
    const start = Date.now() + 1500;
    const runs = Array.from({ length: 8 }, () => {
      const p = spawn(process.execPath, ['-e', script, String(start)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      return new Promise<string>((res) => p.on('close', () => res(out)));
    });
    const outs = await Promise.all(runs);
    assert.equal(outs.filter((o) => o === 'won').length, 1, `${round}: ${outs.join(',')}`);
    assert.equal(outs.filter((o) => o === 'lost').length, 7);
    assert.ok(!fs.existsSync(path.join(dir, LOCK_NAME)), 'released');
    assert.deepEqual(fs.readdirSync(dir), [], 'no temporary files');
  }
});

test('a RunLock is released when the process exits', async () => {
  const mod = path.join(__dirname, '..', 'lib', 'reliability', 'runLock.js');
  const dir = path.join(tmp, 'exit');
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(mod)}).acquireRunLock(${JSON.stringify(dir)}).then(() => process.exit(0))`]);
  assert.equal(r.status, 0);
  assert.ok(!fs.existsSync(path.join(dir, LOCK_NAME)));
  assert.ok(tryAcquireRunLock(dir) instanceof RunLock);
});

test('two `train` processes on one folder: one wins, the other exits 2 naming it; results intact', { timeout: 120_000 }, async () => {
  const data = await tinyWorldDataset(path.join(tmp, 'data'));
  const ref = path.join(tmp, 'ref');
  // long enough (16 batches, a checkpoint each) that the second process starts while the first trains
  assert.equal((await runCli(tinyTrainArgs(data, ref, { batches: 16 }), tmp)).code, 0);
  const out = path.join(tmp, 'shared');
  const args = tinyTrainArgs(data, out, { batches: 16 });
  const a = startCli(args, tmp);
  // start the second one once the first holds the lock
  while (!fs.existsSync(path.join(out, LOCK_NAME)) && a.proc.exitCode === null) await new Promise((r) => setTimeout(r, 5));
  const b = await runCli(args, tmp);
  const ea = await a.exit;
  assert.equal(ea.code, 0, ea.err);
  assert.equal(b.code, 2, b.err);
  const lines = b.err.trimEnd().split('\n');
  assert.equal(lines.length, 1, b.err);
  assert.match(lines[0], new RegExp(`^hrlmg train: error: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is locked by another run: pid ${a.proc.pid} on host ${os.hostname()}, started .*running "hrlmg train --data`));
  // the winner's results are exactly those of a run alone
  assert.ok(fs.readFileSync(path.join(out, 'result.json')).equals(fs.readFileSync(path.join(ref, 'result.json'))));
  for (const f of filesUnder(path.join(ref, 'agent'))) assert.ok(fs.readFileSync(path.join(out, 'agent', f)).equals(fs.readFileSync(path.join(ref, 'agent', f))), f);
  assert.ok(!fs.existsSync(path.join(out, LOCK_NAME)));

  // --wait-lock: the second waits, then finds the run complete
  const out2 = path.join(tmp, 'shared2');
  const c = startCli(tinyTrainArgs(data, out2, { batches: 16 }), tmp);
  while (!fs.existsSync(path.join(out2, LOCK_NAME)) && c.proc.exitCode === null) await new Promise((r) => setTimeout(r, 5));
  const d = await runCli(tinyTrainArgs(data, out2, { batches: 16, extra: ['--wait-lock', '120'] }), tmp);
  assert.equal((await c.exit).code, 0);
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, /already complete/);

  // --per-run: two configurations at once under one --out, each in its own subfolder
  const par = path.join(tmp, 'par');
  const [x, y] = await Promise.all([
    runCli(tinyTrainArgs(data, par, { batches: 2, extra: ['--per-run', '--seed', '1'] }), tmp),
    runCli(tinyTrainArgs(data, par, { batches: 2, extra: ['--per-run', '--seed', '2'] }), tmp),
  ]);
  assert.equal(x.code, 0, x.err);
  assert.equal(y.code, 0, y.err);
  const subs = fs.readdirSync(par).sort();
  assert.equal(subs.length, 2);
  assert.match(subs[0], /^hrl-mg-s1-/);
  assert.match(subs[1], /^hrl-mg-s2-/);
  for (const s of subs) assert.ok(fs.existsSync(path.join(par, s, 'result.json')));
});
