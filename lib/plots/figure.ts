/**
 * Plotly figure specs as plain JSON ({data, layout}): what every builder in lib/plots returns and
 * what the writers (HTML, PNG) and showFigure (notebooks) consume. No plotly.js at build time: a
 * figure is data, so builders are pure and testable.
 */

/** One plotly trace (the fields the builders set are typed; anything else plotly accepts goes through). */
export interface Trace {
  type: 'scatter' | 'bar' | 'heatmap' | 'histogram';
  name?: string;
  x?: Array<number | string | null>;
  y?: Array<number | string | null>;
  z?: Array<Array<number | null>>;
  text?: string[] | string[][] | string;
  mode?: string;
  error_y?: ErrorBars;
  error_x?: ErrorBars;
  marker?: Record<string, unknown>;
  line?: Record<string, unknown>;
  fill?: string;
  fillcolor?: string;
  xaxis?: string;
  yaxis?: string;
  showlegend?: boolean;
  legendgroup?: string;
  hoverinfo?: string;
  [key: string]: unknown;
}

/** Plotly error bars; `array` is the upper (or symmetric) half-width, `arrayminus` the lower one. */
export interface ErrorBars {
  type: 'data';
  array: number[];
  arrayminus?: number[];
  symmetric?: boolean;
  visible: boolean;
  [key: string]: unknown;
}

export type Layout = Record<string, unknown>;

export interface Figure {
  data: Trace[];
  layout: Layout;
  /** Plotly config (modebar etc.); the writers add sensible defaults. */
  config?: Record<string, unknown>;
}

/** Plotly's default colour cycle (category10). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Fixed colours for the paper's methods, so every figure shows a method in the same colour. */
export const METHOD_COLORS: Record<string, string> = {
  'HRL-MG': '#d62728',
  HRL: '#1f77b4',
  DDPG: '#2ca02c',
  DNN: '#7f7f7f',
  simulator: '#d62728',
  'frequency baseline': '#7f7f7f',
  logged: '#8c564b',
  random: '#bcbd22',
};

/** Colour of a series: the method's fixed colour, else the palette entry for its index. */
export function colorFor(name: string, index: number): string {
  return METHOD_COLORS[name] ?? PALETTE[index % PALETTE.length];
}

/** '#rrggbb' -> 'rgba(r,g,b,alpha)' (for translucent bands). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1], 16)},${parseInt(m[2], 16)},${parseInt(m[3], 16)},${alpha})`;
}

/** Layout defaults shared by every figure: white background, readable fonts, legend on top. */
export function baseLayout(title: string | undefined, extra: Layout = {}): Layout {
  return {
    ...(title ? { title: { text: title, x: 0.5, xanchor: 'center' } } : {}),
    font: { family: 'Helvetica, Arial, sans-serif', size: 13 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    margin: { l: 70, r: 30, t: title ? 90 : 60, b: 60 },
    legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: 1.02, yanchor: 'bottom' },
    ...extra,
  };
}

/** Axis defaults: light grid, visible axis line. */
export function axis(title: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(title ? { title: { text: title } } : {}),
    showgrid: true,
    gridcolor: '#e5e5e5',
    zeroline: false,
    showline: true,
    linecolor: '#444',
    ticks: 'outside',
    automargin: true,
    ...extra,
  };
}
