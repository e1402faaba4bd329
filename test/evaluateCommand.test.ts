/**
 * `hrlmg evaluate` and `hrlmg oracles` end to end on a tiny world (child processes in a temp folder):
 * the printed tables, the JSON (fields, finite numbers, agreement with the table), the references
 * shared by both commands, and clear one-line errors for bad input.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-evaluate-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, HRLMG_QUIET: '1' }, timeout: 300000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TEST = ['--sessions', '32', '--batchSize', '16', '--poolSize', '100'];

interface Row { policy: string; reference: boolean; T: number; sessions: number; reward: { mean: number; halfWidth: number }; clicks: { mean: number }; orders: { mean: number }; h: number | null }

/** The printed row of `policy` at T: its reward cell's mean. */
function printedReward(out: string, policy: string, T: number): number {
  const line = out.split('\n').find((l) => l.trimStart().startsWith(policy) && new RegExp(`\\s${T}\\s`).test(l) && l.trim().split(/\s{2,}/)[0] === policy);
  assert.ok(line, `printed row ${policy} T=${T} in:\n${out}`);
  return Number(line!.trim().split(/\s{2,}/)[2].split(' ± ')[0]);
}

test('evaluate and oracles on a tiny world: tables, JSON, shared references, errors', { timeout: 600000 }, () => {
  const g = cli('generate', '--out', 'world', '--trainImpressions', '20000', '--seed', '5');
  assert.equal(g.code, 0, g.err);
  const t = cli('train', '--data', 'world', '--method', 'dnn', '--backend', 'truth', '--out', 'run', '--sessions', '32', '--batchSize', '16', '--poolSize', '100', '--T', '20');
  assert.equal(t.code, 0, t.err);

  // ---- oracles
  const o = cli('oracles', '--data', 'world', '--json', 'oracles.json', '--T', '10,20', ...TEST);
  assert.equal(o.code, 0, o.err);
  const oj = JSON.parse(fs.readFileSync(path.join(work, 'oracles.json'), 'utf8'));
  assert.equal(oj.format, 'hrlmg-oracles');
  assert.equal(oj.seed, 2019);
  assert.equal(oj.backend, 'true-model');
  assert.deepEqual(oj.config.T, [10, 20]);
  assert.equal(oj.meta.versions['@tensorflow/tfjs'], '4.22.0');
  const orows = oj.table as Row[];
  assert.equal(orows.length, 4 * 2, '4 references x 2 lengths');
  for (const r of orows) {
    for (const x of [r.reward.mean, r.reward.halfWidth, r.clicks.mean, r.orders.mean, r.h as number]) assert.ok(Number.isFinite(x), `${r.policy} T=${r.T}: ${x}`);
    assert.equal(r.sessions, 32);
    assert.equal(printedReward(o.out, r.policy, r.T), Number(r.reward.mean.toFixed(3)), `${r.policy} T=${r.T}: table = JSON`);
  }
  const oref = (label: RegExp, T: number): Row => orows.find((r) => label.test(r.policy) && r.T === T)!;
  for (const T of [10, 20]) {
    assert.equal(oref(/^random$/, T).h, 0);
    assert.equal(oref(/true E\[reward\]/, T).h, 1);
    assert.ok(oref(/true E\[reward\]/, T).reward.mean > oref(/^random$/, T).reward.mean);
  }

  // ---- the opt-in planning oracle (fast search settings): one more row per length, the others unchanged
  assert.ok(!orows.some((r) => /planning/.test(r.policy)), 'planning is not in the default set');
  const PLAN = ['--depth', '3', '--rollouts', '1', '--shortlist', '2', '--rolloutPool', '3'];
  const op = cli('oracles', '--data', 'world', '--json', 'planning.json', '--T', '10,20', '--with-planning', ...PLAN, ...TEST);
  assert.equal(op.code, 0, op.err);
  const pj = JSON.parse(fs.readFileSync(path.join(work, 'planning.json'), 'utf8'));
  const prows = pj.table as Row[];
  assert.equal(prows.length, 5 * 2, '5 references x 2 lengths');
  for (const T of [10, 20]) {
    const ofT = (rows: Row[]): Row[] => rows.filter((r) => r.T === T);
    assert.deepEqual(ofT(prows).slice(0, 4), ofT(orows), `T=${T}: adding planning leaves the other rows as they were`);
    const pl = ofT(prows)[4];
    assert.match(pl.policy, /planning oracle/);
    assert.equal(printedReward(op.out, pl.policy, T), Number(pl.reward.mean.toFixed(3)));
    const g = pj.planning.gains.find((x: { T: number }) => x.T === T);
    assert.ok(Math.abs(g.gain - pl.reward.mean / oref(/true E\[reward\]/, T).reward.mean) < 1e-12, `T=${T}: gain = planning / greedy-reward`);
    assert.ok(Number.isFinite(g.diffHalfWidth) && g.sessions === 32);
    assert.match(op.out, new RegExp(`planning gain \\(T=${T}\\) = ${g.gain.toFixed(3)} `));
  }
  assert.deepEqual(pj.planning.config, { depth: 3, rollouts: 1, shortlist: 2, rolloutPool: 3 });
  // --references planning is the same opt-in (same numbers)
  const op2 = cli('oracles', '--data', 'world', '--json', 'planning2.json', '--T', '10,20', '--references', 'planning', ...PLAN, ...TEST);
  assert.equal(op2.code, 0, op2.err);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(work, 'planning2.json'), 'utf8')).table.filter((r: Row) => /planning/.test(r.policy)), prows.filter((r) => /planning/.test(r.policy)));

  // ---- evaluate against the truth: h, and the references of `oracles` at the same settings
  const e = cli('evaluate', '--agent', 'run', '--data', 'world', '--backend', 'truth', '--json', 'eval.json', '--shortT', '10', '--longT', '20', '--offlineSessions', '40', ...TEST);
  assert.equal(e.code, 0, e.err);
  const ej = JSON.parse(fs.readFileSync(path.join(work, 'eval.json'), 'utf8'));
  assert.equal(ej.format, 'hrlmg-evaluate');
  assert.equal(ej.agent.method, 'dnn');
  assert.equal(ej.backend, 'truth');
  assert.equal(ej.seed, 2019);
  assert.equal(ej.config.sessions, 32);
  assert.equal(ej.evaluateConfig.onlineSessions, 32);
  assert.match(ej.meta.kit, /^\d+\.\d+\.\d+/);
  assert.equal(ej.online.short.T, 10);
  assert.equal(ej.online.long.T, 20);
  assert.ok(ej.offline.counts.evaluated > 0 && ej.offline.counts.evaluated <= 40);
  assert.ok(ej.offline.metrics.policy.map.mean > 0 && ej.offline.metrics.policy.map.mean <= 1);
  const erows = ej.table as Row[];
  assert.deepEqual(erows.map((r) => [r.reference, r.T]), [[false, 10], [true, 10], [true, 10], [false, 20], [true, 20], [true, 20]]);
  for (const length of ['short', 'long'] as const) {
    const hd = ej.headroom[length];
    const T = length === 'short' ? 10 : 20;
    assert.ok(Number.isFinite(hd.h));
    assert.ok(Math.abs(hd.h - (hd.policy - hd.random) / (hd.oracle - hd.random)) < 1e-12);
    assert.equal(hd.policy, ej.online[length].reward.mean);
    assert.equal(hd.random, oref(/^random$/, T).reward.mean, 'evaluate and oracles run the same sessions');
    assert.equal(hd.oracle, oref(/true E\[reward\]/, T).reward.mean);
    const agentRow = erows.find((r) => !r.reference && r.T === T)!;
    assert.equal(agentRow.h, hd.h);
    assert.equal(printedReward(e.out, 'dnn', T), Number(agentRow.reward.mean.toFixed(3)));
  }
  assert.match(e.out, /^ {2}policy +T +reward +clicks +orders +h$/m);
  assert.match(e.out, /offline test \(\d+ test-day sessions re-ranked\)/);

  // ---- bad input: one clear line, exit 2
  const one = (r: { code: number | null; err: string }, re: RegExp): void => {
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, re);
  };
  one(cli('evaluate', '--agent', 'no-such-run', '--data', 'world', '--backend', 'truth'), /--agent no-such-run: no such folder/);
  fs.mkdirSync(path.join(work, 'empty'));
  one(cli('evaluate', '--agent', 'empty', '--data', 'world', '--backend', 'truth'), /--agent empty: no saved agent \(agent\.json\)/);
  one(cli('evaluate', '--data', 'world', '--backend', 'truth'), /--agent DIR is required/);
  one(cli('evaluate', '--agent', 'run', '--data', 'world', '--backend', 'oracle'), /--backend must be sim or truth, got "oracle"/);
  one(cli('evaluate', '--agent', 'run', '--data', 'world', '--backend', 'sim', '--sim', 'nosim'), /--sim nosim: no simulator there/);
  one(cli('oracles', '--data', 'world', '--references', 'bogus'), /unknown reference policy 'bogus'/);
  one(cli('oracles', '--data', 'world', '--T', '10,600'), /oracles\.T: entries must be <= poolSize/);
  // a dataset that is not the default world: no ground truth
  const lines = ['timestamp,visitorid,event,itemid,transactionid'];
  for (let v = 0; v < 15; v++) for (let d = 0; d < 2; d++) for (let k = 0; k < 6; k++) lines.push(`${1433221200000 + d * 86400000 + v * 600000 + k * 30000},${100 + v},${k === 4 ? 'addtocart' : 'view'},${500 + ((v * 7 + k * 3 + d) % 25)},`);
  fs.writeFileSync(path.join(work, 'events.csv'), lines.join('\n') + '\n');
  const p = cli('prepare', '--adapter', 'retailrocket', '--input', 'events.csv', '--out', 'rr', '--embeddingDim', '4', '--minItemImpressions', '1', '--negativesPerPositive', '2', '--N', '5');
  assert.equal(p.code, 0, p.err);
  one(cli('evaluate', '--agent', 'run', '--data', 'rr', '--backend', 'truth'), /--backend truth needs a dataset generated from the default world .*rr has source 'retailrocket'/);
  one(cli('oracles', '--data', 'rr'), /hrlmg oracles needs a dataset generated from the default world/);
});
