/**
 * Progress bar with rate and ETA for long work. On a terminal it redraws one line on stderr; in a
 * Jupyter kernel (tslab) it rewrites one line with carriage returns, which the notebook front ends
 * collapse into a single updating line (so bars do not spill into the cell's output); elsewhere (CI
 * logs, pipes) it prints a line at most every `intervalMs`. HRLMG_QUIET=1 silences it (the tests set
 * it); HRLMG_PROGRESS=tty|jupyter|lines forces a mode.
 */

/** How a bar is drawn: redrawn in place (terminal), carriage-return rewrites (Jupyter), or lines. */
export type ProgressMode = 'tty' | 'jupyter' | 'lines';

/** The mode for `stream`: HRLMG_PROGRESS if set, else a terminal, a Jupyter kernel, or plain lines. */
export function progressMode(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv): ProgressMode {
  const forced = env.HRLMG_PROGRESS;
  if (forced !== undefined && forced !== '') {
    if (forced === 'tty' || forced === 'jupyter' || forced === 'lines') return forced;
    throw new Error(`HRLMG_PROGRESS must be tty, jupyter or lines, got '${forced}'`);
  }
  if (stream.isTTY) return 'tty';
  // Kernels started by Jupyter carry JPY_* variables; tslab's kernel process is named after it.
  if (env.JPY_PARENT_PID || env.JPY_SESSION_NAME || argv.some((a) => /tslab/.test(a))) return 'jupyter';
  return 'lines';
}

export interface ProgressOptions {
  /** Minimum ms between non-TTY lines. */
  intervalMs?: number;
  /** Unit shown after the rate, e.g. 'rows', 'updates'. */
  unit?: string;
  /** Output stream; default process.stderr. */
  stream?: NodeJS.WriteStream;
}

export class Progress {
  private done = 0;
  private readonly t0 = Date.now();
  private lastPrint = 0;
  private readonly quiet: boolean;
  private readonly mode: ProgressMode;
  private readonly stream: NodeJS.WriteStream;
  private finished = false;

  constructor(
    readonly label: string,
    readonly total: number,
    private readonly opts: ProgressOptions = {},
  ) {
    this.stream = opts.stream ?? process.stderr;
    this.quiet = process.env.HRLMG_QUIET === '1';
    this.mode = progressMode(this.stream);
  }

  /** Advance by n units. */
  tick(n = 1): void {
    this.done += n;
    this.maybePrint(false);
  }

  /** Set the absolute position. */
  update(done: number): void {
    this.done = done;
    this.maybePrint(false);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.maybePrint(true);
    if (this.mode !== 'lines' && !this.quiet) this.stream.write('\n');
  }

  get elapsedMs(): number {
    return Date.now() - this.t0;
  }

  private maybePrint(force: boolean): void {
    if (this.quiet) return;
    const now = Date.now();
    const interval = this.mode === 'tty' ? 100 : this.mode === 'jupyter' ? 500 : (this.opts.intervalMs ?? 5000);
    if (!force && now - this.lastPrint < interval) return;
    this.lastPrint = now;
    const line = this.render(now);
    if (this.mode === 'tty') this.stream.write(`\r${line}\x1b[K`);
    else if (this.mode === 'jupyter') this.stream.write(`\r${line}`);
    else this.stream.write(line + '\n');
  }

  private render(now: number): string {
    const el = (now - this.t0) / 1000;
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const rate = el > 0 ? this.done / el : 0;
    const eta = rate > 0 && this.total > 0 ? (this.total - this.done) / rate : NaN;
    const unit = this.opts.unit ?? 'it';
    return `${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${fmtCount(this.done)}/${fmtCount(this.total)} ` +
      `${fmtCount(rate)} ${unit}/s elapsed ${fmtTime(el)} eta ${Number.isFinite(eta) ? fmtTime(eta) : '?'}`;
  }
}

export function fmtTime(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fmtCount(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}K`;
  return x >= 100 ? x.toFixed(0) : x.toFixed(1).replace(/\.0$/, '');
}
