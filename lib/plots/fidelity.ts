/**
 * The learned simulator's fidelity (paper Sec. 4.1: "the simulated online environment has overall
 * 90% precision for immediate feedback prediction"), beside the frequency baseline:
 *  - calibration curves: mean predicted probability vs observed rate per (equal-count) bucket, for
 *    P(click or order) and P(order), with Wilson 95% intervals on the observed rates;
 *  - confusion matrices as heatmaps (colour = share of the true class, text = counts).
 * Takes lib/sim's FidelityReport (structurally: only the fields used below).
 */
import { UsageError } from '../util/errors';
import { wilson95 } from './estimate';
import { baseLayout, colorFor, Figure, Trace } from './figure';
import { grid } from './grid';

export interface CalibrationBucketLike {
  meanPredicted: number;
  observedRate: number;
  count: number;
}

export interface FidelityModelLike {
  calibrationClick: CalibrationBucketLike[];
  calibrationOrder: CalibrationBucketLike[];
  argmax: { confusion: number[][]; accuracy?: number };
  weighted: { confusion: number[][]; accuracy?: number };
}

export interface FidelityLike {
  simulator: FidelityModelLike;
  baseline: FidelityModelLike;
}

export const FEEDBACK_LABELS = ['skip', 'click', 'order'];

export interface CalibrationPanel {
  title: string;
  /** Model name -> its buckets. */
  series: Record<string, CalibrationBucketLike[]>;
}

/** Calibration curves, one panel per quantity: observed rate (Wilson 95% bars) vs mean predicted, and the diagonal. */
export function calibrationCurves(panels: CalibrationPanel[], o: { title?: string; height?: number } = {}): Figure {
  const g = grid(1, panels.length, {
    titles: panels.map((p) => p.title),
    xTitles: 'mean predicted probability (bucket)',
    yTitles: 'observed rate (bucket)',
    hGap: 0.1,
  });
  const names: string[] = [];
  const data: Trace[] = [];
  panels.forEach((p, c) => {
    let top = 0;
    for (const [name, buckets] of Object.entries(p.series)) {
      let idx = names.indexOf(name);
      const first = idx < 0;
      if (first) idx = names.push(name) - 1;
      const color = colorFor(name, idx);
      const iv = buckets.map((b) => wilson95(Math.round(b.observedRate * b.count), b.count));
      for (const b of buckets) top = Math.max(top, b.meanPredicted, b.observedRate);
      for (const w of iv) if (Number.isFinite(w.hi)) top = Math.max(top, w.hi);
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name,
        x: buckets.map((b) => b.meanPredicted),
        y: buckets.map((b) => b.observedRate),
        error_y: {
          type: 'data',
          symmetric: false,
          array: buckets.map((b, i) => (Number.isFinite(iv[i].hi) ? Math.max(0, iv[i].hi - b.observedRate) : 0)),
          arrayminus: buckets.map((b, i) => (Number.isFinite(iv[i].lo) ? Math.max(0, b.observedRate - iv[i].lo) : 0)),
          visible: true,
          thickness: 1,
          width: 3,
          color,
        },
        text: buckets.map((b) => `${b.count} rows`),
        hovertemplate: `${name}<br>predicted %{x:.4f}<br>observed %{y:.4f}<br>%{text}<extra></extra>`,
        line: { color, width: 2 },
        marker: { color, size: 7 },
        legendgroup: name,
        showlegend: first,
        ...g.ref(0, c),
      });
    }
    const lim = top > 0 ? top * 1.05 : 1;
    data.push({
      type: 'scatter',
      mode: 'lines',
      name: 'perfect calibration',
      x: [0, lim],
      y: [0, lim],
      line: { color: '#888', dash: 'dash', width: 1 },
      hoverinfo: 'skip',
      legendgroup: 'perfect calibration',
      showlegend: c === 0,
      ...g.ref(0, c),
    });
  });
  return { data, layout: baseLayout(o.title, { ...g.layout, height: o.height ?? 450 }) };
}

/** Simulator vs baseline calibration of P(click or order) and P(order). */
export function fidelityCalibration(r: FidelityLike, o: { title?: string; names?: [string, string] } = {}): Figure {
  const [sn, bn] = o.names ?? ['simulator', 'frequency baseline'];
  return calibrationCurves(
    [
      { title: 'P(click or order)', series: { [sn]: r.simulator.calibrationClick, [bn]: r.baseline.calibrationClick } },
      { title: 'P(order)', series: { [sn]: r.simulator.calibrationOrder, [bn]: r.baseline.calibrationOrder } },
    ],
    { title: o.title ?? 'Simulator calibration on the test day' },
  );
}

/**
 * Confusion matrices side by side (rows = true class, columns = predicted). Colour = share of the
 * row (recall per true class), so rare orders stay visible; text = count and share.
 */
export function confusionHeatmaps(mats: Record<string, number[][]>, o: { title?: string; labels?: string[]; height?: number } = {}): Figure {
  const labels = o.labels ?? FEEDBACK_LABELS;
  const names = Object.keys(mats);
  if (!names.length) throw new UsageError('confusionHeatmaps: no matrices');
  const g = grid(1, names.length, {
    titles: names,
    xTitles: 'predicted',
    yTitles: names.map((_, i) => (i === 0 ? 'true feedback' : '')),
    hGap: 0.12,
    yAxis: { autorange: 'reversed', showgrid: false, ticks: '' },
    xAxis: { showgrid: false, ticks: '', side: 'bottom' },
  });
  const data: Trace[] = names.map((name, k) => {
    const m = mats[name];
    if (m.length !== labels.length || m.some((row) => row.length !== labels.length)) {
      throw new UsageError(`confusionHeatmaps: matrix '${name}' must be ${labels.length}x${labels.length}`);
    }
    const share = m.map((row) => {
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (s > 0 ? v / s : null));
    });
    const text = m.map((row, i) => row.map((v, j) => `${v.toLocaleString('en-US')}<br>${share[i][j] === null ? '-' : `${(100 * (share[i][j] as number)).toFixed(1)}%`}`));
    return {
      type: 'heatmap',
      name,
      x: labels,
      y: labels,
      z: share,
      text,
      texttemplate: '%{text}',
      textfont: { size: 13 },
      zmin: 0,
      zmax: 1,
      colorscale: [
        [0, '#f7fbff'],
        [0.5, '#6baed6'],
        [1, '#08306b'],
      ],
      showscale: k === names.length - 1,
      colorbar: { title: { text: 'share of the true class', side: 'right' }, len: 0.9 },
      hovertemplate: `${name}<br>true %{y}, predicted %{x}<br>%{text}<extra></extra>`,
      ...g.ref(0, k),
    };
  });
  return { data, layout: baseLayout(o.title, { ...g.layout, height: o.height ?? 420 }) };
}

/** Simulator vs baseline confusion matrices of one decision rule ('weighted' = cost-sensitive argmax, 'argmax' = plain). */
export function fidelityConfusion(r: FidelityLike, o: { decision?: 'weighted' | 'argmax'; title?: string; names?: [string, string] } = {}): Figure {
  const d = o.decision ?? 'weighted';
  const [sn, bn] = o.names ?? ['simulator', 'frequency baseline'];
  const acc = (m: FidelityModelLike): string => (m[d].accuracy !== undefined ? ` (accuracy ${(100 * (m[d].accuracy as number)).toFixed(1)}%)` : '');
  return confusionHeatmaps(
    { [sn + acc(r.simulator)]: r.simulator[d].confusion, [bn + acc(r.baseline)]: r.baseline[d].confusion },
    { title: o.title ?? `Confusion on the test day, ${d === 'weighted' ? 'cost-sensitive decision (argmax of w_c p_c)' : 'argmax decision'}` },
  );
}

/** Both fidelity figures. */
export function fidelity(r: FidelityLike, o: { decision?: 'weighted' | 'argmax' } = {}): { calibration: Figure; confusion: Figure } {
  return { calibration: fidelityCalibration(r), confusion: fidelityConfusion(r, o) };
}
