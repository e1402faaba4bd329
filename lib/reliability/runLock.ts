/**
 * An exclusive lock on an output folder, so two runs writing the same folder cannot interleave
 * their files: `<dir>/.hrlmg-lock` holds { pid, host, started, command, token }.
 *
 *   const lock = await acquireRunLock('runs/x', { command: 'train ...' });   // RunLockError if held
 *   try { ... } finally { lock.release(); }
 *   await withRunLock('runs/x', async () => { ... }, { waitMs: 60_000 });    // or wait for it
 *
 * Creation is atomic and the content always complete: the holder record is written to a private
 * temporary file, fsync'ed, then hard-linked to the lock name (link fails with EEXIST when the lock
 * exists: O_EXCL semantics, also on NFS). A lock is STALE when its holder ran on this host and that
 * process is gone (or its pid now belongs to a process started later: /proc start time, Linux);
 * a stale lock is broken under a second exclusive file (`.hrlmg-lock.break`) so two processes
 * cannot both break it and both win. A lock held on another host is never broken automatically.
 * The lock is released on release() and on any process exit that runs 'exit' handlers; after a
 * kill (SIGKILL, SIGTERM, Ctrl-C) or a power cut the next run finds it stale and breaks it, and the
 * next holder removes temporary records that a kill during creation left behind.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../util/errors';

export const LOCK_NAME = '.hrlmg-lock';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  /** What holds it (e.g. the command line). */
  command: string;
  /** Process start time in clock ticks since boot (Linux /proc), to detect pid reuse; null elsewhere. */
  procStart: number | null;
  /** Unique per acquisition: release() removes the lock only if it is still this one. */
  token: string;
}

/** The folder is locked by another live run (or could not be locked): names the holder. */
export class RunLockError extends UsageError {
  constructor(
    message: string,
    readonly lockFile: string,
    readonly holder: LockHolder | null,
  ) {
    super(message);
    this.name = 'RunLockError';
  }
}

export interface LockOptions {
  /** Wait up to this many ms for the lock (0 = fail fast, the default). */
  waitMs?: number;
  /** Poll interval while waiting (ms). */
  pollMs?: number;
  /** Recorded in the lock (shown to whoever finds the folder locked). */
  command?: string;
  /** Called once when the lock is found held and we start waiting, and when a stale lock is broken. */
  log?: (msg: string) => void;
}

/** Fields 3.. of /proc/<pid>/stat (Linux), or null when unavailable. */
function procStat(pid: number): string[] | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // comm (field 2) may contain spaces
  } catch {
    return null;
  }
}

/** Start time (clock ticks since boot) of process `pid` from /proc, or null when unavailable. */
export function processStartTime(pid: number): number | null {
  const f = procStat(pid);
  const v = f ? Number(f[19]) : NaN; // field 22: starttime
  return Number.isFinite(v) ? v : null;
}

/** Whether process `pid` runs on this host (EPERM: exists, owned by someone else; a zombie is dead). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = procStat(pid)?.[0]; // field 3: Z = zombie (killed, not yet reaped), X = dead
  return state !== 'Z' && state !== 'X';
}

/** The holder recorded in a lock file; null when absent or unreadable. */
export function readLockHolder(file: string): LockHolder | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    if (h && typeof h === 'object' && Number.isInteger(h.pid) && typeof h.host === 'string' && typeof h.token === 'string') return h;
  } catch {
    /* fall through */
  }
  return null;
}

/** Why a holder is stale (its process is gone), or null when it may be alive. */
export function staleReason(h: LockHolder): string | null {
  if (h.host !== os.hostname()) return null; // cannot check another machine's processes
  if (!isProcessAlive(h.pid)) return `process ${h.pid} is gone`;
  if (h.procStart !== null) {
    const now = processStartTime(h.pid);
    if (now !== null && now !== h.procStart) return `pid ${h.pid} now belongs to another process`;
  }
  return null;
}

export function describeHolder(h: LockHolder | null): string {
  if (!h) return 'an unknown holder (unreadable lock file)';
  return `pid ${h.pid} on host ${h.host}, started ${h.started}${h.command ? `, running "${h.command}"` : ''}`;
}

export class RunLock {
  private released = false;
  private readonly onExit = (): void => this.release();

  constructor(
    readonly dir: string,
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    process.on('exit', this.onExit);
  }

  get held(): boolean {
    return !this.released;
  }

  /** Remove the lock if it is still ours (idempotent). */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    const h = readLockHolder(this.file);
    if (h && h.token === this.holder.token) fs.rmSync(this.file, { force: true });
  }
}

function newHolder(command: string): LockHolder {
  return {
    pid: process.pid,
    host: os.hostname(),
    started: new Date().toISOString(),
    command,
    procStart: processStartTime(process.pid),
    token: crypto.randomBytes(12).toString('hex'),
  };
}

/** A breaker file or temporary holder record older than this was left by a crash. */
const BREAKER_STALE_MS = 10_000;

/** Link a complete holder record to `file`; false when the lock exists. */
function tryCreate(file: string, h: LockHolder): boolean {
  const tmp = `${file}.${h.pid}.${h.token}`;
  const fd = fs.openSync(tmp, 'wx');
  try {
    fs.writeSync(fd, JSON.stringify(h) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    // ENOENT: our temporary file was taken for a dead one's (same pid on another host); try again
    if ((e as NodeJS.ErrnoException).code === 'EEXIST' || (e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/**
 * Remove temporary holder records (`<lock>.<pid>.<token>`, see tryCreate) left by processes killed
 * while creating the lock: those whose process is gone from this host, or older than a live
 * creation ever takes. Called by the holder right after it took the lock.
 */
function removeDeadTemps(dir: string): void {
  const TEMP = new RegExp(`^${LOCK_NAME.replace('.', '\\.')}\\.(\\d+)\\.[0-9a-f]+$`);
  for (const name of fs.readdirSync(dir)) {
    const m = TEMP.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    const f = path.join(dir, name);
    try {
      if (!isProcessAlive(Number(m[1])) || Date.now() - fs.statSync(f).mtimeMs > BREAKER_STALE_MS) fs.rmSync(f, { force: true });
    } catch {
      /* gone meanwhile */
    }
  }
}


/**
 * Break `file` if it is still the stale lock `stale` (same token), under the exclusive breaker
 * file. Returns true when the lock file is gone afterwards (broken by us or released meanwhile).
 */
function breakStale(file: string, stale: LockHolder): boolean {
  const breaker = `${file}.break`;
  let fd: number;
  try {
    fd = fs.openSync(breaker, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // another process is breaking it right now; a breaker left by a crash expires
    try {
      if (Date.now() - fs.statSync(breaker).mtimeMs > BREAKER_STALE_MS) fs.rmSync(breaker, { force: true });
    } catch {
      /* gone meanwhile */
    }
    return false;
  }
  try {
    fs.writeSync(fd, `${process.pid}\n`);
    const now = readLockHolder(file);
    if (now === null && !fs.existsSync(file)) return true;
    if (now && now.token === stale.token) {
      fs.rmSync(file, { force: true });
      return true;
    }
    return false; // replaced by a live holder meanwhile
  } finally {
    fs.closeSync(fd);
    fs.rmSync(breaker, { force: true });
  }
}

/** Unreadable lock files (e.g. hand-edited) older than this are treated as stale. */
const UNREADABLE_STALE_MS = 60_000;

/** One attempt: the lock, or the live holder blocking it (null holder: unreadable). */
export function tryAcquireRunLock(dir: string, o: LockOptions = {}): RunLock | { holder: LockHolder | null } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_NAME);
  const me = newHolder(o.command ?? process.argv.slice(1).join(' '));
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, me)) {
      removeDeadTemps(dir);
      return new RunLock(dir, file, me);
    }
    const h = readLockHolder(file);
    if (h === null) {
      let age = 0;
      try {
        age = Date.now() - fs.statSync(file).mtimeMs;
      } catch {
        continue; // released meanwhile: retry
      }
      if (age > UNREADABLE_STALE_MS) {
        fs.rmSync(file, { force: true });
        o.log?.(`removed the unreadable lock file ${file} (${Math.round(age / 1000)} s old)`);
        continue;
      }
      return { holder: null };
    }
    const why = staleReason(h);
    if (!why) return { holder: h };
    if (breakStale(file, h)) o.log?.(`broke the stale lock of ${describeHolder(h)} (${why})`);
  }
  return { holder: readLockHolder(file) };
}

/**
 * Lock `dir` for this process: fail fast with a RunLockError naming the holder, or with
 * `waitMs` > 0 poll until the holder is done (RunLockError on timeout).
 */
export async function acquireRunLock(dir: string, o: LockOptions = {}): Promise<RunLock> {
  const waitMs = o.waitMs ?? 0;
  const poll = o.pollMs ?? 250;
  const t0 = Date.now();
  let said = false;
  for (;;) {
    const r = tryAcquireRunLock(dir, o);
    if (r instanceof RunLock) return r;
    const file = path.join(dir, LOCK_NAME);
    const waited = Date.now() - t0;
    if (waited >= waitMs) {
      const tail = waitMs > 0 ? ` (waited ${Math.round(waited / 1000)} s)` : '';
      throw new RunLockError(
        `${dir} is locked by another run: ${describeHolder(r.holder)}${tail}. ` +
          `Wait for it (--wait-lock SECONDS), use another --out (or --per-run), or delete ${file} if that run is gone.`,
        file,
        r.holder,
      );
    }
    if (!said) {
      o.log?.(`${dir} is locked by ${describeHolder(r.holder)}; waiting up to ${Math.round(waitMs / 1000)} s...`);
      said = true;
    }
    await new Promise((res) => setTimeout(res, Math.min(poll, Math.max(1, waitMs - waited))));
  }
}

/** Run `fn` holding the lock of `dir`; released afterwards whatever happens. */
export async function withRunLock<T>(dir: string, fn: (lock: RunLock) => Promise<T>, o: LockOptions = {}): Promise<T> {
  const lock = await acquireRunLock(dir, o);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}
