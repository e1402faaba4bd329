/**
 * Nothing half-written: every output goes to a temporary file (or folder) beside its target,
 * is flushed to disk, then renamed over the target in one step. A crash leaves either the old
 * file or the new one, plus at worst a stray `*.tmp-*` that the next write ignores.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

function tmpName(target: string): string {
  counter += 1;
  return `${target}.tmp-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Write `data` to `target` atomically (creating parent folders). */
export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tmpName(target);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, data as never);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, target);
}

/** JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Build a folder atomically: `fill(tmpDir)` writes the contents into a temporary sibling folder,
 * which then replaces `target` (any previous `target` is removed only after `fill` succeeded).
 */
export async function writeDirAtomic(target: string, fill: (tmpDir: string) => void | Promise<void>): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tmpName(target);
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = fs.existsSync(target) ? tmpName(target) + '-old' : null;
  if (old) fs.renameSync(target, old);
  fs.renameSync(tmp, target);
  if (old) fs.rmSync(old, { recursive: true, force: true });
}

/** Open a stream to a temp file; `commit()` renames it into place, `abort()` deletes it. */
export function atomicWriteStream(target: string): { stream: fs.WriteStream; commit: () => Promise<void>; abort: () => void } {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tmpName(target);
  const stream = fs.createWriteStream(tmp);
  return {
    stream,
    commit: () =>
      new Promise<void>((resolve, reject) => {
        stream.end(() => {
          try {
            const fd = fs.openSync(tmp, 'r+');
            fs.fsyncSync(fd);
            fs.closeSync(fd);
            fs.renameSync(tmp, target);
            resolve();
          } catch (e) {
            reject(e);
          }
        });
      }),
    abort: () => {
      stream.destroy();
      fs.rmSync(tmp, { force: true });
    },
  };
}
