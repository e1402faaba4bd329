/**
 * Numbered, crash-safe trainer checkpoints in one folder:
 *
 *   <root>/ckpt-00000004/   trainer.json + agent/ (Trainer.saveCheckpoint) after session batch 4
 *   <root>/ckpt-00000005/   the newest; the `keep` newest are kept, older ones pruned
 *
 * A checkpoint is written under a temporary name (`.writing-ckpt-...`), flushed to disk (every file
 * and folder fsync'ed), then renamed to its final name in one step, and only then are older ones
 * pruned. So at every instant of a write, and after a kill at any instant, the folder holds at
 * least one complete checkpoint (once the first was written), and a `ckpt-*` folder is always
 * complete. Pruning renames an old checkpoint to `.pruning-...` before deleting it. Leftovers of
 * interrupted writes and prunes never look like checkpoints; removeTemp() deletes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, UsageError } from '../util/errors';
import type { Trainer } from '../agents/trainer';

export interface StoredCheckpoint {
  /** Folder of the checkpoint (holds trainer.json and agent/). */
  dir: string;
  name: string;
  /** Session batches completed when it was taken. */
  episodes: number;
}

const NAME = /^ckpt-(\d{8,})$/;
const TEMP_PREFIX = '.writing-';
/** An old checkpoint being pruned is renamed to this prefix first (one step), then deleted. */
const TRASH_PREFIX = '.pruning-';

/** fsync a file or folder (folders: so renames/creations inside it are durable). Best effort on folders. */
function fsyncPath(p: string, isDir: boolean): void {
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch (e) {
    if (isDir) return; // some platforms cannot open folders
    throw e;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!isDir) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** fsync every file and folder under `dir` (and `dir` itself). */
export function fsyncTree(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) fsyncTree(p);
    else if (e.isFile()) fsyncPath(p, false);
  }
  fsyncPath(dir, true);
}

export class CheckpointStore {
  constructor(
    readonly root: string,
    /** How many of the newest checkpoints to keep (>= 1; 2 leaves a fallback if the newest is damaged). */
    readonly keep = 2,
  ) {
    if (!Number.isInteger(keep) || keep < 1) throw new UsageError(`CheckpointStore: keep must be an integer >= 1, got ${keep}`);
  }

  static nameOf(episodes: number): string {
    return `ckpt-${String(episodes).padStart(8, '0')}`;
  }

  /** Complete checkpoints, oldest first. */
  list(): StoredCheckpoint[] {
    if (!fs.existsSync(this.root)) return [];
    const out: StoredCheckpoint[] = [];
    for (const name of fs.readdirSync(this.root)) {
      const m = NAME.exec(name);
      if (!m) continue;
      const dir = path.join(this.root, name);
      if (!fs.existsSync(path.join(dir, 'trainer.json'))) continue; // not ours / damaged by hand
      out.push({ dir, name, episodes: Number(m[1]) });
    }
    return out.sort((a, b) => a.episodes - b.episodes);
  }

  latest(): StoredCheckpoint | null {
    return this.list().at(-1) ?? null;
  }

  has(episodes: number): boolean {
    return fs.existsSync(path.join(this.root, CheckpointStore.nameOf(episodes), 'trainer.json'));
  }

  /**
   * Checkpoint `trainer` (it calls its beforeCheckpoint hook first, e.g. the divergence guard's
   * weight scan, so a bad state is never written). A checkpoint for the same batch count that
   * already exists is the same state (runs are deterministic) and is left as it is.
   */
  async save(trainer: Trainer): Promise<StoredCheckpoint> {
    const name = CheckpointStore.nameOf(trainer.episodes);
    const dir = path.join(this.root, name);
    if (fs.existsSync(path.join(dir, 'trainer.json'))) return { dir, name, episodes: trainer.episodes };
    fs.mkdirSync(this.root, { recursive: true });
    const tmp = path.join(this.root, `${TEMP_PREFIX}${name}-${process.pid}`);
    fs.rmSync(tmp, { recursive: true, force: true });
    await trainer.saveCheckpoint(tmp);
    fsyncTree(tmp);
    fs.renameSync(tmp, dir);
    fsyncPath(this.root, true);
    this.prune();
    return { dir, name, episodes: trainer.episodes };
  }

  /**
   * Delete all but the `keep` newest checkpoints. Each is first renamed out of the `ckpt-*`
   * namespace in one step: a kill in the middle of the recursive delete then leaves a `.pruning-`
   * folder (removed by removeTemp on the next start), never a half-deleted `ckpt-*` folder, which
   * list() would skip (no trainer.json) and so never prune.
   */
  prune(): void {
    const all = this.list();
    for (const c of all.slice(0, Math.max(0, all.length - this.keep))) {
      const trash = path.join(this.root, `${TRASH_PREFIX}${c.name}-${process.pid}`);
      fs.rmSync(trash, { recursive: true, force: true });
      fs.renameSync(c.dir, trash);
      fs.rmSync(trash, { recursive: true, force: true });
    }
  }

  /** Delete leftovers of interrupted writes (call only while holding the run's lock). Returns how many. */
  removeTemp(): number {
    if (!fs.existsSync(this.root)) return 0;
    let n = 0;
    for (const name of fs.readdirSync(this.root)) {
      if (name.startsWith(TEMP_PREFIX) || name.startsWith(TRASH_PREFIX) || /\.tmp-/.test(name)) {
        fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
        n++;
      }
    }
    return n;
  }

  /**
   * Restore the newest checkpoint into `trainer`; if it cannot be read (InputError: damaged on
   * disk), fall back to the next older one. Returns the one restored, null when there is none.
   * Config mismatches (UsageError) are not retried.
   */
  async restoreLatest(trainer: Trainer, warn: (msg: string) => void = () => {}): Promise<StoredCheckpoint | null> {
    const all = this.list().reverse();
    let firstError: InputError | null = null;
    for (const c of all) {
      try {
        await trainer.restore(c.dir);
        return c;
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        firstError ??= e;
        warn(`checkpoint ${c.dir} is unreadable (${e.message}); trying an older one`);
      }
    }
    if (firstError) throw firstError;
    return null;
  }
}
