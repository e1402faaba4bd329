/**
 * Paper Figures 9-12: parameter sensitivity of alpha (the weight of the internal reward, Eq. 17) and
 * of M (the number of goals), in long (Fig. 9, 10) and short (Fig. 11, 12) sessions: reward, clicks
 * and orders per session against the parameter, with error bars.
 */
import { UsageError } from '../util/errors';
import { EstimateLike, toEstimate, yValue } from './estimate';
import { errorBars } from './bars';
import { baseLayout, colorFor, Figure, Trace } from './figure';
import { grid } from './grid';

export interface SensitivityInput {
  /** Parameter name shown on the x axis, e.g. 'α' or 'M'. */
  param: string;
  /** Parameter values (x), ascending. */
  values: number[];
  /** Row label (e.g. 'long sessions (300 items)') -> metric label -> one estimate per value. */
  sessions: Record<string, Record<string, EstimateLike[]>>;
}

export function sensitivity(input: SensitivityInput, o: { title?: string; height?: number; width?: number; color?: string } = {}): Figure {
  const rows = Object.keys(input.sessions);
  if (!rows.length) throw new UsageError('sensitivity: no session lengths');
  if (!input.values.length || !input.values.every(Number.isFinite)) throw new UsageError(`sensitivity: values must be finite numbers, got [${input.values.join(', ')}]`);
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(input.sessions[r])))];
  const titles: string[] = [];
  const yTitles: string[] = [];
  for (const r of rows) {
    for (const m of metricNames) {
      titles.push(`${r}: ${m}`);
      yTitles.push(`${m} per session`);
    }
  }
  const integer = input.values.every(Number.isInteger);
  const g = grid(rows.length, metricNames.length, {
    titles,
    yTitles,
    xTitles: input.param,
    hGap: 0.09,
    xAxis: integer ? { tickmode: 'array', tickvals: input.values } : {},
  });
  const color = o.color ?? colorFor('HRL-MG', 0);
  const data: Trace[] = [];
  rows.forEach((r, ri) => {
    metricNames.forEach((m, ci) => {
      const v = input.sessions[r][m];
      if (!v) return;
      if (v.length !== input.values.length) {
        throw new UsageError(`sensitivity: sessions['${r}']['${m}'] has ${v.length} estimates, expected ${input.values.length} (one per ${input.param} in [${input.values.join(', ')}])`);
      }
      const es = v.map((e, i) => toEstimate(e, `sensitivity: sessions['${r}']['${m}'][${i}]`));
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: `${r}: ${m}`,
        x: input.values,
        y: es.map((e) => yValue(e.mean)),
        error_y: errorBars(es),
        line: { color, width: 2 },
        marker: { color, size: 8 },
        showlegend: false,
        hovertemplate: `${input.param} = %{x}<br>${m}: %{y:.3f}<extra></extra>`,
        ...g.ref(ri, ci),
      });
    });
  });
  return {
    data,
    layout: baseLayout(o.title ?? `Parameter sensitivity of ${input.param}`, { ...g.layout, height: o.height ?? 330 * rows.length + 80, ...(o.width ? { width: o.width } : {}) }),
  };
}
