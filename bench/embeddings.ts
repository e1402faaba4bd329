/**
 * How much the item embeddings tell about item engagement, per outcome-token weight
 * (prepare.embOutcomeWeight, lib/data/embeddings/outcomeTokens.ts), on the default world:
 *
 *   node dist/bench/embeddings.js [--impressions 200000] [--weights 0,0.3,1,3,10] [--tokens 1,1,1]
 *   node dist/bench/embeddings.js --learn 0 [--method dnn] [--sessions 1280] [--testSessions 256]   (one agent run)
 *
 * Table (one row per weight; the dataset is prepared once, only the embeddings are re-learned):
 *  - R2 of a linear probe (least squares on the E dims + intercept) for each item's smoothed reward
 *    rate ((rewards + 20 prior) / (impressions + 20), rewards skip 0 / click 1 / order 5) and click
 *    rate (orders count as clicks): `train` = fitted to the training-day rates (in-sample), `test` =
 *    fitted to the TEST-day rates (in-sample; E+1 parameters on ~5k items, so ~0.01 is the noise
 *    floor), `tr->te` = fitted to the training-day rates and scored (after a linear calibration, i.e.
 *    squared correlation) on the test-day rates: out of sample in time, as the embeddings only saw
 *    the training day. Reference `identity`: the training-day rate itself as that predictor (the
 *    test day has ~11 impressions an item, so its rates are mostly noise: this is the ceiling).
 *  - R2 of the probe for the world's hidden item attributes (quality, clickbait, popularity).
 *  - category structure: mean cosine of same-category vs cross-category item pairs, and the share of
 *    items whose nearest neighbour (cosine) is of their own category.
 * `--learn w`: the agent (`--method`, default DNN) trained on the ground-truth backend (1,280 sessions, B 64, T 50) and
 * its online test (test split, seed 7, 256 sessions) beside RandomPolicy, with embOutcomeWeight w.
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/backend';
import type { AgentMethod } from '../lib/agents/agentConfig';
import { createAgent } from '../lib/agents/factory';
import { RandomPolicy } from '../lib/agents/randomPolicy';
import { train, trainEnvFactory } from '../lib/agents/trainer';
import { learnItemEmbeddings } from '../lib/data/embeddings';
import { PrepareConfig, prepareDataset, resolvePrepareConfig } from '../lib/data/prepare';
import { EventLog, Feedback } from '../lib/data/schema';
import { generateWorld } from '../lib/data/world';
import { onlineTest } from '../lib/eval/onlineTest';
import { RecEnv } from '../lib/sim/recEnv';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { Rng } from '../lib/util/rng';

const SMOOTH = 20;
const REWARDS = [0, 1, 5];

/** Smoothed per-item reward rate (rewards per feedback REWARD) and click rate of a split [n] each. */
function itemRates(log: EventLog, n: number, REWARD: number[] = REWARDS): { reward: Float64Array; click: Float64Array; impressions: Float64Array } {
  const imp = new Float64Array(n), rew = new Float64Array(n), clk = new Float64Array(n);
  let R = 0, C = 0;
  for (let r = 0; r < log.item.length; r++) {
    const i = log.item[r], f = log.feedback[r];
    imp[i]++;
    rew[i] += REWARD[f];
    R += REWARD[f];
    if (f !== Feedback.Skip) {
      clk[i]++;
      C++;
    }
  }
  const rows = log.item.length;
  const reward = new Float64Array(n), click = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    reward[i] = (rew[i] + SMOOTH * (R / rows)) / (imp[i] + SMOOTH);
    click[i] = (clk[i] + SMOOTH * (C / rows)) / (imp[i] + SMOOTH);
  }
  return { reward, click, impressions: imp };
}

/** Least squares of y on [X, 1] (X [n x E]); returns the fitted values. Tiny ridge for stability. */
function fitLinear(X: Float32Array, E: number, y: ArrayLike<number>): (Xr: Float32Array) => Float64Array {
  const n = y.length, d = E + 1;
  const A = new Float64Array(d * d), b = new Float64Array(d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < E; c++) row[c] = X[i * E + c];
    row[E] = 1;
    for (let p = 0; p < d; p++) {
      b[p] += row[p] * y[i];
      for (let q = p; q < d; q++) A[p * d + q] += row[p] * row[q];
    }
  }
  for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) A[p * d + q] = A[q * d + p];
  for (let p = 0; p < d; p++) A[p * d + p] += 1e-9 * (A[p * d + p] + 1);
  // Cholesky solve
  const L = new Float64Array(d * d);
  for (let p = 0; p < d; p++) {
    for (let q = 0; q <= p; q++) {
      let s = A[p * d + q];
      for (let k = 0; k < q; k++) s -= L[p * d + k] * L[q * d + k];
      L[p * d + q] = p === q ? Math.sqrt(Math.max(s, 1e-300)) : s / L[q * d + q];
    }
  }
  const z = new Float64Array(d), w = new Float64Array(d);
  for (let p = 0; p < d; p++) {
    let s = b[p];
    for (let k = 0; k < p; k++) s -= L[p * d + k] * z[k];
    z[p] = s / L[p * d + p];
  }
  for (let p = d - 1; p >= 0; p--) {
    let s = z[p];
    for (let k = p + 1; k < d; k++) s -= L[k * d + p] * w[k];
    w[p] = s / L[p * d + p];
  }
  return (Xr) => {
    const m = Xr.length / E;
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = w[E];
      for (let c = 0; c < E; c++) s += w[c] * Xr[i * E + c];
      out[i] = s;
    }
    return out;
  };
}

function r2(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i];
  mean /= y.length;
  let ss = 0, st = 0;
  for (let i = 0; i < y.length; i++) {
    ss += (y[i] - pred[i]) ** 2;
    st += (y[i] - mean) ** 2;
  }
  return 1 - ss / st;
}

/** Squared correlation = R2 of a linear calibration of `pred` to `y` (scale-free). */
function corr2(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  return probe(Float32Array.from(pred), 1, y, y);
}

/** R2 of the probe fitted on `fitY` and scored on `y` (fitY = y: in-sample). */
function probe(X: Float32Array, E: number, fitY: ArrayLike<number>, y: ArrayLike<number>): number {
  return r2(fitLinear(X, E, fitY)(X), y);
}

/** Mean cosine of same- vs cross-category pairs (exact, via category sums) and nearest-neighbour category accuracy. */
function categoryStructure(emb: Float32Array, E: number, category: Int32Array, nCat: number): { same: number; cross: number; nn: number } {
  const n = category.length;
  const u = new Float32Array(n * E);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < E; c++) s += emb[i * E + c] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < E; c++) u[i * E + c] = emb[i * E + c] * inv;
  }
  const catSum = new Float64Array(nCat * E), all = new Float64Array(E), cnt = new Float64Array(nCat);
  for (let i = 0; i < n; i++) {
    cnt[category[i]]++;
    for (let c = 0; c < E; c++) {
      catSum[category[i] * E + c] += u[i * E + c];
      all[c] += u[i * E + c];
    }
  }
  let sameSum = 0, samePairs = 0, catSq = 0, sqN = 0;
  for (let k = 0; k < nCat; k++) {
    let s = 0;
    for (let c = 0; c < E; c++) s += catSum[k * E + c] ** 2;
    catSq += s;
    sameSum += s - cnt[k];
    samePairs += cnt[k] * (cnt[k] - 1);
    sqN += cnt[k] * cnt[k];
  }
  let allSq = 0;
  for (let c = 0; c < E; c++) allSq += all[c] ** 2;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    let best = -Infinity, bj = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < E; c++) d += u[i * E + c] * u[j * E + c];
      if (d > best) {
        best = d;
        bj = j;
      }
    }
    if (category[bj] === category[i]) hit++;
  }
  return { same: sameSum / samePairs, cross: (allSq - catSq) / (n * n - sqN), nn: hit / n };
}

const f3 = (x: number): string => x.toFixed(3).padStart(7);

async function learnRun(method: AgentMethod, prep: Partial<PrepareConfig>, impressions: number, sessions: number, testSessions: number): Promise<void> {
  await initBackend();
  const { world, log } = generateWorld({ trainImpressions: impressions });
  const ds = await prepareDataset(log, prep);
  const backend = new TrueModelBackend(world, ds);
  const t0 = Date.now();
  const agent = createAgent(method, ds.embeddings, {}, new Rng(1));
  await train(agent, trainEnvFactory(ds, backend, { batchSize: 64, T: 50 }), { sessions, progress: false });
  const trainSec = (Date.now() - t0) / 1000;
  const env = new RecEnv(ds, backend, { batchSize: 64, T: 50, split: 'test', seed: 7 });
  const dnn = onlineTest(agent, env, { sessions: testSessions });
  const rnd = onlineTest(new RandomPolicy(new Rng(3)), env, { sessions: testSessions });
  const s = (r: typeof dnn): string => `reward ${r.reward.mean.toFixed(2)} +- ${r.reward.ci95.halfWidth.toFixed(2)}  clicks ${r.clicks.mean.toFixed(2)}  orders ${r.orders.mean.toFixed(3)}`;
  console.log(`prepare ${JSON.stringify(prep)}: ${method} trained ${sessions} sessions in ${trainSec.toFixed(0)} s; online test (test split, seed 7, ${testSessions} sessions, T 50)`);
  console.log(`  ${method.padEnd(7)} ${s(dnn)}`);
  console.log(`  random  ${s(rnd)}`);
  // paired difference (common random numbers: same users, starts, pools, uniforms)
  const d = dnn.perSession.reward.map((x, k) => x - rnd.perSession.reward[k]);
  const md = d.reduce((a, x) => a + x, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - md) ** 2, 0) / (d.length - 1));
  console.log(`  ${method} - random (paired): ${md.toFixed(2)} +- ${(1.97 * sd / Math.sqrt(d.length)).toFixed(2)} (95%)`);
  agent.dispose();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      impressions: { type: 'string', default: '200000' },
      weights: { type: 'string', default: '0,0.3,1,3,10' },
      tokens: { type: 'string', default: '1,1,1' },
      modes: { type: 'string', default: 'reserved,tokens' },
      dims: { type: 'string', default: '3' },
      learn: { type: 'string' },
      method: { type: 'string', default: 'dnn' },
      sessions: { type: 'string', default: '1280' },
      testSessions: { type: 'string', default: '256' },
    },
  });
  const tokenSets = String(values.tokens).split(';').map((t) => t.split(',').map(Number));
  const tokens = tokenSets[0];
  const modes = String(values.modes).split(',') as ('reserved' | 'tokens')[];
  const dims = String(values.dims).split(',').map(Number);
  if (values.learn !== undefined) {
    const prep: Partial<PrepareConfig> = { embOutcomeWeight: Number(values.learn), embOutcomeMode: modes[0], embOutcomeDims: dims[0], embOutcomeTokenWeights: tokens };
    await learnRun(String(values.method) as AgentMethod, prep, Number(values.impressions), Number(values.sessions), Number(values.testSessions));
    return;
  }
  const { log } = generateWorld({ trainImpressions: Number(values.impressions) });
  const ds = await prepareDataset(log, {});
  const n = ds.items.n;
  const tr = itemRates(ds.train.log, n);
  const te = itemRates(ds.test.log, n);
  const ex = ds.items.extra;
  const cfgE = resolvePrepareConfig({}).embeddingDim;
  const hidden = { quality: ex.quality, clickbait: ex.clickbait, popularity: ex.popularity };
  console.log(`default world (${values.impressions} training impressions): ${n} items, ${ds.items.nCategories} categories; train ${ds.train.log.item.length} rows, test ${ds.test.log.item.length} rows`);
  console.log(`item rates smoothed (x + ${SMOOTH} prior) / (impressions + ${SMOOTH}), rewards 0/1/5; R2 of a linear probe on the embedding (+ intercept)`);
  // reference: the training-day rate as the predictor of the test-day rate (linear calibration)
  console.log(`reference "identity" (train-day rate -> test-day rate, R2 after linear calibration): reward ${corr2(tr.reward, te.reward).toFixed(3)}, click ${corr2(tr.click, te.click).toFixed(3)}`);
  console.log(`reference: probe noise floor ~ ${(cfgE / n).toFixed(3)} (E + 1 parameters on ${n} items)`);
  // reference: the training-day rates themselves (click, order, reward) as the probe's features
  {
    const o = itemRates(ds.train.log, n, [0, 0, 1]); // o.reward = order rate
    const R = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) R.set([tr.click[i], o.reward[i], tr.reward[i]], i * 3);
    const hd = Object.values(hidden).map((y) => probe(R, 3, y, y));
    console.log(`reference "rates" (the 3 train-day rates click / order / reward as features): hidden R2 quality ${hd[0].toFixed(3)}, clickbait ${hd[1].toFixed(3)}, popularity ${hd[2].toFixed(3)}`);
  }
  console.log('');
  console.log('weight mode   outc.w  | reward R2: train  test tr->te | click R2: train  test tr->te | hidden R2: quality clickbait popularity | cos same  cross  nn-cat | sigma1  sigmaE  sec');
  const variants: { mode: 'reserved' | 'tokens'; k: number; tk: number[]; w: number }[] = [];
  for (const w of String(values.weights).split(',').map(Number)) {
    if (w === 0) variants.push({ mode: 'reserved', k: 0, tk: tokenSets[0], w });
    else for (const mode of modes) for (const k of mode === 'reserved' ? dims : [0]) for (const tk of tokenSets) variants.push({ mode, k, tk, w });
  }
  for (const { mode, k, tk, w } of variants) {
    const cfg = resolvePrepareConfig({ embOutcomeWeight: w, embOutcomeMode: mode, embOutcomeDims: Math.max(k, 1), embOutcomeTokenWeights: tk });
    const { embeddings: X, info } = learnItemEmbeddings(ds.train.log, cfg);
    const E = cfg.embeddingDim;
    const fitTr = (y: Float64Array): (Xr: Float32Array) => Float64Array => fitLinear(X, E, y);
    const rw = [probe(X, E, tr.reward, tr.reward), probe(X, E, te.reward, te.reward), corr2(fitTr(tr.reward)(X), te.reward)];
    const ck = [probe(X, E, tr.click, tr.click), probe(X, E, te.click, te.click), corr2(fitTr(tr.click)(X), te.click)];
    const hd = Object.values(hidden).map((y) => probe(X, E, y, y));
    const cs = categoryStructure(X, E, ds.items.category, ds.items.nCategories);
    console.log(
      `${String(w).padEnd(6)} ${(w === 0 ? '-' : mode === 'reserved' ? `res${k}` : 'tokens').padEnd(6)} ${tk.join(',').padEnd(7)} | ${rw.map(f3).join('')}       | ${ck.map(f3).join('')}      | ${hd.map(f3).join('   ')}         | ${f3(cs.same)}${f3(cs.cross)}${f3(cs.nn)} | ${info.singularValues[0].toFixed(1).padStart(6)} ${info.singularValues[info.singularValues.length - 1].toFixed(1).padStart(6)} ${info.seconds.toFixed(1).padStart(5)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
