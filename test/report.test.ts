/**
 * hrlmg report's pieces without a reproduce run: LaTeX escaping of labels with & _ % # (and the
 * other specials), balanced environments in the document, the kit-vs-paper row verdicts, and clear
 * errors for a folder without results. The byte-identical rebuild is in reproduce.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { latexEscape, renderLatex } from '../lib/experiments/latex';
import { combineVerdicts } from '../lib/experiments/paperComparison';
import { readReportResults, writeReport } from '../lib/experiments/report';
import { InputError } from '../lib/util/errors';
import { buildFigures, clippedInterval, estimate } from '../lib/experiments/figures';
import { loadResults } from '../lib/experiments/results';
import { seedStats } from '../lib/experiments/seedStats';

test('latexEscape: & _ % # $ { } ~ ^ \\ escaped, the kit\'s Unicode as math', () => {
  assert.equal(latexEscape('A&B_c 50% #1'), 'A\\&B\\_c 50\\% \\#1');
  assert.equal(latexEscape('$x {y} ~ ^ \\'), '\\$x \\{y\\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
  assert.equal(latexEscape('1.5 ± 0.2, α = 0.5'), '1.5 $\\pm$ 0.2, $\\alpha$ = 0.5');
  assert.equal(latexEscape('a | b < c'), 'a \\textbar{} b \\textless{} c');
});

test('renderLatex: balanced environments and braces, every label escaped', () => {
  const evil = 'R&D_method 100% #2';
  const tex = renderLatex({
    title: 'T',
    about: ['Seeds: 0, 1'],
    blocks: [
      { kind: 'heading', level: 2, text: `Figure 8: ${evil}` },
      { kind: 'heading', level: 3, text: 'long sessions' },
      { kind: 'table', head: ['method', 'total reward'], rows: [[evil, '1.0 ± 0.1 (n=3)']] },
      { kind: 'text', text: 'note with _ and %' },
    ],
    claims: [{ id: 'x', group: 'G & H', text: `${evil} beats DNN`, source: 'Fig. 8', verdict: 'held', detail: 'paired over 3 seeds' }],
    paper: [{ statement: 's', source: 'Section 4.2', setting: 'offline', paper: 'A > B', measured: `${evil} 1.0 > B 0.5`, verdict: 'inconclusive', detail: '' }],
  });
  const begins = [...tex.matchAll(/\\begin\{(\w+)\}/g)].map((m) => m[1]);
  const ends = [...tex.matchAll(/\\end\{(\w+)\}/g)].map((m) => m[1]);
  assert.deepEqual([...begins].sort(), [...ends].sort());
  // properly nested
  const stack: string[] = [];
  for (const m of tex.matchAll(/\\(begin|end)\{(\w+)\}/g)) {
    if (m[1] === 'begin') stack.push(m[2]);
    else assert.equal(stack.pop(), m[2]);
  }
  assert.equal(stack.length, 0);
  const unescapedBraces = tex.replace(/\\[{}]/g, '');
  assert.equal([...unescapedBraces].filter((c) => c === '{').length, [...unescapedBraces].filter((c) => c === '}').length);
  assert.ok(tex.includes('R\\&D\\_method 100\\% \\#2'));
  assert.ok(!tex.includes('R&D'));
  assert.match(tex, /\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
  assert.match(tex, /\\caption\{long sessions\}/);
  assert.ok(tex.trimEnd().endsWith('\\end{document}'));
});

test('combineVerdicts: any did-not-hold wins, all held, none tested, else inconclusive', () => {
  assert.equal(combineVerdicts(['held', 'held']), 'held');
  assert.equal(combineVerdicts(['held', 'did not hold', 'inconclusive']), 'did not hold');
  assert.equal(combineVerdicts(['held', 'inconclusive']), 'inconclusive');
  assert.equal(combineVerdicts(['not tested', 'not tested']), 'not tested');
  assert.equal(combineVerdicts(['held', 'not tested']), 'inconclusive');
  assert.equal(combineVerdicts([]), 'not tested');
});

test('report: clear errors for a missing folder, a folder without results, bad JSON', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-report-'));
  try {
    assert.throws(() => readReportResults(path.join(dir, 'nope')), (e: unknown) => e instanceof InputError && /no such folder/.test(e.message));
    assert.throws(() => readReportResults(dir), (e: unknown) => e instanceof InputError && /no results\/ folder/.test(e.message));
    fs.mkdirSync(path.join(dir, 'results'));
    fs.writeFileSync(path.join(dir, 'results', 'figures.json'), '{}');
    await assert.rejects(writeReport({ from: dir }), (e: unknown) => e instanceof InputError && /nothing to report/.test(e.message));
    fs.writeFileSync(path.join(dir, 'results', 'train.json'), '{"stage": ');
    assert.throws(() => readReportResults(dir), (e: unknown) => e instanceof InputError && /train\.json.*not valid JSON/.test(e.message));
    assert.ok(!fs.existsSync(path.join(dir, 'summary.md')), 'nothing written on error');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('figures: intervals of counts clipped at 0; Figure 6(b) plots r_low, not panel (a) / c', async () => {
  const s = seedStats([0, 0, 1]); // mean 1/3, CI reaches below 0
  assert.ok(s.lo < 0);
  assert.deepEqual(estimate(s, 0), { mean: s.mean, lo: 0, hi: s.hi });
  assert.deepEqual(estimate(s), { mean: s.mean, lo: s.lo, hi: s.hi }, 'no floor: unclipped');
  assert.deepEqual(clippedInterval(0.2, 0.5, 0), { mean: 0.2, lo: 0, hi: 0.7 });
  assert.equal(clippedInterval(NaN, 1, 0), null);
  const res = loadResults(path.join(__dirname, '..', '..', 'docs', 'results', 'quick-example'));
  const fig6 = buildFigures(res).find((f) => f.name === 'fig6-training')!;
  const tr = res.train!;
  // panel (b)'s mean curve of HRL-MG equals the mean over seeds of the logged r_low at each step
  const lowTrace = fig6.figure.data.find((t) => t.name === 'HRL-MG' && t.yaxis && t.yaxis !== 'y' && t.type === 'scatter' && t.mode !== undefined) as { x: number[]; y: number[] } | undefined;
  assert.ok(lowTrace, 'HRL-MG curve in panel (b)');
  const step = lowTrace!.x[0];
  const vals = tr.curves.filter((c) => c.variant === 'hrl-mg' && c.step === step).map((c) => c.rLow as number);
  assert.ok(Math.abs(lowTrace!.y[0] - vals.reduce((a, b) => a + b, 0) / vals.length) < 1e-9);
  const fig8 = buildFigures(res).find((f) => f.name === 'fig8-online')!;
  for (const t of fig8.figure.data as Array<{ y: Array<number | null>; error_y?: { array: number[]; arrayminus?: number[] } }>) {
    if (!t.error_y) continue;
    const minus = t.error_y.arrayminus ?? t.error_y.array;
    t.y.forEach((y, i) => { if (y !== null) assert.ok(y - minus[i] >= -1e-12, `bar ${i} reaches below 0`); });
  }
});

test('report on the committed --quick example (results/ only) writes summary.md with relative links', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-report-qe-'));
  try {
    const r = await writeReport({ from: path.join(__dirname, '..', '..', 'docs', 'results', 'quick-example'), out });
    assert.ok(r.files.includes('summary.md') && r.files.includes('kit-vs-paper.md'));
    const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
    assert.match(md, /`--quick` \(tiny budget: a smoke test, not evidence\)/);
    for (const m of md.matchAll(/\]\(([^)]+)\)/g)) assert.ok(fs.existsSync(path.join(out, m[1])), `link ${m[1]} resolves next to summary.md`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
