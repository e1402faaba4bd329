/**
 * The one canonical JSON and its hashes. Reproduce stages are identified by the SHA-256 of the
 * canonical JSON of their resolved config and input hashes (same config + same inputs => same hash
 * => the cached result is reused); training runs by that of their identity (run.json); saved agents
 * and checkpoints compare configs with it. One rule everywhere: keys sorted at every depth, arrays
 * and typed arrays in their order, undefined fields dropped (as JSON.stringify drops them).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** JSON with object keys sorted at every depth (arrays keep their order); undefined fields dropped. */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
    }
    return v;
  });
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 (hex) of the canonical JSON of `x`. */
export function configHash(x: unknown): string {
  return sha256Hex(canonicalJson(x));
}

/** SHA-256 (hex) of a file's bytes, streamed in 4 MiB chunks (input logs can be gigabytes). */
export function fileSha256(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}
