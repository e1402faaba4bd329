/**
 * Allocation-free CSV field scanning and strict value parsing for the adapters.
 *
 * The sources are plain comma-separated files without quoting; a field is whatever lies between
 * commas. Parsers work on a range [a, b) of the line's block string and return NaN (or -1 for
 * ids) instead of throwing, so the adapter can name file, line and problem in one InputError.
 * The error-message helpers (`show`, `*Problem`) only run on the error path.
 */
import { MAX_UNIX_SECONDS } from './options';

/** Splits a line range at commas into reusable start/end arrays (no substrings). */
export class FieldSplitter {
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Number of fields of the last split (may exceed capacity; only the first `capacity` are kept). */
  n = 0;

  constructor(readonly capacity = 16) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  split(s: string, a: number, b: number): number {
    let n = 0;
    let p = a;
    for (let i = a; i < b; i++) {
      if (s.charCodeAt(i) === 44) {
        if (n < this.capacity) {
          this.starts[n] = p;
          this.ends[n] = i;
        }
        n++;
        p = i + 1;
      }
    }
    if (n < this.capacity) {
      this.starts[n] = p;
      this.ends[n] = b;
    }
    this.n = n + 1;
    return this.n;
  }

  /** Text of field i (error path / dictionary keys). */
  text(s: string, i: number): string {
    return s.slice(this.starts[i], this.ends[i]);
  }

  /** True when field i equals `word` exactly. */
  is(s: string, i: number, word: string): boolean {
    const a = this.starts[i];
    return this.ends[i] - a === word.length && s.startsWith(word, a);
  }
}

/** A field's text quoted for an error message, cut at `max` characters. */
export function show(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? text.slice(0, max) + '...' : text);
}

/**
 * A non-negative integer id in s[a, b): 1-15 digits, optionally followed by '.' and zeros when
 * `allowDotZero` (default on: JD writes user ids as floats, '280567.0', and pandas exports integer
 * columns with missing values as floats, '14418.0'). An integral float is the same id; a fraction
 * ('1.5') is not an id and returns -1, as does anything else that is not one.
 */
export function parseId(s: string, a: number, b: number, allowDotZero = true): number {
  let v = 0;
  let i = a;
  for (; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  const digits = i - a;
  if (digits === 0 || digits > 15) return -1;
  if (i < b) {
    if (!allowDotZero || s.charCodeAt(i) !== 46 || i + 1 === b) return -1;
    for (let j = i + 1; j < b; j++) if (s.charCodeAt(j) !== 48) return -1;
  }
  return v;
}

/** Why `text` is not an id (for the error message). */
export function idProblem(name: string, text: string): string {
  if (text.length === 0) return `${name} is empty`;
  if (/^-\d+(\.\d*)?$/.test(text)) return `${name} ${show(text)} is negative`;
  if (/^\d{16,}(\.0*)?$/.test(text)) return `${name} ${show(text)} is too large (more than 15 digits)`;
  if (/^\d+\.\d*[1-9]\d*$/.test(text)) return `${name} ${show(text)} is not a non-negative integer (it has a fractional part; integral floats such as "12.0" are accepted)`;
  return `${name} ${show(text)} is not a non-negative integer`;
}

/** A non-negative decimal number (digits with an optional fraction), NaN when not one. */
export function parseDecimal(s: string, a: number, b: number): number {
  let v = 0;
  let i = a;
  for (; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  const digits = i - a;
  if (digits === 0 || digits > 15) return NaN;
  if (i === b) return v;
  if (s.charCodeAt(i) !== 46 || i + 1 === b || b - i > 16) return NaN;
  let scale = 1;
  let f = 0;
  for (let j = i + 1; j < b; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return NaN;
    f = f * 10 + c;
    scale *= 10;
  }
  return v + f / scale;
}

/** Why a timestamp is rejected (the field's text was not NaN-parsable or out of range). */
export function timeProblem(name: string, text: string, value: number, what: string): string {
  if (text.length === 0) return `${name} is empty`;
  if (text.startsWith('-')) return `${name} ${show(text)} is negative`;
  if (Number.isNaN(value)) return `${name} ${show(text)} is not ${what}`;
  return `${name} ${show(text)} is out of range (expected 1970-01-01 .. 2099-12-31)`;
}

/** True when unix seconds `t` is in [0, 2100-01-01). */
export function timeInRange(t: number): boolean {
  return t >= 0 && t < MAX_UNIX_SECONDS;
}

/**
 * A run of digits as a number (unix seconds or milliseconds): NaN when empty or not all digits,
 * Infinity when longer than 15 digits (so the caller reports "out of range", not "malformed").
 */
export function parseDigits(s: string, a: number, b: number): number {
  if (b <= a) return NaN;
  let v = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return b - a > 15 ? Infinity : v;
}

function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let j = i; j < i + n; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(y: number, m: number): number {
  return m === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DAYS[m - 1];
}

/** Unix seconds of a calendar date-time read as UTC; NaN for an impossible date. */
function utc(y: number, mo: number, d: number, h: number, mi: number, sec: number): number {
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, sec) / 1000;
}

/** 'YYYY-MM-DD HH:MM:SS' (or 'T' instead of the space) read as UTC; NaN when malformed. */
export function parseDateTime(s: string, a: number, b: number): number {
  if (b - a !== 19) return NaN;
  if (s.charCodeAt(a + 4) !== 45 || s.charCodeAt(a + 7) !== 45 || s.charCodeAt(a + 13) !== 58 || s.charCodeAt(a + 16) !== 58) return NaN;
  const sep = s.charCodeAt(a + 10);
  if (sep !== 32 && sep !== 84) return NaN;
  return utc(digitsAt(s, a, 4), digitsAt(s, a + 5, 2), digitsAt(s, a + 8, 2), digitsAt(s, a + 11, 2), digitsAt(s, a + 14, 2), digitsAt(s, a + 17, 2));
}

/**
 * ISO 8601 UTC 'YYYY-MM-DDTHH:MM:SS[.fff]Z' (1-9 fraction digits) as fractional unix seconds;
 * NaN when malformed (other offsets than Z are rejected, not guessed).
 */
export function parseIsoUtc(s: string, a: number, b: number): number {
  if (b - a < 20 || s.charCodeAt(a + 10) !== 84 || s.charCodeAt(b - 1) !== 90) return NaN;
  const base = parseDateTime(s, a, a + 19);
  if (Number.isNaN(base)) return NaN;
  if (b - a === 20) return base;
  if (s.charCodeAt(a + 19) !== 46 || b - a < 22 || b - a > 30) return NaN;
  let f = 0;
  let scale = 1;
  for (let j = a + 20; j < b - 1; j++) {
    const c = s.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return NaN;
    f = f * 10 + c;
    scale *= 10;
  }
  return base + f / scale;
}
