/**
 * The summary tells the truth about its evidence (issue 18): warnings for figures on too few
 * sessions / events, a simulator that does not beat the constant model, undefined or below-random
 * AUCs; claims on such figures become inconclusive and say why; bounded metrics' intervals are
 * clipped to [0, 1] and marked; no "logged order" reference on a real log. Then, as a child
 * process: `reproduce --data DIR` from a prepared folder, and a failed run leaves no empty folder.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { annotateClaims, evidenceWarnings } from '../lib/experiments/evidence';
import { buildClaims, renderSummary } from '../lib/experiments/summary';
import { buildFigures } from '../lib/experiments/figures';
import type { ReproduceResults } from '../lib/experiments/results';

const MIN = { minEvidenceSessions: 100, minEvidenceEvents: 30 };
const LABELS: Record<string, string> = { dnn: 'DNN', ddpg: 'DDPG', hrl: 'HRL', 'hrl-mg': 'HRL-MG' };
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-evidence-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** Results of a run: offline MAP per method and seed, a fidelity report, `sessions` test sessions. */
function results(o: { source: string; sessions: number; simLogLoss: number; aucOrder: number; orderRate: number; maps: Record<string, number[]> }): ReproduceResults {
  const offline = Object.entries(o.maps).flatMap(([variant, vs]) =>
    vs.map((map, seed) => ({ run: `${variant}-s${seed}`, variant, method: variant, label: LABELS[variant], seed, sessions: o.sessions, map, 'ndcg@20': map, loggedMap: 0.2, randomMap: 0.3, 'logged ndcg@20': 0.2, 'random ndcg@20': 0.3 })),
  );
  const figs = { logLoss: o.simLogLoss, aucClick: 0.7, aucOrder: o.aucOrder, argmax: { accuracy: 0.8 }, eceClick: 0.01, eceOrder: 0.01, meanPClick: 0.2, meanPOrder: 0.01 };
  return {
    dir: work,
    data: { source: o.source } as never,
    simulator: {
      fidelity: {
        dataset: { source: o.source, split: 'test', rows: 5 * o.sessions, sessions: o.sessions, clickRate: 0.2, orderRate: o.orderRate },
        simulator: figs,
        baseline: { ...figs, logLoss: 0.5122, aucClick: 0.5, aucOrder: 0.5 },
        truthGap: null,
      },
    } as never,
    train: null,
    evaluate: { online: [], offline, onlineSummary: [], offlineSummary: [] } as never,
    sweep: null,
    figures: null,
  };
}

const STRONG = { 'hrl-mg': [0.61, 0.62, 0.6], hrl: [0.4, 0.41, 0.42], ddpg: [0.3, 0.31, 0.32], dnn: [0.2, 0.21, 0.22] };

test('enough evidence: no warning, claims judged by their CIs alone', () => {
  const res = results({ source: 'world', sessions: 500, simLogLoss: 0.45, aucOrder: 0.8, orderRate: 0.02, maps: STRONG });
  assert.deepEqual(evidenceWarnings(res, MIN), []);
  const claims = annotateClaims(buildClaims(res), []);
  assert.equal(claims.find((c) => c.id === 'offline-map-vs-hrl')!.verdict, 'held');
  const md = renderSummary(res, { claims, stages: [], about: [] });
  assert.doesNotMatch(md, /Warning/);
  assert.match(md, /\| logged order \(reference\) \|/, 'the world keeps its logged-order reference');
});

test('a weak simulator on a tiny test split: warnings, inconclusive claims that say why, clipped intervals, no logged order', () => {
  // 2 test sessions, 10 rows, 0 orders; simulator worse than the constant model (log-loss 0.5258 vs 0.5122); order AUC undefined
  const res = results({ source: 'retailrocket', sessions: 2, simLogLoss: 0.5258, aucOrder: NaN, orderRate: 0, maps: { ...STRONG, dnn: [0.05, 0.95, 0.5] } });
  const w = evidenceWarnings(res, MIN);
  const text = w.map((x) => x.text).join('\n');
  assert.match(text, /Figure 7 \(offline test\) rests on 2 re-ranked test session\(s\), fewer than the minimum of 100/);
  assert.match(text, /fidelity report rests on 2 test session\(s\)/);
  assert.match(text, /order figures \(AUC, ECE\) rest on 0 test orders, fewer than the minimum of 30/);
  assert.match(text, /does not beat the constant frequency model on the test split \(log-loss 0\.5258 vs 0\.5122\)/);
  assert.match(text, /order AUC is undefined/);
  const below = evidenceWarnings(results({ source: 'world', sessions: 500, simLogLoss: 0.45, aucOrder: 0.41, orderRate: 0.02, maps: STRONG }), MIN);
  assert.deepEqual(below.map((x) => x.topic), ['auc']);
  assert.match(below[0].text, /order AUC is 0\.4100, below random/);

  const claims = annotateClaims(buildClaims(res), w);
  const c = claims.find((x) => x.id === 'offline-map-vs-hrl')!;
  assert.equal(c.verdict, 'inconclusive', 'would be "held" on its CIs');
  assert.match(c.detail, /^CIs alone would say "held", but Figure 7 \(offline test\) rests on 2 re-ranked test session\(s\)/);
  const md = renderSummary(res, { claims, stages: [], about: [], warnings: w });
  assert.match(md, /## ⚠ Warnings/);
  assert.ok(md.indexOf('## ⚠ Warnings') < md.indexOf('## Claims of the paper'), 'warnings come first');
  // DNN's MAP over seeds [0.05, 0.95, 0.5]: the t interval leaves [0, 1]; shown clipped and marked
  const dnn = md.split('\n').find((l) => l.startsWith('| DNN |'))!;
  assert.match(dnn, /0\.5000 ± 1\.1\d+, CI clipped to \[0\.0000, 1\.0000\]†/);
  assert.match(md, /† The t interval over seeds left the metric's range \[0, 1\]/);
  assert.doesNotMatch(md, /logged order \(reference\)/);
  assert.match(md, /No "logged order" reference on a real log/);
  // Figure 7: no logged bar, error bars inside [0, 1]
  const fig7 = buildFigures({ ...res, simulator: null }).find((f) => f.name === 'fig7-offline')!;
  const json = JSON.stringify(fig7.figure);
  assert.doesNotMatch(json, /"logged"/);
  const traces = (fig7.figure as unknown as { data: Array<{ name: string; y: number[]; error_y: { array: number[]; arrayminus?: number[] } }> }).data;
  const dnnBar = traces.find((t) => t.name === 'DNN')!;
  assert.ok(dnnBar.error_y.array[0] > 0, 'DNN has an error bar');
  for (const t of traces) {
    t.y.forEach((y, i) => {
      const plus = t.error_y.array[i];
      const minus = (t.error_y.arrayminus ?? t.error_y.array)[i];
      assert.ok(y + plus <= 1 + 1e-9 && y - minus >= -1e-9, `${t.name}: bar [${y - minus}, ${y + plus}] inside [0, 1]`);
    });
  }
});

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, HRLMG_QUIET: '1' }, timeout: 300000 });

test('reproduce --data DIR: starts from a prepared folder (no raw read, no generation), caches it; a failed run leaves no folder', { timeout: 300000 }, () => {
  const data = path.join(work, 'prepared');
  const g = run(['generate', '--out', data, '--nItems', '500', '--nCategories', '10', '--calibrationImpressions', '8000', '--trainImpressions', '15000', '--embeddingDim', '16']);
  assert.equal(g.status, 0, g.stderr);
  const out = path.join(work, 'run');
  const tiny = ['--quick', '--no-sweeps', '--seeds', '0,1', '--trainSteps', '5', '--evalSessions', '4', '--offlineSessions', '20', '--gapSessions', '0', '--workers', '1', '--no-png'];
  const r = run(['reproduce', '--data', data, '--out', out, ...tiny]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^done: data in .*\(\d+ items/m);
  const dj = JSON.parse(fs.readFileSync(path.join(out, 'results', 'data.json'), 'utf8'));
  assert.equal(dj.config.source.kind, 'prepared');
  assert.equal(dj.config.prepare.embeddingDim, 16, 'the folder\'s own preparation');
  const src = JSON.parse(fs.readFileSync(path.join(data, 'manifest.json'), 'utf8'));
  const cp = JSON.parse(fs.readFileSync(path.join(out, 'data', 'manifest.json'), 'utf8'));
  assert.deepEqual(cp.files, src.files, 'the same columns (checksums)');
  // too few test sessions for the figures: the console says so
  assert.match(r.stdout, /^warning: Figure 8 \(online test\) rests on 4 simulated session\(s\)/m);
  const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
  assert.match(md, /Offline test: 20 test-split sessions re-ranked/);
  assert.match(md, /Sessions re-ranked per run: 20 /, 'header and body agree');
  const again = run(['reproduce', '--data', data, '--out', out, ...tiny]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^skip: data \(cached\)$/m);
  // preparation options cannot change a prepared folder; a failing run leaves no output folder
  const bad = run(['reproduce', '--data', data, '--out', path.join(work, 'bad1'), '--testDays', '1']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /is already prepared: prepare options \(--testDays\)/);
  const fail = run(['reproduce', '--adapter', 'taobao', '--input', path.join(data, 'manifest.json'), '--out', path.join(work, 'bad2'), ...tiny]);
  assert.notEqual(fail.status, 0);
  assert.equal(fs.existsSync(path.join(work, 'bad2')), false, 'no empty output folder after a failed run');
});
