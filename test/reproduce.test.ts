/**
 * `hrlmg reproduce --quick` end to end, as a child process into a temp folder: every stage's
 * JSON/CSV with config, seeds, backend and versions; summary.md with a verdict line per claim;
 * the figures (HTML, + PNG where Chromium is installed). Then a rerun skips every stage as cached
 * (and is fast), a changed setting reruns only what it affects, and bad options exit 2 with one
 * line.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCsv } from '../lib/experiments/csv';
import { STAGES } from '../lib/experiments/reproduce';
import { chromiumAvailable } from '../lib/plots/png';

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-reproduce-'));
const out = path.join(work, 'quick');

after(() => fs.rmSync(work, { recursive: true, force: true }));

function cli(args: string[], timeout = 600000): { code: number | null; out: string; err: string; seconds: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'reproduce', ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, HRLMG_QUIET: '1' }, timeout });
  return { code: r.status, out: r.stdout, err: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

const RESULT_FILES: Record<string, string[]> = {
  data: ['data.json', 'data.csv'],
  simulator: ['simulator.json', 'simulator.csv'],
  train: ['train.json', 'train.csv', 'train-curves.csv'],
  evaluate: ['evaluate.json', 'evaluate-online.csv', 'evaluate-offline.csv', 'evaluate-summary.csv', 'evaluate-references.csv'],
  sweep: ['sweep.json', 'sweep.csv', 'sweep-summary.csv'],
  figures: ['figures.json', 'figures.csv'],
  summary: ['summary.json', 'summary.csv'],
};

test('reproduce --quick: the whole pipeline, its results, then a fully cached rerun', { timeout: 900000 }, () => {
  const first = cli(['--quick', '--out', out]);
  assert.equal(first.code, 0, `exit ${first.code}\nstdout:\n${first.out}\nstderr:\n${first.err}`);
  process.stderr.write(`# reproduce --quick took ${first.seconds.toFixed(1)}s\n`);
  for (const s of STAGES) assert.match(first.out, new RegExp(`^done(?: \\(partly cached\\))?: ${s} in`, 'm'), `stage ${s} ran:\n${first.out}`);
  // the sweep shares runs with the main comparison (alpha = 0.5 and M = 2 are HRL-MG, M = 1 is HRL)
  assert.match(first.out, /^skip: sweep-evaluate online-simulator\/hrl-mg-s0 \(cached\)$/m);

  // ---- per-stage JSON / CSV with config, seeds, backend and versions
  for (const [stage, files] of Object.entries(RESULT_FILES)) {
    for (const f of files) assert.ok(fs.existsSync(path.join(out, 'results', f)), `results/${f}`);
    const j = readJson(path.join(out, 'results', files[0]));
    assert.equal(j.stage, stage);
    assert.ok(j.config && typeof j.config === 'object', `${stage}: config`);
    assert.deepEqual(j.seeds, [0, 1]);
    assert.match(String((j.backend as { backend: string }).backend), /^(wasm|cpu|tensorflow)$/);
    const meta = j.meta as { versions: Record<string, string>; kit: string };
    assert.equal(meta.versions['@tensorflow/tfjs'], '4.22.0');
    assert.match(meta.kit, /^\d+\.\d+\.\d+/);
    assert.match(String(j.hash), /^[0-9a-f]{64}$/);
    const rec = readJson(path.join(out, 'stages', `${stage}.json`));
    assert.equal(rec.hash, j.hash, `${stage}: stage record and result agree`);
  }
  const train = readJson(path.join(out, 'results', 'train.json')) as { runs: Array<{ method: string; seed: number; steps: number }> };
  assert.equal(train.runs.length, 8, '4 methods x 2 seeds');
  assert.deepEqual([...new Set(train.runs.map((r) => r.method))].sort(), ['ddpg', 'dnn', 'hrl', 'hrl-mg']);
  assert.ok(train.runs.every((r) => r.steps === 150), 'quick budget: 150 steps per run');
  const online = parseCsv(fs.readFileSync(path.join(out, 'results', 'evaluate-online.csv'), 'utf8'));
  assert.equal(online.length, 8 * 2 * 2, 'runs x {simulator, truth} x {short, long}');
  assert.deepEqual([...new Set(online.map((r) => r.backend))].sort(), ['simulator', 'truth']);
  for (const r of online) assert.ok(Number.isFinite(Number(r.reward)) && Number(r.reward) >= 0, `reward ${r.reward}`);
  // headroom captured: finite against the truth, empty against the simulator
  for (const r of online) assert.ok(r.backend === 'truth' ? Number.isFinite(Number(r.h)) && r.h !== '' : r.h === '', `${r.backend} h '${r.h}'`);
  const refs = parseCsv(fs.readFileSync(path.join(out, 'results', 'evaluate-references.csv'), 'utf8'));
  assert.deepEqual(
    refs.map((r) => `${r.backend}/${r.reference}/${r.length}`).sort(),
    ['simulator/random', 'truth/greedy-click', 'truth/greedy-reward', 'truth/logging', 'truth/random'].flatMap((k) => [`${k}/long`, `${k}/short`]).sort(),
  );
  for (const r of refs) {
    assert.equal(Number(r.sessions), 16, 'same sessions as the agents (quick: 16)');
    if (r.backend === 'simulator') assert.equal(r.h, '');
    else if (r.reference === 'random') assert.equal(Number(r.h), 0);
    else if (r.reference === 'greedy-reward') assert.equal(Number(r.h), 1);
    else assert.ok(Number.isFinite(Number(r.h)));
  }
  const rnd = (len: string) => Number(refs.find((r) => r.backend === 'truth' && r.reference === 'random' && r.length === len)!.reward);
  const orc = (len: string) => Number(refs.find((r) => r.backend === 'truth' && r.reference === 'greedy-reward' && r.length === len)!.reward);
  for (const r of online.filter((x) => x.backend === 'truth')) {
    assert.ok(Math.abs(Number(r.h) - (Number(r.reward) - rnd(r.length)) / (orc(r.length) - rnd(r.length))) < 1e-9, `h of ${r.run} ${r.length}`);
  }
  const offline = parseCsv(fs.readFileSync(path.join(out, 'results', 'evaluate-offline.csv'), 'utf8'));
  assert.equal(offline.length, 8);
  for (const r of offline) for (const k of ['map', 'ndcg@20', 'ndcg@40']) assert.ok(Number(r[k]) > 0 && Number(r[k]) <= 1, `${k} ${r[k]}`);
  const sweep = parseCsv(fs.readFileSync(path.join(out, 'results', 'sweep.csv'), 'utf8'));
  assert.deepEqual([...new Set(sweep.filter((r) => r.param === 'alpha').map((r) => Number(r.x)))].sort((a, b) => a - b), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual([...new Set(sweep.filter((r) => r.param === 'M').map((r) => Number(r.x)))].sort((a, b) => a - b), [1, 2, 3, 4]);
  const sim = readJson(path.join(out, 'results', 'simulator.json')) as { fidelity: { simulator: { argmax: { accuracy: number } }; truthGap: unknown } };
  assert.ok(sim.fidelity.simulator.argmax.accuracy > 0.5);
  assert.ok(sim.fidelity.truthGap, 'default world: gap to the ground truth');

  // ---- summary.md: tables per figure, a verdict line per claim, fidelity, wall times
  const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
  for (const h of ['## Claims of the paper', '## Figure 6', '## Figure 7', '## Figure 8', '## Figure 9', '## Figure 10', '## Figure 11', '## Figure 12', '## Simulator fidelity', '## Wall time per stage']) {
    assert.ok(md.includes(h), `summary.md lacks ${h}`);
  }
  const claimLines = md.split('\n').filter((l) => /^- .*\*\*(held|did not hold|inconclusive|not tested)\*\*/.test(l));
  for (const base of ['HRL', 'DDPG', 'DNN']) {
    for (const what of ['total reward', 'orders']) assert.ok(claimLines.some((l) => l.startsWith(`- HRL-MG beats ${base} on ${what}`)), `claim vs ${base} on ${what}`);
    assert.ok(claimLines.some((l) => l.startsWith(`- HRL-MG beats ${base} on MAP`)));
  }
  assert.ok(claimLines.some((l) => /peaks near α = 0\.5/.test(l)));
  assert.ok(claimLines.some((l) => /peaks at M = 2/.test(l)));
  // every inconclusive line says why: where the intervals overlap, a paired CI containing 0, too few seeds or zero spread
  for (const l of claimLines.filter((x) => x.includes('**inconclusive**'))) assert.match(l, /overlap|contains 0|at least 3 needed|fewer than 3 seeds|zero spread/, l);
  assert.match(md, /± \d/);
  assert.match(md, /\| method \| total reward \| clicks \(incl\. orders\) \| orders \| h \(headroom captured\) \|/);
  assert.match(md, /^\| greedy oracle, true E\[reward\] \(reference\) \| .* \| 1\.000 \|$/m);
  assert.match(md, /^\| random \(reference\) \| .* \| 0\.000 \|$/m);
  assert.match(md, /h is not given against the learned simulator/);
  const fig8 = fs.readFileSync(path.join(out, 'figures', 'fig8-online.html'), 'utf8');
  assert.ok(fig8.includes('greedy oracle, true E[reward]') && fig8.includes('"pattern"'), 'Figure 8 draws the reference bars');
  const claims = parseCsv(fs.readFileSync(path.join(out, 'results', 'summary.csv'), 'utf8'));
  assert.equal(claims.length, claimLines.length);

  // ---- figures
  const figs = (readJson(path.join(out, 'results', 'figures.json')) as { figures: Array<{ name: string; html: string; png: string | null }> }).figures;
  const names = figs.map((f) => f.name);
  for (const n of ['fig6-training', 'fig7-offline', 'fig8-online', 'fig9-alpha-long', 'fig10-M-long', 'fig11-alpha-short', 'fig12-M-short', 'fidelity-calibration', 'fidelity-confusion']) {
    assert.ok(names.includes(n), `figure ${n}`);
  }
  for (const f of figs) {
    const html = fs.readFileSync(path.join(out, 'figures', f.html), 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.ok(html.includes('Plotly.newPlot'), 'standalone plotly page');
    if (chromiumAvailable()) {
      assert.ok(f.png, `${f.name}: PNG`);
      const png = fs.readFileSync(path.join(out, 'figures', f.png!));
      assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }
  }

  // ---- rerun: every stage cached, fast
  const again = cli(['--quick', '--out', out]);
  assert.equal(again.code, 0, again.err);
  for (const s of STAGES) assert.match(again.out, new RegExp(`^skip: ${s} \\(cached\\)$`, 'm'), `stage ${s} cached:\n${again.out}`);
  assert.doesNotMatch(again.out, /^done/m);
  assert.ok(again.seconds < 30, `cached rerun took ${again.seconds}s`);
  process.stderr.write(`# cached rerun took ${again.seconds.toFixed(1)}s\n`);

  // ---- a changed setting reruns what it affects, nothing else
  const noPng = cli(['--quick', '--out', out, '--no-png']);
  assert.equal(noPng.code, 0, noPng.err);
  for (const s of ['data', 'simulator', 'train', 'evaluate', 'sweep']) assert.match(noPng.out, new RegExp(`^skip: ${s} \\(cached\\)$`, 'm'));
  assert.match(noPng.out, /^done: figures in/m);
  assert.match(noPng.out, /^done: summary in/m);
  const figs2 = (readJson(path.join(out, 'results', 'figures.json')) as { figures: Array<{ png: string | null; pngNote: string }> }).figures;
  assert.ok(figs2.every((f) => f.png === null && /turned off/.test(f.pngNote)));
  assert.equal(fs.readdirSync(path.join(out, 'figures')).filter((f) => f.endsWith('.png')).length, 0, 'stale PNGs removed');
  const reproduce = readJson(path.join(out, 'reproduce.json')) as { stages: Array<{ stage: string; status: string }>; plan: { rep: { png: boolean } } };
  assert.equal(reproduce.plan.rep.png, false);
  assert.deepEqual(reproduce.stages.map((s) => s.stage), [...STAGES]);

  // ---- hrlmg report from a copy of results/ only (no runs/, no models): the same figures and summary, byte for byte
  const copy = path.join(work, 'copy');
  fs.cpSync(path.join(out, 'results'), path.join(copy, 'results'), { recursive: true });
  const rep = spawnSync(process.execPath, [CLI, 'report', '--from', copy], { cwd: work, encoding: 'utf8', env: { ...process.env, HRLMG_QUIET: '1' } });
  assert.equal(rep.status, 0, rep.stderr);
  assert.equal(fs.readFileSync(path.join(copy, 'summary.md'), 'utf8'), fs.readFileSync(path.join(out, 'summary.md'), 'utf8'), 'summary.md rebuilt byte-identically');
  const htmls = fs.readdirSync(path.join(out, 'figures')).filter((f) => f.endsWith('.html')).sort();
  assert.deepEqual(fs.readdirSync(path.join(copy, 'figures')).filter((f) => f.endsWith('.html')).sort(), htmls);
  for (const f of htmls) assert.ok(fs.readFileSync(path.join(copy, 'figures', f)).equals(fs.readFileSync(path.join(out, 'figures', f))), `figures/${f} rebuilt byte-identically`);
  assert.doesNotMatch(fs.readFileSync(path.join(copy, 'summary.md'), 'utf8'), /\]\((\/|[A-Za-z]:)/, 'relative links only');
  const kvp = fs.readFileSync(path.join(copy, 'kit-vs-paper.md'), 'utf8');
  for (const s of ['better than DNN', 'better than DDPG', 'better than HRL in the offline test', 'slightly fewer clicks', 'peaks when α = 0.5', 'peaks when M = 2']) assert.ok(kvp.includes(s), `kit-vs-paper: ${s}`);
  const tex = spawnSync(process.execPath, [CLI, 'report', '--from', copy, '--format', 'latex', '--out', path.join(work, 'tex')], { cwd: work, encoding: 'utf8', env: { ...process.env, HRLMG_QUIET: '1' } });
  assert.equal(tex.status, 0, tex.stderr);
  const doc = fs.readFileSync(path.join(work, 'tex', 'report.tex'), 'utf8');
  assert.equal((doc.match(/\\begin\{longtable\}/g) ?? []).length, (doc.match(/\\end\{longtable\}/g) ?? []).length);
  assert.match(doc, /Figure 8: online test/);
});

test('reproduce: bad options exit 2 with one line, before any work', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--workers', '0'], /reproduce\.workers: must be >= 1/],
    [['--seeds', 'a,b'], /--seeds: expected a number/],
    [['--bogus'], /unknown option --bogus/],
    [['--adapter', 'nope', '--input', 'x.csv'], /unknown adapter "nope"/],
    [['--adapter', 'taobao'], /--adapter needs --input/],
    [['--poolSize', '10'], /reproduce\.poolSize: must be >= longT/],
    [['--config', path.join(work, 'missing.json')], /missing\.json: cannot read/],
  ];
  for (const [args, re] of cases) {
    const r = cli(['--out', path.join(work, 'bad'), ...args], 60000);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.err}`);
    const lines = r.err.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: one line expected, got:\n${r.err}`);
    assert.match(lines[0], re);
  }
  assert.equal(fs.existsSync(path.join(work, 'bad')), false, 'nothing written');
  const help = spawnSync(process.execPath, [CLI, 'reproduce', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  for (const k of ['--quick', '--out', '--adapter', '--input', '--config', '--force', '--seeds', '--workers', '--trainSteps', '--evalSessions', '--alphas', '--Ms']) {
    assert.ok(help.stdout.includes(k), `--help lists ${k}`);
  }
  assert.match(help.stdout, /runs\/reproduce/);
});
