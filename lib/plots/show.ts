/**
 * Figures inline in a tslab (TypeScript Jupyter) notebook, offline. `showFigure(fig)` displays a
 * text/html output: the first call in a kernel also carries the plotly.js bundle (one <script>,
 * ~3.5 MB), later calls only a <div> and a Plotly.newPlot call. With mode 'png' (or env
 * HRLMG_NB_FIGURES=png|both) the figure is rendered by headless Chromium and shown as image/png.
 *
 * If the browser page is reloaded without restarting the kernel, call resetNotebookFigures() and
 * re-run: the bundle is then sent again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Figure } from './figure';
import { plotlyBundle, plotScript } from './html';
import { chromiumAvailable, figurePng } from './png';

/** The part of tslab's display API used here (require('tslab').display). */
export interface NotebookDisplay {
  html(s: string): void;
  png(b: Uint8Array): void;
  text(s: string): void;
}

export type ShowMode = 'html' | 'png' | 'both';

export interface ShowOptions {
  /** 'html' (interactive, default), 'png' (static, needs Chromium), 'both'. Default: $HRLMG_NB_FIGURES or 'html'. */
  mode?: ShowMode;
  /** Pixel height of the figure (default: layout.height or 450). */
  height?: number;
  /** PNG width (default: layout.width or 1000). */
  width?: number;
  /** Where to display (default: tslab's display); for tests. */
  display?: NotebookDisplay;
}

let bundleSent = false;
let counter = 0;

/** Forget that the plotly bundle was sent (the next showFigure sends it again). */
export function resetNotebookFigures(): void {
  bundleSent = false;
}

function tslabDisplay(): NotebookDisplay {
  // tslab is a devDependency, present only where notebooks run: load it lazily.
  return (require('tslab') as { display: NotebookDisplay }).display;
}

/**
 * The HTML of one inline figure: a sized <div> and its plot script, preceded by the plotly bundle
 * when `includeBundle`.
 */
export function notebookFigureHtml(fig: Figure, o: { includeBundle: boolean; height?: number; id?: string }): string {
  const id = o.id ?? `hrlmg-figure-${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const h = o.height ?? (typeof fig.layout.height === 'number' ? fig.layout.height : 450);
  const w = typeof fig.layout.width === 'number' ? `${fig.layout.width}px` : '100%';
  const parts: string[] = [];
  if (o.includeBundle) parts.push(`<script type="text/javascript">${plotlyBundle()}</script>`);
  parts.push(`<div id="${id}" style="width:${w};height:${h}px"></div>`);
  parts.push(`<script type="text/javascript">${plotScript(id, fig)}</script>`);
  return parts.join('\n');
}

function envMode(): ShowMode {
  const m = process.env.HRLMG_NB_FIGURES;
  return m === 'png' || m === 'both' ? m : 'html';
}

/** Display `fig` inline in the notebook (see the module comment). */
export async function showFigure(fig: Figure, o: ShowOptions = {}): Promise<void> {
  const display = o.display ?? tslabDisplay();
  let mode = o.mode ?? envMode();
  if (mode !== 'html') {
    if (!chromiumAvailable()) {
      display.text('(Chromium not found: showing the interactive figure instead of a PNG)');
      mode = 'html';
    } else {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-show-'));
      try {
        const file = path.join(tmp, 'figure.png');
        const r = await figurePng(fig, file, { width: o.width, height: o.height });
        if (r.ok) display.png(fs.readFileSync(file));
        else {
          display.text(`(PNG rendering failed: ${r.reason}; showing the interactive figure)`);
          mode = 'html';
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
  }
  if (mode === 'html' || mode === 'both') {
    display.html(notebookFigureHtml(fig, { includeBundle: !bundleSent, height: o.height }));
    bundleSent = true;
  }
}
