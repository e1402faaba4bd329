/**
 * Remove a folder tree that holds no files (only empty sub-folders): what a command that created
 * its output folder and then failed before writing anything must not leave behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** True when `dir` contains no file at any depth. */
function holdsNoFile(dir: string): boolean {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || !holdsNoFile(path.join(dir, e.name))) return false;
  }
  return true;
}

/** Remove `dir` when it exists and holds no file; returns whether it was removed. Never throws. */
export function removeIfEmpty(dir: string): boolean {
  try {
    if (!fs.statSync(dir).isDirectory() || !holdsNoFile(dir)) return false;
    fs.rmSync(dir, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}
