import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  barChart,
  calibrationCurves,
  chromiumAvailable,
  confusionHeatmaps,
  curveFromRuns,
  Figure,
  figureHtml,
  funnel,
  histogram,
  meanCi,
  notebookFigureHtml,
  offlineBars,
  offlineInput,
  onlineBars,
  REFERENCE_FILL,
  onlineInput,
  PAPER_TABLE1,
  plotlyVersion,
  PNG_MAGIC,
  renderPng,
  resetNotebookFigures,
  saveFigure,
  sensitivity,
  showFigure,
  tableHtml,
  tableText,
  toEstimate,
  trainingCurves,
  Trace,
  wilson95,
  writeFigureHtml,
} from '../lib/plots/index';

const close = (a: number, b: number, eps = 1e-9): boolean => Math.abs(a - b) <= eps;
const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-plots-test-'));
const byName = (fig: Figure, name: string): Trace => {
  const t = fig.data.find((d) => d.name === name);
  assert.ok(t, `no trace named '${name}' (have: ${fig.data.map((d) => d.name).join(', ')})`);
  return t;
};

test('estimates: numbers, {mean, err}, {mean, lo, hi}, eval Summary; meanCi by hand', () => {
  assert.deepEqual(toEstimate(3), { mean: 3, plus: 0, minus: 0 });
  assert.deepEqual(toEstimate({ mean: 3, err: 0.5 }), { mean: 3, plus: 0.5, minus: 0.5 });
  assert.deepEqual(toEstimate({ mean: 3, lo: 2, hi: 3.25 }), { mean: 3, plus: 0.25, minus: 1 });
  assert.deepEqual(toEstimate({ mean: 3, ci95: { lo: 2.5, hi: 3.5, halfWidth: 0.5 } }), { mean: 3, plus: 0.5, minus: 0.5 });
  assert.deepEqual(toEstimate({ mean: 3, ci95: { lo: null, hi: null, halfWidth: null } }), { mean: 3, plus: 0, minus: 0 });
  assert.ok(Number.isNaN(toEstimate(null).mean));
  assert.throws(() => toEstimate({ avg: 1 } as never, 'x[0]'), /x\[0\]: expected a number/);
  // [1, 2, 3]: mean 2, sd 1, t(0.975, 2) = 4.303 -> half-width 4.303 / sqrt(3)
  const m = meanCi([1, 2, null, 3, NaN]);
  assert.equal(m.n, 3);
  assert.equal(m.mean, 2);
  assert.ok(close(m.halfWidth, 4.303 / Math.sqrt(3)), String(m.halfWidth));
  assert.equal(meanCi([5]).halfWidth, 0);
  // Wilson 95% for 10 / 100: centre (0.1 + z^2/200) / (1 + z^2/100)
  const z = 1.959964;
  const w = wilson95(10, 100);
  const c = (0.1 + (z * z) / 200) / (1 + (z * z) / 100);
  const h = (z * Math.sqrt(0.09 / 100 + (z * z) / 40000)) / (1 + (z * z) / 100);
  assert.ok(close(w.lo, c - h) && close(w.hi, c + h), JSON.stringify(w));
});

test('trainingCurves (Figure 6): mean line and 95% CI band across seeds, panels (a) and (b)', () => {
  // two seeds: y = x + 1 and y = x + 3 -> mean x + 2; sd sqrt(2), n 2: half-width 12.706 * sqrt(2) / sqrt(2)
  const runs = [
    [0, 1, 2].map((x) => ({ x, y: x + 1 })),
    [0, 1, 2].map((x) => ({ x, y: x + 3 })),
  ];
  const hrl = curveFromRuns('HRL', runs);
  assert.deepEqual(hrl.x, [0, 1, 2]);
  assert.deepEqual(hrl.mean, [2, 3, 4]);
  assert.deepEqual(hrl.n, [2, 2, 2]);
  assert.ok(hrl.lo!.every((l, i) => close(l as number, hrl.mean[i]! - 12.706)));
  assert.ok(hrl.hi!.every((h, i) => close(h as number, hrl.mean[i]! + 12.706)));
  // runs on different x: union of x, band only where 2 seeds
  const ragged = curveFromRuns('HRL-MG', [[{ x: 0, y: 1 }, { x: 1, y: 2 }], [{ x: 1, y: 4 }, { x: 2, y: 5 }]]);
  assert.deepEqual(ragged.x, [0, 1, 2]);
  assert.deepEqual(ragged.mean, [1, 3, 5]);
  assert.deepEqual(ragged.n, [1, 2, 1]);
  assert.deepEqual([ragged.lo![0], ragged.lo![2]], [null, null]);
  // smoothing: trailing mean over 2 points
  assert.deepEqual(curveFromRuns('s', [[{ x: 0, y: 2 }, { x: 1, y: 4 }, { x: 2, y: 8 }]], { smooth: 2 }).mean, [2, 3, 6]);

  const fig = trainingCurves({ high: [hrl, ragged], low: [curveFromRuns('HRL', [runs[0]]), ragged] });
  // panel (a): band + line per method; panel (b): HRL has one seed -> no band
  const names = fig.data.map((d) => `${d.name}@${d.xaxis}`);
  assert.deepEqual(names, ['HRL 95% CI@x', 'HRL@x', 'HRL-MG 95% CI@x', 'HRL-MG@x', 'HRL@x2', 'HRL-MG 95% CI@x2', 'HRL-MG@x2']);
  const band = fig.data[0];
  assert.equal(band.fill, 'toself');
  assert.deepEqual(band.x, [0, 1, 2, 2, 1, 0]);
  assert.ok(close(band.y![0] as number, 2 + 12.706) && close(band.y![5] as number, 2 - 12.706));
  const line = fig.data[1];
  assert.deepEqual(line.y, [2, 3, 4]);
  assert.equal(line.showlegend, true);
  assert.equal(fig.data[4].showlegend, false, 'a method appears once in the legend');
  assert.equal(fig.data[1].line?.color, fig.data[4].line?.color, 'a method keeps its colour across panels');
  const ann = (fig.layout.annotations as Array<{ text: string }>).map((a) => a.text);
  assert.deepEqual(ann, ['<b>(a) high-level agent</b>', '<b>(b) low-level agent</b>']);
});

test('offlineBars (Figure 7): one bar trace per method over the metrics, with error bars', () => {
  const fig = offlineBars({
    methods: ['DNN', 'HRL-MG'],
    metrics: {
      MAP: [0.3, { mean: 0.4, err: 0.02 }],
      'NDCG@20': [{ mean: 0.5, ci95: { lo: 0.45, hi: 0.56, halfWidth: 0.05 } }, null],
    },
  });
  assert.equal(fig.data.length, 2);
  const dnn = byName(fig, 'DNN');
  assert.equal(dnn.type, 'bar');
  assert.deepEqual(dnn.x, ['MAP', 'NDCG@20']);
  assert.deepEqual(dnn.y, [0.3, 0.5]);
  assert.deepEqual(dnn.error_y!.array.map((v) => +v.toFixed(12)), [0, 0.06]);
  assert.deepEqual(dnn.error_y!.arrayminus!.map((v) => +v.toFixed(12)), [0, 0.05]);
  const mg = byName(fig, 'HRL-MG');
  assert.deepEqual(mg.y, [0.4, null]);
  assert.deepEqual(mg.error_y!.array, [0.02, 0]);
  assert.equal(mg.error_y!.symmetric, true);
  assert.equal(fig.layout.barmode, 'group');
  assert.throws(() => offlineBars({ methods: ['A', 'B'], metrics: { MAP: [1] } }), /metrics\['MAP'\]: expected 2 estimates/);

  // from lib/eval's OfflineResult shape
  const s = (mean: number) => ({ mean, ci95: { lo: mean - 0.1, hi: mean + 0.1, halfWidth: 0.1 } });
  const input = offlineInput([
    { policy: 'ddpg', metrics: { policy: { map: s(0.2), ndcg: { '20': s(0.3), '40': s(0.35) } } } },
    { policy: 'hrlmg', metrics: { policy: { map: s(0.25), ndcg: { '20': s(0.33), '40': s(0.4) } } } },
  ], [20, 40], ['DDPG', 'HRL-MG']);
  assert.deepEqual(input.methods, ['DDPG', 'HRL-MG']);
  assert.deepEqual(Object.keys(input.metrics), ['MAP', 'NDCG@20', 'NDCG@40']);
  assert.deepEqual(byName(offlineBars(input), 'HRL-MG').y, [0.25, 0.33, 0.4]);
  assert.throws(() => offlineInput([{ policy: 'x', metrics: { policy: { map: s(0), ndcg: {} } } }], [20]), /has no NDCG@20/);
});

test('onlineBars (Figure 8): a panel per (session length, metric), methods on x', () => {
  const methods = ['DNN', 'DDPG', 'HRL', 'HRL-MG'];
  const est = (base: number) => methods.map((_, i) => ({ mean: base + i, err: 0.5 }));
  const fig = onlineBars({
    methods,
    sessions: {
      long: { reward: est(10), clicks: est(5), orders: est(1) },
      short: { reward: est(2), clicks: est(1), orders: est(0) },
    },
  });
  assert.equal(fig.data.length, 6);
  assert.deepEqual(fig.data.map((d) => d.name), ['long: reward', 'long: clicks', 'long: orders', 'short: reward', 'short: clicks', 'short: orders']);
  assert.deepEqual(fig.data.map((d) => d.xaxis), ['x', 'x2', 'x3', 'x4', 'x5', 'x6']);
  const t = byName(fig, 'short: clicks');
  assert.deepEqual(t.x, methods);
  assert.deepEqual(t.y, [1, 2, 3, 4]);
  assert.deepEqual(t.error_y!.array, [0.5, 0.5, 0.5, 0.5]);
  assert.equal(t.yaxis, 'y5');
  // 6 panels: 6 axis pairs, 6 titles
  assert.ok(fig.layout.xaxis6 && fig.layout.yaxis6 && !fig.layout.xaxis7);
  assert.equal((fig.layout.annotations as unknown[]).length, 6);

  const s = (mean: number) => ({ mean, ci95: { lo: mean - 1, hi: mean + 1, halfWidth: 1 } });
  const r = (policy: string, k: number) => ({ policy, reward: s(10 * k), clicks: s(5 * k), orders: s(k) });
  const input = onlineInput({ 'long (300)': [r('hrl', 1), r('hrlmg', 2)], 'short (50)': [r('hrl', 3), r('hrlmg', 4)] });
  assert.deepEqual(input.methods, ['hrl', 'hrlmg']);
  assert.deepEqual(byName(onlineBars(input), 'short (50): orders').y, [3, 4]);
  assert.throws(() => onlineInput({ a: [r('x', 1)], b: [] }), /'b' has 0 results, expected 1/);
});

test('onlineBars: reference bars (random, oracle) are grey and hatched, a missing one is an empty slot', () => {
  const methods = ['DNN', 'HRL-MG', 'random', 'oracle'];
  const fig = onlineBars({ methods, references: ['random', 'oracle'], sessions: { long: { reward: [3, 4, { mean: 2, err: 0.1 }, null] } } });
  const t = byName(fig, 'long: reward');
  assert.deepEqual(t.y, [3, 4, 2, null]);
  const m = t.marker as { color: string[]; pattern: { shape: string[] }; line: { width: number[] } };
  assert.equal(m.color[2], REFERENCE_FILL);
  assert.equal(m.color[3], REFERENCE_FILL);
  assert.notEqual(m.color[0], REFERENCE_FILL);
  assert.deepEqual(m.pattern.shape, ['', '', '/', '/']);
  assert.deepEqual(m.line.width, [0, 0, 1.5, 1.5]);
  // without references the markers are the plain method colours (unchanged figure)
  const plain = byName(onlineBars({ methods: ['DNN'], sessions: { long: { reward: [1] } } }), 'long: reward').marker as Record<string, unknown>;
  assert.deepEqual(Object.keys(plain), ['color']);
  assert.throws(() => onlineBars({ methods: ['DNN'], references: ['random'], sessions: { long: { reward: [1] } } }), /reference 'random' is not one of the methods/);
});

test('sensitivity (Figures 9-12): metric vs the parameter with error bars', () => {
  const fig = sensitivity({
    param: 'α',
    values: [0, 0.5, 1],
    sessions: { 'long sessions': { reward: [{ mean: 1, err: 0.1 }, { mean: 3, err: 0.2 }, { mean: 2, err: 0.1 }], orders: [0.1, 0.3, 0.2] } },
  });
  assert.equal(fig.data.length, 2);
  const r = byName(fig, 'long sessions: reward');
  assert.equal(r.type, 'scatter');
  assert.deepEqual(r.x, [0, 0.5, 1]);
  assert.deepEqual(r.y, [1, 3, 2]);
  assert.deepEqual(r.error_y!.array, [0.1, 0.2, 0.1]);
  assert.equal(byName(fig, 'long sessions: orders').error_y!.visible, false, 'no error bars when none were given');
  assert.equal((fig.layout.xaxis as { title: { text: string } }).title.text, 'α');
  const m = sensitivity({ param: 'M', values: [1, 2, 3, 4], sessions: { short: { reward: [1, 2, 3, 4] } } });
  assert.deepEqual((m.layout.xaxis as { tickvals: number[] }).tickvals, [1, 2, 3, 4], 'integer parameters get integer ticks');
  assert.throws(() => sensitivity({ param: 'M', values: [1, 2], sessions: { s: { reward: [1] } } }), /has 1 estimates, expected 2/);
});

test('fidelity: calibration curves with Wilson bars and the diagonal; confusion heatmaps as row shares', () => {
  const sim = [{ meanPredicted: 0.05, observedRate: 0.1, count: 100 }, { meanPredicted: 0.2, observedRate: 0.2, count: 50 }];
  const base = [{ meanPredicted: 0.1, observedRate: 0.1, count: 150 }];
  const fig = calibrationCurves([{ title: 'P(click)', series: { simulator: sim, 'frequency baseline': base } }]);
  assert.deepEqual(fig.data.map((d) => d.name), ['simulator', 'frequency baseline', 'perfect calibration']);
  const s = byName(fig, 'simulator');
  assert.deepEqual(s.x, [0.05, 0.2]);
  assert.deepEqual(s.y, [0.1, 0.2]);
  const w = wilson95(10, 100);
  assert.ok(close(s.error_y!.array[0], w.hi - 0.1) && close(s.error_y!.arrayminus![0], 0.1 - w.lo));
  const diag = byName(fig, 'perfect calibration');
  assert.deepEqual(diag.x, diag.y);

  const hm = confusionHeatmaps({
    simulator: [[8, 2, 0], [1, 3, 0], [0, 1, 1]],
    baseline: [[10, 0, 0], [4, 0, 0], [2, 0, 0]],
  });
  assert.equal(hm.data.length, 2);
  const h = hm.data[0];
  assert.equal(h.type, 'heatmap');
  assert.deepEqual(h.x, ['skip', 'click', 'order']);
  assert.deepEqual(h.z, [[0.8, 0.2, 0], [0.25, 0.75, 0], [0, 0.5, 0.5]]);
  assert.match((h.text as string[][])[0][0], /^8<br>80\.0%$/);
  assert.deepEqual(hm.data.map((d) => d.showscale), [false, true]);
  assert.throws(() => confusionHeatmaps({ bad: [[1, 2], [3, 4]] }), /must be 3x3/);
});

test('funnel: counts per day and funnel rates beside the reference', () => {
  const fig = funnel([
    { day: 'train', impressions: 1000, clicks: 100, orders: 5 },
    { day: 'test', impressions: 500, clicks: 40, orders: 4 },
  ], { reference: PAPER_TABLE1 });
  assert.deepEqual(byName(fig, 'impressions').y, [1000, 500]);
  assert.deepEqual(byName(fig, 'clicks (incl. orders)').y, [100, 40]);
  assert.deepEqual(byName(fig, 'orders').y, [5, 4]);
  assert.deepEqual(byName(fig, 'train').x, ['click rate', 'orders per click']);
  assert.deepEqual(byName(fig, 'train').y, [0.1, 0.05]);
  assert.deepEqual(byName(fig, 'test').y, [0.08, 0.1]);
  const ref = byName(fig, 'paper: train (Aug. 11th)');
  assert.ok(close(ref.y![0] as number, 843249 / 8596852) && close(ref.y![1] as number, 46022 / 843249));
  assert.equal(byName(fig, 'impressions').xaxis, 'x');
  assert.equal(ref.xaxis, 'x2');
  assert.equal((fig.layout.yaxis as { type: string }).type, 'log');
  assert.throws(() => funnel([{ day: 'd', impressions: 10, clicks: 20, orders: 0 }]), /impressions >= clicks/);
  // more than 4 days: rates as lines over the days, references as horizontal lines
  const week = Array.from({ length: 7 }, (_, i) => ({ day: `day ${i}`, impressions: 100, clicks: 10 + i, orders: 1 }));
  const w = funnel(week, { reference: [PAPER_TABLE1[0]] });
  const cr = byName(w, 'click rate');
  assert.equal(cr.type, 'scatter');
  assert.deepEqual(cr.x, week.map((d) => d.day));
  assert.deepEqual(cr.y, week.map((d) => d.clicks / 100));
  const refLine = byName(w, 'paper: train (Aug. 11th): orders per click');
  assert.deepEqual(refLine.x, ['day 0', 'day 6']);
  assert.deepEqual(refLine.y, [46022 / 843249, 46022 / 843249]);
  assert.equal(byName(w, 'impressions').text, undefined, 'no value labels on many bars');
});

test('histogram: binned here (unit bins for small integer ranges), density option', () => {
  const fig = histogram({ a: [1, 1, 2, 3] });
  assert.deepEqual(fig.data[0].x, [1, 2, 3]);
  assert.deepEqual(fig.data[0].y, [2, 1, 1]);
  const d = histogram({ a: [0, 0.5, 1, 1], b: [0.2] }, { bins: 2, density: true });
  assert.deepEqual(d.data[0].x, [0.25, 0.75]);
  assert.deepEqual(d.data[0].y, [0.25, 0.75]);
  assert.deepEqual(d.data[1].y, [1, 0]);
});

test('barChart: categorical x (even numeric-looking labels), one trace per series, optional error bars', () => {
  const fig = barChart(['1', '2', '4-9'], { a: [1, 2, NaN], b: [3, 4, 5] }, { errors: { b: [0.1, 0.2, 0.3] } });
  assert.equal((fig.layout.xaxis as { type: string }).type, 'category');
  assert.deepEqual(fig.data.map((d) => d.name), ['a', 'b']);
  assert.deepEqual(fig.data[0].y, [1, 2, null]);
  assert.deepEqual(fig.data[1].error_y!.array, [0.1, 0.2, 0.3]);
  assert.throws(() => barChart(['x'], { a: [1, 2] }), /has 2 values for 1 categories/);
});

test('tables: numbers formatted, percentages, DataFrame-like input, HTML escaped', () => {
  const rows = [{ name: '<b>', n: 1234567, rate: 0.0981, x: 0.123456 }];
  const t = tableText(rows, { percent: ['rate'] });
  assert.match(t, /1,234,567/);
  assert.match(t, /9\.81%/);
  assert.match(t, /0\.1235/);
  const h = tableHtml({ columns: ['a', 'b'], values: [[1, 'x'], [2, 'y']] });
  assert.equal((h.match(/<tr>/g) ?? []).length, 3);
  assert.match(tableHtml(rows), /&lt;b&gt;/);
});

test('writeFigureHtml: standalone (plotly bundle inlined, no external script), atomic, script-safe', () => {
  const dir = tmpDir();
  try {
    const file = path.join(dir, 'sub', 'fig.html');
    const fig = offlineBars({ methods: ['</script><script>alert(1)</script>'], metrics: { MAP: [0.5] } });
    writeFigureHtml(file, fig, { title: 'Figure 7' });
    const html = fs.readFileSync(file, 'utf8');
    assert.match(plotlyVersion(), /^\d+\.\d+\.\d+$/);
    assert.ok(html.includes(`plotly.js v${plotlyVersion()}`), 'the plotly.js bundle is inlined');
    assert.ok(html.length > 1_000_000, `bundle size ${html.length}`);
    assert.doesNotMatch(html, /<script[^>]*\bsrc\s*=/i, 'no external scripts');
    assert.doesNotMatch(html, /<link[^>]*href\s*=\s*["']https?:/i);
    assert.ok(html.includes('Plotly.newPlot'));
    assert.ok(html.includes('<title>Figure 7</title>'));
    // a trace name cannot close the script element
    assert.equal((html.match(/<script>/g) ?? []).length, 2);
    assert.equal((html.match(/<\/script>/g) ?? []).length, 2);
    assert.ok(html.includes('\\u003c/script>\\u003cscript>alert(1)'));
    // atomic: a failing write leaves the previous file intact and no temporary files
    const bad: Figure = { data: [], layout: { toJSON: () => { throw new Error('boom'); } } };
    assert.throws(() => writeFigureHtml(file, bad), /boom/);
    assert.equal(fs.readFileSync(file, 'utf8'), html);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['fig.html']);
    // the page draws at the window size (width/height removed from the layout)
    const sized = figureHtml({ data: [], layout: { width: 300, height: 200 } });
    assert.ok(sized.includes('"autosize":true') && !sized.includes('"width":300'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('showFigure: the first inline figure carries the plotly bundle, later ones only the plot', async () => {
  resetNotebookFigures();
  const shown: string[] = [];
  const display = { html: (s: string) => shown.push(s), png: () => assert.fail('png in html mode'), text: (s: string) => shown.push(s) };
  const fig = histogram({ a: [1, 2, 2] });
  await showFigure(fig, { display, mode: 'html' });
  await showFigure(fig, { display, mode: 'html' });
  assert.equal(shown.length, 2);
  assert.ok(shown[0].includes(`plotly.js v${plotlyVersion()}`) && shown[0].includes('Plotly.newPlot'));
  assert.ok(!shown[1].includes('plotly.js v') && shown[1].includes('Plotly.newPlot'));
  const ids = shown.map((s) => /<div id="([^"]+)"/.exec(s)![1]);
  assert.notEqual(ids[0], ids[1]);
  assert.match(notebookFigureHtml(fig, { includeBundle: false, id: 'f1', height: 300 }), /<div id="f1" style="width:100%;height:300px">/);
  resetNotebookFigures();
});

test('renderPng: a valid PNG of the requested size via headless Chromium (skipped without Chromium)', async (t) => {
  // without Chromium: a clear reason, never a crash
  const saved = process.env.HRLMG_CHROMIUM;
  process.env.HRLMG_CHROMIUM = '/nonexistent/chromium';
  try {
    const r = await renderPng('/nonexistent.html', '/tmp/x.png');
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /Chromium not found/);
  } finally {
    if (saved === undefined) delete process.env.HRLMG_CHROMIUM;
    else process.env.HRLMG_CHROMIUM = saved;
  }
  if (!chromiumAvailable()) {
    t.skip('Chromium not installed (/usr/bin/chromium): PNG rendering not tested');
    return;
  }
  const dir = tmpDir();
  try {
    const html = writeFigureHtml(path.join(dir, 'fig.html'), offlineBars({ methods: ['DNN', 'HRL-MG'], metrics: { MAP: [0.3, 0.4], 'NDCG@20': [0.5, 0.6] } }));
    const png = path.join(dir, 'fig.png');
    const r = await renderPng(html, png, { width: 640, height: 360 });
    assert.ok(r.ok, r.ok ? '' : r.reason);
    const b = fs.readFileSync(png);
    assert.deepEqual(Uint8Array.from(b.subarray(0, 8)), PNG_MAGIC);
    assert.equal(b.readUInt32BE(16), 640, 'PNG width');
    assert.equal(b.readUInt32BE(20), 360, 'PNG height');
    assert.ok(b.length > 5000, `a drawn figure, not a blank page (${b.length} bytes)`);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['fig.html', 'fig.png'], 'no temporary files left');
    const missing = await renderPng(path.join(dir, 'nope.html'), path.join(dir, 'nope.png'));
    assert.equal(missing.ok, false);
    // saveFigure: both files; showFigure in png mode displays the PNG bytes
    const saved = await saveFigure(path.join(dir, 'fig7'), histogram({ a: [1, 2, 2, 3] }), { width: 400, height: 300 });
    assert.ok(saved.png?.ok, JSON.stringify(saved.png));
    assert.equal(fs.readFileSync(path.join(dir, 'fig7.png')).readUInt32BE(16), 400);
    const images: Uint8Array[] = [];
    await showFigure(histogram({ a: [1, 2] }), { mode: 'png', width: 300, height: 200, display: { html: () => assert.fail('html in png mode'), png: (b) => images.push(b), text: () => {} } });
    assert.equal(images.length, 1);
    assert.deepEqual(Uint8Array.from(images[0].subarray(0, 8)), PNG_MAGIC);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
