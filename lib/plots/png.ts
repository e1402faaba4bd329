/**
 * PNG export with headless Chromium (no network, fresh profile per call): the standalone HTML is
 * loaded from file:// at the requested window size and screenshotted once plotly has drawn. When
 * Chromium is absent or fails, the result says why (never throws for that).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../util/atomic';
import { Figure } from './figure';
import { writeFigureHtml } from './html';

export const PNG_MAGIC = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function executable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The Chromium binary: $HRLMG_CHROMIUM if set, else the first of the usual Debian paths; null if none. */
export function chromiumPath(): string | null {
  const env = process.env.HRLMG_CHROMIUM;
  if (env) return executable(env) ? env : null;
  for (const c of CANDIDATES) if (executable(c)) return c;
  return null;
}

/** Is a Chromium binary available for PNG export? */
export function chromiumAvailable(): boolean {
  return chromiumPath() !== null;
}

export interface PngOptions {
  width?: number;
  height?: number;
  /** Device scale factor (2 = sharper, twice the pixels). Default 1. */
  scale?: number;
  /** Give up after this long. Default 60 s. */
  timeoutMs?: number;
  /** Virtual time Chromium lets the page run before the screenshot (plotly draws well within it). Default 5000 ms. */
  virtualTimeMs?: number;
}

export type PngResult = { ok: true; path: string; bytes: number } | { ok: false; reason: string };

function isPng(b: Uint8Array): boolean {
  return b.length > PNG_MAGIC.length && PNG_MAGIC.every((v, i) => b[i] === v);
}

/** Run chromium in its own process group; on timeout kill that group (chromium forks helpers). */
function run(bin: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    let timedOut = false;
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 20000) stderr += d.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stderr: String(e), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, timedOut });
    });
  });
}

/**
 * Screenshot the standalone figure HTML at `htmlPath` into `pngPath` (written atomically).
 * Returns {ok: false, reason} when Chromium is missing, fails, times out or writes no valid PNG.
 * Headless Chromium occasionally stalls on a busy machine (seen: a small figure hanging past 60 s),
 * so a failed attempt is retried once with a fresh profile.
 */
export async function renderPng(htmlPath: string, pngPath: string, o: PngOptions = {}): Promise<PngResult> {
  const bin = chromiumPath();
  if (!bin) return { ok: false, reason: `Chromium not found (looked at ${process.env.HRLMG_CHROMIUM ? `$HRLMG_CHROMIUM=${process.env.HRLMG_CHROMIUM}` : CANDIDATES.join(', ')}); install Debian's chromium package or set HRLMG_CHROMIUM` };
  if (!fs.existsSync(htmlPath)) return { ok: false, reason: `${htmlPath}: no such file` };
  const first = await renderOnce(bin, htmlPath, pngPath, o);
  if (first.ok) return first;
  const second = await renderOnce(bin, htmlPath, pngPath, o);
  return second.ok ? second : { ok: false, reason: `${second.reason} (after a retry; first attempt: ${first.reason.split('\n')[0]})` };
}

async function renderOnce(bin: string, htmlPath: string, pngPath: string, o: PngOptions): Promise<PngResult> {
  const width = Math.round(o.width ?? 1000);
  const height = Math.round(o.height ?? 600);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-png-'));
  const shot = path.join(tmp, 'shot.png');
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-extensions',
      '--disable-dev-shm-usage',
      '--mute-audio',
      `--user-data-dir=${path.join(tmp, 'profile')}`,
      '--hide-scrollbars',
      `--force-device-scale-factor=${o.scale ?? 1}`,
      `--window-size=${width},${height}`,
      `--virtual-time-budget=${o.virtualTimeMs ?? 5000}`,
      '--run-all-compositor-stages-before-draw',
      `--screenshot=${shot}`,
      `${pathToFileURL(path.resolve(htmlPath)).href}#png=${width}x${height}`,
    ];
    const r = await run(bin, args, o.timeoutMs ?? 60000);
    if (r.timedOut) return { ok: false, reason: `Chromium timed out after ${o.timeoutMs ?? 60000} ms rendering ${htmlPath}` };
    if (!fs.existsSync(shot)) {
      const tail = r.stderr.trim().split('\n').slice(-5).join('\n');
      return { ok: false, reason: `Chromium (exit ${r.code}) wrote no screenshot for ${htmlPath}${tail ? `:\n${tail}` : ''}` };
    }
    const bytes = fs.readFileSync(shot);
    if (!isPng(bytes)) return { ok: false, reason: `Chromium's screenshot of ${htmlPath} is not a PNG (${bytes.length} bytes)` };
    writeFileAtomic(pngPath, bytes);
    return { ok: true, path: pngPath, bytes: bytes.length };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Figure -> PNG in one call (through a temporary standalone HTML). Size defaults to the figure's
 * layout width/height, else 1000 x 600.
 */
export async function figurePng(fig: Figure, pngPath: string, o: PngOptions = {}): Promise<PngResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-fig-'));
  try {
    const html = writeFigureHtml(path.join(tmp, 'figure.html'), fig);
    const w = o.width ?? (typeof fig.layout.width === 'number' ? fig.layout.width : 1000);
    const h = o.height ?? (typeof fig.layout.height === 'number' ? fig.layout.height : 600);
    return await renderPng(html, pngPath, { ...o, width: w, height: h });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface SavedFigure {
  html: string;
  /** The PNG result; null when not requested. */
  png: PngResult | null;
}

/**
 * Save a figure as `<base>.html` (standalone, offline) and, unless `png: false`, `<base>.png` (when
 * Chromium is available; otherwise `png.ok` is false with the reason). Both written atomically.
 */
export async function saveFigure(base: string, fig: Figure, o: PngOptions & { png?: boolean; title?: string } = {}): Promise<SavedFigure> {
  const html = writeFigureHtml(`${base}.html`, fig, { title: o.title });
  if (o.png === false) return { html, png: null };
  const w = o.width ?? (typeof fig.layout.width === 'number' ? fig.layout.width : 1000);
  const h = o.height ?? (typeof fig.layout.height === 'number' ? fig.layout.height : 600);
  return { html, png: await renderPng(html, `${base}.png`, { ...o, width: w, height: h }) };
}
