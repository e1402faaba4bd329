/**
 * Figure 6 of the paper: training curves of (a) the high-level agent and (b) the low-level agent,
 * HRL vs HRL-MG, each a mean line with a shaded 95% confidence band across seeds.
 *
 * Feed it per-seed logs through `curveFromRuns`, e.g. from lib/agents' TrainLogEntry[] per seed:
 *   curveFromRuns('HRL-MG', logs.map((log) => log.map((e) => ({ x: e.step, y: e.high?.periodReward ?? null }))))
 */
import { meanCi, yValue } from './estimate';
import { baseLayout, colorFor, Figure, Trace, withAlpha } from './figure';
import { grid } from './grid';

/** One method's curve: mean and (optional) band per x. */
export interface CurveSeries {
  name: string;
  x: number[];
  mean: Array<number | null>;
  /** Band bounds (95% CI across seeds); omitted or null = no band at that x. */
  lo?: Array<number | null>;
  hi?: Array<number | null>;
  /** Seeds contributing at each x. */
  n?: number[];
}

export interface CurveRunOptions {
  /** Trailing moving average over this many points of each run before averaging (1 = none). */
  smooth?: number;
}

/** A run (one seed): its points, x ascending or not; y null = no value at that x. */
export type RunPoints = Array<{ x: number; y: number | null }>;

function smoothRun(run: RunPoints, k: number): RunPoints {
  if (k <= 1) return run;
  const sorted = [...run].sort((a, b) => a.x - b.x);
  const win: number[] = [];
  return sorted.map((p) => {
    if (p.y !== null && Number.isFinite(p.y)) {
      win.push(p.y);
      if (win.length > k) win.shift();
    }
    return { x: p.x, y: p.y !== null && Number.isFinite(p.y) ? win.reduce((a, b) => a + b, 0) / win.length : null };
  });
}

/**
 * Mean and 95% CI across runs at every x any run has (runs need not share x). One run gives the
 * line without a band.
 */
export function curveFromRuns(name: string, runs: RunPoints[], o: CurveRunOptions = {}): CurveSeries {
  const sm = runs.map((r) => smoothRun(r, Math.max(1, Math.floor(o.smooth ?? 1))));
  const xs = [...new Set(sm.flatMap((r) => r.map((p) => p.x)))].sort((a, b) => a - b);
  const at = sm.map((r) => new Map(r.map((p) => [p.x, p.y] as const)));
  const mean: Array<number | null> = [];
  const lo: Array<number | null> = [];
  const hi: Array<number | null> = [];
  const n: number[] = [];
  for (const x of xs) {
    const s = meanCi(at.map((m) => m.get(x) ?? null));
    mean.push(yValue(s.mean));
    const band = s.n >= 2;
    lo.push(band ? yValue(s.lo) : null);
    hi.push(band ? yValue(s.hi) : null);
    n.push(s.n);
  }
  return { name, x: xs, mean, lo, hi, n };
}

/** The mean line and band traces of one series on one panel. */
export function curveTraces(s: CurveSeries, index: number, ref: { xaxis: string; yaxis: string }, showlegend: boolean): Trace[] {
  const color = colorFor(s.name, index);
  const out: Trace[] = [];
  if (s.lo && s.hi) {
    const bx: number[] = [];
    const bhi: number[] = [];
    const blo: number[] = [];
    for (let i = 0; i < s.x.length; i++) {
      const l = s.lo[i];
      const h = s.hi[i];
      if (l !== null && h !== null && Number.isFinite(l) && Number.isFinite(h)) {
        bx.push(s.x[i]);
        blo.push(l);
        bhi.push(h);
      }
    }
    if (bx.length) {
      out.push({
        type: 'scatter',
        name: `${s.name} 95% CI`,
        x: [...bx, ...[...bx].reverse()],
        y: [...bhi, ...[...blo].reverse()],
        fill: 'toself',
        fillcolor: withAlpha(color, 0.2),
        line: { width: 0, color: withAlpha(color, 0) },
        mode: 'lines',
        hoverinfo: 'skip',
        showlegend: false,
        legendgroup: s.name,
        ...ref,
      });
    }
  }
  out.push({
    type: 'scatter',
    name: s.name,
    x: s.x,
    y: s.mean,
    mode: s.x.length > 40 ? 'lines' : 'lines+markers',
    line: { color, width: 2 },
    marker: { color, size: 5 },
    showlegend,
    legendgroup: s.name,
    ...ref,
  });
  return out;
}

export interface CurvePanel {
  title: string;
  yTitle: string;
  series: CurveSeries[];
}

/** Panels side by side, each with its curves; a method keeps its colour and one legend entry. */
export function curvePanels(panels: CurvePanel[], o: { title?: string; xTitle?: string; height?: number; width?: number } = {}): Figure {
  const g = grid(1, panels.length, { titles: panels.map((p) => p.title), xTitles: o.xTitle ?? 'training step', yTitles: panels.map((p) => p.yTitle) });
  const names: string[] = [];
  const data: Trace[] = [];
  panels.forEach((p, c) => {
    p.series.forEach((s) => {
      let idx = names.indexOf(s.name);
      const first = idx < 0;
      if (first) idx = names.push(s.name) - 1;
      data.push(...curveTraces(s, idx, g.ref(0, c), first));
    });
  });
  return { data, layout: baseLayout(o.title, { ...g.layout, height: o.height ?? 450, ...(o.width ? { width: o.width } : {}), hovermode: 'x unified' }) };
}

export interface TrainingCurvesInput {
  /** (a) high-level agent: e.g. mean external reward per goal period. */
  high: CurveSeries[];
  /** (b) low-level agent: e.g. mean reward per step (r_ex, or r_low = r_ex + alpha r_in). */
  low: CurveSeries[];
}

export interface TrainingCurvesOptions {
  title?: string;
  xTitle?: string;
  highYTitle?: string;
  lowYTitle?: string;
}

/** Paper Figure 6: (a) high-level and (b) low-level agent reward over training, mean +- 95% CI across seeds. */
export function trainingCurves(input: TrainingCurvesInput, o: TrainingCurvesOptions = {}): Figure {
  return curvePanels(
    [
      { title: '(a) high-level agent', yTitle: o.highYTitle ?? 'reward per goal period', series: input.high },
      { title: '(b) low-level agent', yTitle: o.lowYTitle ?? 'reward per step', series: input.low },
    ],
    { title: o.title ?? 'Training procedure (paper Figure 6)', xTitle: o.xTitle ?? 'training step' },
  );
}
