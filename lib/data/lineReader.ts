/**
 * Streaming line reader for large text logs (multi-GB CSVs) with bounded memory.
 *
 * Reads the file in 1 MiB chunks, cuts them at the last newline and hands each line to a callback
 * as a range [start, end) of a block string (no per-line substring is made, so parsers can scan
 * the line in place). Lines are numbered from 1; "\r\n" endings lose their "\r"; a UTF-8
 * byte-order mark at the start of the file is skipped; blank lines are skipped (and counted).
 *
 * Bad input stops with an `InputError(file, line, problem)`:
 *  - bytes that are not valid UTF-8 (latin1 text, UTF-16, binary garbage), or NUL bytes (binary
 *    data that happens to be valid UTF-8): 'not valid UTF-8 text ...';
 *  - a line longer than `maxLineBytes` (default 1 MiB): the reader never buffers more than that
 *    plus one chunk, so a file without newlines cannot exhaust memory;
 *  - a file that cannot be opened or read: line 0 ('file: cannot read ...').
 *
 * Gzip: a file that starts with the gzip magic bytes (1f 8b), whatever its name, is decompressed
 * on the fly (node:zlib stream; memory stays bounded, the progress bar counts compressed bytes).
 * A corrupt or truncated gzip stream is an InputError naming the file ('not a valid gzip file ...').
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isUtf8 } from 'node:buffer';
import * as zlib from 'node:zlib';
import { InputError } from '../util/errors';
import { Progress } from '../util/progress';

export interface LineReaderOptions {
  /** Longest accepted line in bytes (without its newline); longer lines are an InputError. */
  maxLineBytes?: number;
  /** Show a progress bar by bytes read (true, or a label). */
  progress?: boolean | string;
  /** Read chunk size in bytes (tests use small chunks to exercise chunk boundaries). */
  chunkBytes?: number;
}

/**
 * Called once per non-blank line: the line is `text.slice(start, end)` (newline and a trailing
 * "\r" excluded), `line` its 1-based number. Return false to stop reading early.
 */
export type LineHandler = (text: string, start: number, end: number, line: number) => boolean | void;

export interface LineReadStats {
  /** Non-blank lines handed to the callback. */
  lines: number;
  /** Blank lines skipped. */
  blankLines: number;
  /** Number of the last line looked at (0 for an empty file). */
  lastLine: number;
  /** Bytes of text read (after decompression for a gzip file). */
  bytes: number;
  /** True when the file was gzip-compressed (and read through node:zlib). */
  gzip: boolean;
  /** True when the callback stopped the reading early. */
  stopped: boolean;
}

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

const NL = 10;
const CR = 13;

/** Stream `file` line by line into `onLine`; resolves with counts once the file is done. */
export async function forEachLine(file: string, onLine: LineHandler, opts: LineReaderOptions = {}): Promise<LineReadStats> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let size = 0;
  try {
    const st = await fs.promises.stat(file);
    if (st.isDirectory()) throw new InputError(file, 0, 'is a directory, expected a file');
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, 0, `cannot read: ${(e as Error).message}`);
  }
  const gzip = size >= 2 && isGzip(file);
  const stats: LineReadStats = { lines: 0, blankLines: 0, lastLine: 0, bytes: 0, gzip, stopped: false };
  const label = typeof opts.progress === 'string' ? opts.progress : `reading ${path.basename(file)}`;
  const bar = opts.progress ? new Progress(label, size, { unit: 'B' }) : null;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  let handlerError: unknown = undefined;

  /** Report the first line of `block` (bytes of lines starting at number `line0`) that is not text. */
  const findBadLine = (block: Buffer, line0: number): InputError => {
    let pos = 0;
    let line = line0;
    while (pos < block.length) {
      let nl = block.indexOf(NL, pos);
      if (nl < 0) nl = block.length;
      const bytes = block.subarray(pos, nl);
      const packed = line === 1 ? compressedFormat(bytes) : null;
      if (packed) return new InputError(file, line, `not text: a ${packed} archive (decompress it first; gzip files are read directly)`);
      if (line === 1 && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
        return new InputError(file, line, 'not valid UTF-8 text (UTF-16 byte-order mark; save the file as UTF-8)');
      }
      if (bytes.indexOf(0) >= 0) return new InputError(file, line, 'not valid UTF-8 text (contains NUL bytes: binary or UTF-16 data?)');
      try {
        decoder.decode(bytes);
      } catch {
        return new InputError(file, line, 'not valid UTF-8 text');
      }
      pos = nl + 1;
      line++;
    }
    // isUtf8 rejected the block but every line decodes: cannot happen (newlines never sit inside
    // a multi-byte sequence); name the block's first line rather than pass silently.
    return new InputError(file, line0, 'not valid UTF-8 text');
  };

  /**
   * Hand the lines of `block` to the callback: whole lines, each ended by its newline, except at
   * the end of the file where the last line may lack one.
   */
  const emit = (block: Buffer): boolean => {
    if (first) {
      first = false;
      if (block.length >= 3 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf) block = block.subarray(3);
    }
    if (block.length > maxLine) {
      // Only then can one of its lines be too long: check line lengths in bytes.
      let pos = 0;
      let line = stats.lastLine + 1;
      while (pos < block.length) {
        let nl = block.indexOf(NL, pos);
        if (nl < 0) nl = block.length;
        if (nl - pos > maxLine) throw tooLong(line);
        pos = nl + 1;
        line++;
      }
    }
    if (block.indexOf(0) >= 0 || !isUtf8(block)) throw findBadLine(block, stats.lastLine + 1);
    const text = block.toString('utf8');
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === CR) end--;
      stats.lastLine++;
      if (end === pos) stats.blankLines++;
      else {
        stats.lines++;
        let r: boolean | void;
        try {
          r = onLine(text, pos, end, stats.lastLine);
        } catch (e) {
          handlerError = e;
          throw e;
        }
        if (r === false) return false;
      }
      pos = nl + 1;
    }
    return true;
  };

  const tooLong = (line: number): InputError =>
    new InputError(file, line, `line longer than ${maxLine} bytes (binary data, or a file without line breaks?)`);

  const raw = fs.createReadStream(file, { highWaterMark: opts.chunkBytes ?? 1 << 20 });
  let rawBytes = 0;
  let stream: NodeJS.ReadableStream = raw;
  let gunzip: zlib.Gunzip | null = null;
  if (gzip) {
    raw.on('data', (c: string | Buffer) => {
      rawBytes += c.length;
    });
    gunzip = zlib.createGunzip({ chunkSize: opts.chunkBytes ?? 1 << 20 });
    raw.on('error', (e) => gunzip!.destroy(e));
    stream = raw.pipe(gunzip);
  }
  let carry: Buffer | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      stats.bytes += chunk.length;
      bar?.update(gzip ? rawBytes : stats.bytes);
      const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      const last = buf.lastIndexOf(NL);
      if (last < 0) {
        carry = buf;
        if (carry.length > maxLine) throw tooLong(stats.lastLine + 1);
        continue;
      }
      carry = last + 1 < buf.length ? buf.subarray(last + 1) : null;
      if (carry && carry.length > maxLine) {
        // The tail line is already too long: the lines before it come first, then the error.
        if (!emit(buf.subarray(0, last + 1))) {
          stats.stopped = true;
          break;
        }
        throw tooLong(stats.lastLine + 1);
      }
      if (!emit(buf.subarray(0, last + 1))) {
        stats.stopped = true;
        break;
      }
    }
    if (!stats.stopped && carry && carry.length > 0) {
      if (!emit(carry)) stats.stopped = true;
    }
  } catch (e) {
    if (e === handlerError || e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (gzip && code.startsWith('Z_')) {
      throw new InputError(file, 0, `not a valid gzip file (${(e as Error).message}; corrupt or truncated? try gunzip -t)`);
    }
    throw new InputError(file, 0, `cannot read: ${(e as Error).message}`);
  } finally {
    gunzip?.destroy();
    raw.destroy();
    bar?.finish();
  }
  return stats;
}

/** The name of a compressed format whose magic bytes start `b` (zip, bzip2, xz, zstd), or null. */
function compressedFormat(b: Buffer): string | null {
  const starts = (...m: number[]): boolean => b.length >= m.length && m.every((x, i) => b[i] === x);
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'zip';
  if (starts(0x42, 0x5a, 0x68)) return 'bzip2';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  return null;
}

/** True when `file` starts with the gzip magic bytes 1f 8b. */
function isGzip(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false; // the read stream reports why
  }
  try {
    const b = Buffer.alloc(2);
    return fs.readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}
