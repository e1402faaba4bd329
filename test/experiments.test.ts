/**
 * lib/experiments pure parts: across-seed statistics, the claims logic (CI overlap -> inconclusive,
 * separation -> held / did not hold, peaks), the resumable-stage cache (same config -> cached,
 * changed config or missing output -> rerun), the reproduce config (quick preset, precedence,
 * managed keys, sweep variants sharing the main runs), CSV and aggregation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { seedStats, formatStats } from '../lib/experiments/seedStats';
import { judgeGreater, judgePeak, tally, pairedDifference, MIN_SEEDS } from '../lib/experiments/claims';
import { cachedRecord, stageHash, writeStageRecord } from '../lib/experiments/stageCache';
import { canonicalJson, configHash } from '../lib/experiments/hash';
import { QUICK_PRESET, mainVariants, resolvePlan, runId, sweepPlans } from '../lib/experiments/reproduceConfig';
import { parseCsv, toCsv } from '../lib/experiments/csv';
import { reproduce } from '../lib/experiments/reproduce';
import { acquireRunLock, RunLockError } from '../lib/reliability/runLock';
import { aggregate, statsOf, type ReproduceResults } from '../lib/experiments/results';
import { buildClaims, renderSummary } from '../lib/experiments/summary';
import { reviveError, serializeError } from '../lib/experiments/pool';
import { ConfigError, InputError, UsageError } from '../lib/util/errors';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('seedStats: mean, sample sd and the Student-t 95% half-width (worked by hand)', () => {
  const s = seedStats([1, 2, 3]); // mean 2, sd 1, t(0.975, 2) = 4.303
  assert.equal(s.n, 3);
  close(s.mean, 2);
  close(s.std, 1);
  close(s.halfWidth, 4.303 / Math.sqrt(3));
  close(s.lo, 2 - 4.303 / Math.sqrt(3));
  const one = seedStats([5, NaN]);
  assert.equal(one.n, 1);
  assert.ok(Number.isNaN(one.halfWidth));
  assert.equal(seedStats([]).n, 0);
  assert.equal(formatStats(seedStats([1, 2, 3]), 2), '2.00 ± 2.48');
  assert.equal(formatStats(one, 1), '5.0 ± n/a');
});

test('judgeGreater: separated CIs hold (or not), overlapping CIs are inconclusive and say where', () => {
  const low = seedStats([1, 2, 3]); // [-0.484, 4.484]
  const high = seedStats([10, 11, 12]); // [8.516, 13.484]
  assert.equal(judgeGreater(high, low, ['A', 'B']).verdict, 'held');
  const rev = judgeGreater(low, high, ['A', 'B']);
  assert.equal(rev.verdict, 'did not hold');
  assert.match(rev.detail, /opposite direction/);
  const mid = seedStats([3, 4, 5]); // [1.516, 6.484]
  const j = judgeGreater(mid, low, ['HRL-MG', 'HRL']);
  assert.equal(j.verdict, 'inconclusive');
  assert.match(j.detail, /overlap on \[1\.516, 4\.484\]/); // [max lo, min hi]
  // higher mean but overlapping: still inconclusive
  assert.equal(judgeGreater(seedStats([2.5, 3.5, 4.5]), low, ['A', 'B']).verdict, 'inconclusive');
  assert.equal(judgeGreater(seedStats([100]), low, ['A', 'B']).verdict, 'inconclusive'); // one seed: no CI
  assert.equal(judgeGreater(seedStats([]), low, ['A', 'B']).verdict, 'not tested');
  // zero-width CIs that touch are not separated
  assert.equal(judgeGreater(seedStats([2, 2]), seedStats([2, 2]), ['A', 'B']).verdict, 'inconclusive');
});

test('judgePeak: M peak at 2 and alpha near 0.5', () => {
  const p = (x: number, vals: number[]) => ({ x, stats: seedStats(vals) });
  const atTwo = (x: number) => x === 2;
  // M = 2 clearly best
  assert.equal(judgePeak([p(1, [1, 2, 3]), p(2, [10, 11, 12]), p(3, [4, 5, 6]), p(4, [1, 1.5, 2])], atTwo, 'M').verdict, 'held');
  // M = 3 clearly above M = 2
  const no = judgePeak([p(1, [1, 2, 3]), p(2, [10, 11, 12]), p(3, [20, 21, 22])], atTwo, 'M');
  assert.equal(no.verdict, 'did not hold');
  assert.match(no.detail, /M=3/);
  // M = 2 best on average but overlapping M = 1
  const inc = judgePeak([p(1, [9, 10, 11]), p(2, [10, 11, 12]), p(3, [1, 2, 3])], atTwo, 'M');
  assert.equal(inc.verdict, 'inconclusive');
  assert.match(inc.detail, /M=1/);
  assert.doesNotMatch(inc.detail, /M=3/);
  // alpha: 0.25 counts as near 0.5; endpoints far
  const near = (x: number) => Math.abs(x - 0.5) <= 0.25;
  assert.equal(judgePeak([p(0, [1, 2, 3]), p(0.25, [10, 11, 12]), p(0.5, [5, 6, 7]), p(1, [0, 1, 2])], near, 'α').verdict, 'held');
  assert.equal(judgePeak([p(0.5, [1, 2, 3])], near, 'α').verdict, 'not tested'); // nothing to compare with
  assert.equal(judgePeak([p(0, [1, 2, 3]), p(1, [1, 2, 3])], near, 'α').verdict, 'not tested'); // no claimed value
  assert.equal(judgePeak([p(0, [1]), p(0.5, [3])], near, 'α').verdict, 'inconclusive'); // one seed
  assert.deepEqual(tally([{ verdict: 'held', detail: '' }, { verdict: 'held', detail: '' }, { verdict: 'inconclusive', detail: '' }]), {
    held: 2, 'did not hold': 0, inconclusive: 1, 'not tested': 0,
  });
});

test('stage cache: same config -> cached; changed config, other inputs or a missing output -> rerun', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-stage-'));
  try {
    const cfg = { lr: 1e-3, M: 2, nested: { b: 1, a: [1, 2] } };
    const h = stageHash('train', cfg, { data: 'abc' });
    assert.equal(h, stageHash('train', { nested: { a: [1, 2], b: 1 }, M: 2, lr: 1e-3 }, { data: 'abc' }), 'key order must not matter');
    assert.notEqual(h, stageHash('train', { ...cfg, M: 3 }, { data: 'abc' }));
    assert.notEqual(h, stageHash('train', cfg, { data: 'abd' }));
    assert.notEqual(h, stageHash('evaluate', cfg, { data: 'abc' }));
    const rec = path.join(dir, 'stages', 'train.json');
    assert.equal(cachedRecord(rec, h, dir), null, 'nothing recorded yet');
    fs.writeFileSync(path.join(dir, 'out.txt'), 'x');
    writeStageRecord(rec, { stage: 'train', hash: h, config: cfg, inputs: { data: 'abc' }, outputs: ['out.txt'], seconds: 1.5 });
    const got = cachedRecord(rec, h, dir);
    assert.ok(got);
    assert.equal(got.seconds, 1.5);
    assert.equal(cachedRecord(rec, stageHash('train', { ...cfg, lr: 2e-3 }, { data: 'abc' }), dir), null, 'config change -> rerun');
    fs.rmSync(path.join(dir, 'out.txt'));
    assert.equal(cachedRecord(rec, h, dir), null, 'missing output -> rerun');
    fs.writeFileSync(rec, '{ not json');
    assert.equal(cachedRecord(rec, h, dir), null, 'corrupt record -> rerun');
    assert.equal(canonicalJson({ b: 1, a: { d: undefined, c: 2 } }), '{"a":{"c":2},"b":1}');
    assert.equal(configHash([1, 2]).length, 64);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('resolvePlan: defaults, the quick preset, precedence and managed keys', () => {
  const d = resolvePlan({});
  assert.deepEqual(d.rep.seeds, [0, 1, 2]);
  assert.equal(d.rep.workers, 2);
  assert.equal(d.source.kind, 'world');
  assert.equal(d.agents['hrl-mg'].E, 50);
  assert.equal(d.agents.dnn.N, 10);
  assert.ok(d.out.endsWith(path.join('runs', 'reproduce')));
  const q = resolvePlan({ quick: true, options: { trainSteps: 33 } });
  assert.deepEqual(q.rep.seeds, QUICK_PRESET.reproduce!.seeds);
  assert.equal(q.rep.trainSteps, 33, 'command line wins over the preset');
  assert.equal(q.agents.ddpg.E, 16, 'E follows prepare.embeddingDim');
  assert.equal(q.agents.dnn.hidden, 16);
  assert.equal('warmupHigh' in q.agents.ddpg, false, 'agents.all keys a method lacks are skipped');
  assert.equal(q.trainer.steps, 33);
  assert.equal(q.onlineEval.onlineSessions, q.rep.evalSessions);
  assert.equal(q.offlineEval.offlineMaxSessions, q.rep.offlineSessions);
  assert.equal((q.source as { world: { trainImpressions: number } }).world.trainImpressions, q.rep.worldImpressions);
  const f = resolvePlan({ quick: true, file: { reproduce: { trainSteps: 44 }, agents: { 'hrl-mg': { c: 12 } } } });
  assert.equal(f.rep.trainSteps, 44, 'file wins over the preset');
  assert.equal(f.agents['hrl-mg'].c, 12);
  assert.equal(resolvePlan({ file: { reproduce: { trainSteps: 44 } }, options: { trainSteps: 55 } }).rep.trainSteps, 55, 'command line wins over the file');
  const bad = (p: Parameters<typeof resolvePlan>[0], re: RegExp) => assert.throws(() => resolvePlan(p), (e: Error) => e instanceof ConfigError && re.test(e.message));
  bad({ options: { workers: 0 } }, /reproduce\.workers/);
  bad({ options: { seeds: [1, 1] } }, /reproduce\.seeds.*distinct/);
  bad({ options: { poolSize: 100 } }, /reproduce\.poolSize.*300/);
  bad({ file: { world: { trainImpressions: 5000 } } }, /world\.trainImpressions.*--worldImpressions/);
  bad({ file: { agents: { all: { E: 8 } } } }, /agents\.E.*embeddingDim/);
  bad({ file: { agents: { all: { nope: 1 } } } }, /agents\.all\.nope/);
  bad({ file: { bogus: {} } as never }, /config\.bogus.*unknown section/);
  bad({ file: { agents: { 'hrl-mg': { alpha: -1 } } } }, /agent\(hrl-mg\)\.alpha/);
  bad({ options: { Ms: [2, 20] } }, /reproduce\.Ms.*c = 10/);
  bad({ file: { env: { rewardz: 1 } } }, /env\.rewardz/);
  assert.throws(() => resolvePlan({ adapter: 'nope', input: ['x'] }), UsageError);
  assert.throws(() => resolvePlan({ adapter: 'taobao', input: ['/no/such/file.csv'] }), InputError);
});

test('resolvePlan: actionPenalty (added after 0.1.0) stays out of the plan at its default, so earlier caches stay valid', () => {
  const d = resolvePlan({});
  for (const m of ['ddpg', 'hrl', 'hrl-mg'] as const) assert.equal('actionPenalty' in d.agents[m], false, m);
  const p = resolvePlan({ file: { agents: { all: { actionPenalty: 1 } } } });
  for (const m of ['ddpg', 'hrl', 'hrl-mg'] as const) assert.equal(p.agents[m].actionPenalty, 1, m);
  assert.equal('actionPenalty' in p.agents.dnn, false, 'DNN has no actor');
  // sweep points: with the default, the alpha = 0.5 / M = 2 points are the main HRL-MG run, M = 1 is HRL
  for (const plan of [d, p]) {
    const [alpha, M] = sweepPlans(plan);
    assert.equal(alpha.points.find((x) => x.x === 0.5)!.variant.id, 'hrl-mg');
    assert.equal(M.points.find((x) => x.x === 1)!.variant.id, 'hrl');
    assert.equal(alpha.points.find((x) => x.x === 0)!.variant.agent.actionPenalty, plan === p ? 1 : undefined);
  }
});

test('sweep variants: the points equal to a main run reuse it; M = 1 is the HRL run', () => {
  const plan = resolvePlan({});
  const main = mainVariants(plan);
  assert.deepEqual(main.map((v) => v.label), ['DNN', 'DDPG', 'HRL', 'HRL-MG']);
  const [alpha, M] = sweepPlans(plan);
  assert.equal(alpha.param, 'alpha');
  assert.deepEqual(alpha.points.map((p) => p.variant.id), ['hrl-mg-alpha0', 'hrl-mg-alpha0.25', 'hrl-mg', 'hrl-mg-alpha0.75', 'hrl-mg-alpha1']);
  assert.equal(alpha.points[0].variant.agent.alpha, 0);
  assert.equal(alpha.points[0].variant.agent.M, 2);
  assert.deepEqual(M.points.map((p) => p.variant.id), ['hrl', 'hrl-mg', 'hrl-mg-M3', 'hrl-mg-M4']);
  assert.equal(M.points[0].variant.method, 'hrl');
  assert.equal(runId(M.points[2].variant, 7), 'hrl-mg-M3-s7');
  // HRL-MG with alpha 0.3 as the main config: the 0.5 point is then a run of its own, M = 1 too
  const other = resolvePlan({ file: { agents: { 'hrl-mg': { alpha: 0.3 } } } });
  const [a2, m2] = sweepPlans(other);
  assert.equal(a2.points.find((p) => p.x === 0.5)!.variant.id, 'hrl-mg-alpha0.5');
  assert.equal(m2.points[0].variant.id, 'hrl-mg-M1');
  assert.equal(m2.points[0].variant.agent.alpha, 0.3);
  assert.deepEqual(sweepPlans(resolvePlan({ options: { sweeps: false } })), []);
});

test('CSV round trip with quotes, commas and newlines; NaN -> empty cell', () => {
  const rows = [
    { a: 'x,y', b: 1.5, c: 'say "hi"' },
    { a: 'multi\nline', b: NaN, c: null },
  ];
  const text = toCsv(rows);
  assert.equal(text.split('\n')[0], 'a,b,c');
  const back = parseCsv(text);
  assert.deepEqual(back, [
    { a: 'x,y', b: '1.5', c: 'say "hi"' },
    { a: 'multi\nline', b: '', c: '' },
  ]);
});

test('aggregate / statsOf: one value per seed, grouped', () => {
  const rows = [
    { label: 'A', length: 'long', reward: 1, seed: 0 },
    { label: 'A', length: 'long', reward: 3, seed: 1 },
    { label: 'B', length: 'long', reward: 10, seed: 0 },
  ];
  const agg = aggregate(rows, ['label', 'length'], ['reward']);
  assert.equal(agg.length, 2);
  assert.equal(agg[0].label, 'A');
  assert.equal(agg[0].n, 2);
  close(agg[0].mean, 2);
  close(agg[0].halfWidth, (12.706 * Math.SQRT2) / Math.SQRT2); // sd = sqrt(2), n = 2
  assert.equal(statsOf(rows, { label: 'B' }, 'reward').mean, 10);
});

test('errors crossing a worker keep their class (user errors stay exit-2 errors)', () => {
  const c = reviveError(serializeError(new ConfigError('env', 'T', 'must be >= 1')), 'job x');
  assert.ok(c instanceof ConfigError);
  assert.equal(c.message, 'env.T: must be >= 1');
  assert.ok(reviveError(serializeError(new InputError('f.csv', 3, 'bad')), 'job') instanceof InputError);
  assert.ok(reviveError(serializeError(new UsageError('u')), 'job') instanceof UsageError);
  const other = reviveError(serializeError(new RangeError('boom')), 'job y');
  assert.equal(other.name, 'RangeError');
  assert.match(other.message, /job y: boom/);
});

test('buildClaims / renderSummary on hand-made results: verdicts per claim and a table per figure', () => {
  // HRL-MG clearly best online (three seeds, tight), offline all equal -> inconclusive; alpha peaks at 0.5, M at 3
  const base = { backend: 'simulator', T: 50, sessions: 10, clicks: 5, clicksOnly: 4 };
  const level: Record<string, number> = { dnn: 1, ddpg: 2, hrl: 3, 'hrl-mg': 10 };
  const label: Record<string, string> = { dnn: 'DNN', ddpg: 'DDPG', hrl: 'HRL', 'hrl-mg': 'HRL-MG' };
  // Baselines move a little differently per seed, so paired differences have spread (claims need it).
  const jitter = (v: string, seed: number): number => (v === 'hrl-mg' || seed !== 1 ? 0 : 0.01 * level[v]);
  const online = [];
  const offline = [];
  for (const v of Object.keys(level)) {
    for (const seed of [0, 1, 2]) {
      for (const length of ['short', 'long']) {
        online.push({ ...base, run: `${v}-s${seed}`, variant: v, method: v, label: label[v], seed, length, reward: level[v] + 0.1 * seed + jitter(v, seed), orders: level[v] / 10 + 0.01 * seed + jitter(v, seed) / 10 });
      }
      offline.push({ run: `${v}-s${seed}`, variant: v, method: v, label: label[v], seed, sessions: 5, map: 0.3 + 0.01 * seed, 'ndcg@20': 0.4, 'ndcg@40': 0.5, loggedMap: 0.2, randomMap: 0.1 });
    }
  }
  const sweepRows = [];
  for (const [param, xs, best] of [['alpha', [0, 0.5, 1], 0.5], ['M', [1, 2, 3], 3]] as const) {
    for (const x of xs) {
      for (const seed of [0, 1, 2]) {
        for (const length of ['short', 'long']) {
          sweepRows.push({ ...base, param, x, run: `r${x}-s${seed}`, variant: `v${x}`, method: 'hrl-mg', label: 'HRL-MG', seed, length, reward: (x === best ? 10 : 5) + 0.1 * seed, orders: 1 });
        }
      }
    }
  }
  const header = { stage: 'x', hash: 'h', config: {}, seeds: [0, 1, 2], backend: {} as never, meta: {} as never };
  const res = {
    dir: '/tmp/x', data: null, simulator: null, figures: null, train: null,
    evaluate: { ...header, online, offline, onlineSummary: [], offlineSummary: [] },
    sweep: { ...header, rows: sweepRows, summary: [] },
  } as unknown as ReproduceResults;
  const claims = buildClaims(res);
  const byId = new Map(claims.map((c) => [c.id, c]));
  assert.equal(byId.get('online-long-simulator-reward-vs-hrl')!.verdict, 'held');
  assert.equal(byId.get('online-short-simulator-orders-vs-dnn')!.verdict, 'held');
  assert.equal(byId.get('offline-map-vs-hrl')!.verdict, 'inconclusive'); // identical per-seed values
  assert.match(byId.get('offline-map-vs-hrl')!.detail, /zero spread of the per-seed differences/);
  assert.equal(byId.get('other-online-long-reward-hrl-vs-ddpg')!.verdict, 'held');
  assert.equal(byId.get('sweep-alpha-long-simulator')!.verdict, 'held');
  assert.equal(byId.get('sweep-M-short-simulator')!.verdict, 'did not hold');
  assert.ok(![...byId.keys()].some((k) => k.includes('truth')), 'no ground-truth claims without ground-truth rows');
  const md = renderSummary(res, { claims, stages: [{ stage: 'train', status: 'ran', seconds: 12.5, computeSeconds: 20 }], about: ['hand-made'] });
  assert.match(md, /- HRL-MG beats HRL on total reward \(Fig\. 8\(a\)\): \*\*held\*\*/);
  assert.match(md, /\| HRL-MG \| 10\.10 ± 0\.25 \(n=3\)/); // mean 10.1, sd 0.1, t(2) 4.303 -> 0.248
  assert.match(md, /## Figure 10: sensitivity of M, long sessions/);
  assert.match(md, /\| train \| ran \| 12\.5 s \| 20\.0 s \|/);
  const t = tally(claims);
  assert.equal(t.held + t['did not hold'] + t.inconclusive + t['not tested'], claims.length);
});

test('a second reproduce on a locked output folder fails fast naming the holder, and writes nothing', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-lock-'));
  const lock = await acquireRunLock(out, { command: 'test holder' });
  try {
    const plan = resolvePlan({ quick: true, out });
    await assert.rejects(reproduce(plan, { print: () => {} }), (e: unknown) => e instanceof RunLockError && /test holder|pid/.test((e as Error).message));
    assert.deepEqual(fs.readdirSync(out).filter((f) => !f.startsWith('.hrlmg-lock')), []);
  } finally {
    lock.release();
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('claims need evidence: paired per-seed differences, at least 3 seeds with spread, effect sizes', () => {

  const by = (v: number[]): Map<number, number> => new Map(v.map((x, i) => [i, x]));
  assert.equal(MIN_SEEDS, 3);
  // n = 2 identical seed values: zero-width CIs, evidence of nothing (unpaired and paired).
  const two = judgeGreater(seedStats([5, 5]), seedStats([1, 1]), ['A', 'B']);
  assert.equal(two.verdict, 'inconclusive');
  assert.match(two.detail, /2 seeds for A \(at least 3 needed\)/);
  assert.equal(judgeGreater(seedStats([5, 5]), seedStats([1, 1]), ['A', 'B'], { a: by([5, 5]), b: by([1, 1]) }).verdict, 'inconclusive');
  // 3 seeds, zero spread on one side, unpaired: inconclusive (no estimate of the variation).
  const flat = judgeGreater(seedStats([9, 9, 9]), seedStats([1, 2, 3]), ['A', 'B']);
  assert.equal(flat.verdict, 'inconclusive');
  assert.match(flat.detail, /zero spread across the 3 seeds of A/);
  // Overlapping CIs, but a consistent per-seed gain: paired holds, unpaired is inconclusive.
  // A = B + 1 + small noise: diffs 1.0, 1.1, 0.9 -> mean 1, sd 0.1, CI 1 +- 4.303*0.1/sqrt(3) = [0.752, 1.248].
  const b = [10, 14, 18];
  const a = [11, 15.1, 18.9];
  const unpaired = judgeGreater(seedStats(a), seedStats(b), ['A', 'B']);
  assert.equal(unpaired.verdict, 'inconclusive');
  const paired = judgeGreater(seedStats(a), seedStats(b), ['A', 'B'], { a: by(a), b: by(b) });
  assert.equal(paired.verdict, 'held');
  assert.match(paired.detail, /paired over 3 seeds: A - B = 1\.0000? \[0\.7516, 1\.248\], effect \+1\.0000? \(\+7\.1%\), d_z = 10\.00/);
  assert.ok(paired.effect && paired.effect.paired);
  assert.ok(Math.abs((paired.effect as { dz: number }).dz - 10) < 1e-9); // mean 1 / sd 0.1
  assert.ok(Math.abs((paired.effect as { relative: number }).relative - 1 / 14) < 1e-12);
  // The opposite direction, paired: did not hold.
  assert.equal(judgeGreater(seedStats(b), seedStats(a), ['B', 'A'], { a: by(b), b: by(a) }).verdict, 'did not hold');
  // Paired differences that straddle 0: inconclusive, and the effect is still reported.
  const mixed = judgeGreater(seedStats([11, 13, 18.5]), seedStats(b), ['A', 'B'], { a: by([11, 13, 18.5]), b: by(b) });
  assert.equal(mixed.verdict, 'inconclusive');
  assert.match(mixed.detail, /contains 0/);
  // Identical per-seed differences: zero spread of the differences, inconclusive.
  const same = judgeGreater(seedStats([11, 15, 19]), seedStats(b), ['A', 'B'], { a: by([11, 15, 19]), b: by(b) });
  assert.equal(same.verdict, 'inconclusive');
  assert.match(same.detail, /zero spread of the per-seed differences/);
  // Non-overlapping CIs with 3 seeds and spread still decide unpaired; only common seeds pair.
  assert.equal(judgeGreater(seedStats([10, 11, 12]), seedStats([1, 2, 3]), ['A', 'B']).verdict, 'held');
  const pd = pairedDifference(new Map([[0, 1], [1, 2], [5, NaN], [7, 4]]), new Map([[1, 1], [7, 1], [0, 0]]));
  assert.deepEqual(pd.seeds, [0, 1, 7]);
  assert.deepEqual(pd.diffs, [1, 1, 3]);
  // Sweep points need 3 seeds with spread too.
  const p = (x: number, v: number[]) => ({ x, stats: seedStats(v) });
  assert.equal(judgePeak([p(1, [1, 1, 1]), p(2, [10, 11, 12])], (x) => x === 2, 'M').verdict, 'inconclusive');
  assert.equal(judgePeak([p(1, [1, 2]), p(2, [10, 11])], (x) => x === 2, 'M').verdict, 'inconclusive');
});
