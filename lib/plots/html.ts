/**
 * Standalone HTML for a figure: the plotly.js-dist bundle is inlined (no CDN, works offline and
 * from file://), the figure JSON after it. Files are written atomically (lib/util/atomic).
 */
import * as fs from 'node:fs';
import { writeFileAtomic } from '../util/atomic';
import { Figure } from './figure';

let bundle: string | null = null;

/** Path of the installed plotly.js-dist bundle. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist/plotly.js');
}

/**
 * The plotly.js bundle, safe to inline in a <script> element: any `</script` is written `<\/script`
 * (same string in JS, but it no longer closes the element). Read once per process.
 */
export function plotlyBundle(): string {
  if (bundle === null) bundle = fs.readFileSync(plotlyBundlePath(), 'utf8').replace(/<\/(script)/gi, '<\\/$1');
  return bundle;
}

/** The version in the bundle's header comment ("plotly.js v4.1.1"), or 'unknown'. */
export function plotlyVersion(): string {
  const m = /plotly\.js v(\d+\.\d+\.\d+)/.exec(plotlyBundle().slice(0, 400));
  return m ? m[1] : 'unknown';
}

/** JSON that can sit inside a <script> element (no `<` at all, so no `</script>` or `<!--`). */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export const DEFAULT_PLOT_CONFIG = { responsive: true, displaylogo: false };

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The script that draws `fig` into the element with id `divId` (Plotly must already be loaded,
 * or load within ~20 s: it polls, so a notebook output can run before the bundle's output).
 * When plotting is done it sets data-plotted="1" on the div.
 */
export function plotScript(divId: string, fig: Figure): string {
  const config = { ...DEFAULT_PLOT_CONFIG, ...(fig.config ?? {}) };
  return (
    `(function(){var id=${scriptJson(divId)},fig=${scriptJson({ data: fig.data, layout: fig.layout })},cfg=${scriptJson(config)},tries=0;` +
    // '#png=WxH' in the URL (set by renderPng): a fixed size and no modebar, since headless Chromium
    // resizes its viewport only after the page has run.
    `var m=/^#png=(\\d+)x(\\d+)$/.exec(location.hash||'');` +
    `if(m){fig.layout.width=+m[1];fig.layout.height=+m[2];fig.layout.autosize=false;cfg.displayModeBar=false;cfg.responsive=false;}` +
    `function draw(){var el=document.getElementById(id);` +
    `if(m&&el){el.style.width=m[1]+'px';el.style.height=m[2]+'px';}` +
    `if(!window.Plotly||!el){if(++tries<200){setTimeout(draw,100);}else if(el){el.textContent='plotly.js did not load: re-run the cell (after plots.resetNotebookFigures() if the page was reloaded).';}return;}` +
    `window.Plotly.newPlot(el,fig.data,fig.layout,cfg).then(function(){el.setAttribute('data-plotted','1');});}` +
    `draw();})();`
  );
}

export interface HtmlOptions {
  /** Page title (default: the figure's title or 'figure'). */
  title?: string;
}

function figureTitle(fig: Figure): string | undefined {
  const t = fig.layout.title as { text?: string } | string | undefined;
  return typeof t === 'string' ? t : t?.text;
}

/** A complete standalone HTML page showing `fig`, filling the window. */
export function figureHtml(fig: Figure, o: HtmlOptions = {}): string {
  const title = o.title ?? figureTitle(fig) ?? 'figure';
  const layout = { ...fig.layout };
  // The page fills the window (and the PNG renderer's viewport): size from the window, not the spec.
  delete layout.width;
  delete layout.height;
  layout.autosize = true;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title.replace(/<[^>]*>/g, ''))}</title>`,
    '<style>html,body{margin:0;padding:0;height:100%;background:#fff}#figure{width:100vw;height:100vh}</style>',
    `<!-- plotly.js ${plotlyVersion()} (plotly.js-dist), inlined so this file works offline -->`,
    `<script>${plotlyBundle()}</script>`,
    '</head>',
    '<body>',
    '<div id="figure"></div>',
    `<script>${plotScript('figure', { ...fig, layout })}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Write `fig` as a standalone HTML file at `file`, atomically. Returns the path. */
export function writeFigureHtml(file: string, fig: Figure, o: HtmlOptions = {}): string {
  writeFileAtomic(file, figureHtml(fig, o));
  return file;
}
