import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cooccurrence,
  CsrBuilder,
  embeddingsFromCooccurrence,
  learnItemEmbeddings,
  orthonormalize,
  outcomeCounts,
  outcomePmi,
  ppmi,
  reservedDims,
  randomizedSvd,
  symmetricEigen,
  spmmT,
  withOutcomeTokens,
} from '../lib/data/embeddings';
import { resolvePrepareConfig } from '../lib/data/prepare';
import { EventLog, Feedback, ItemTable, LogBuilder } from '../lib/data/schema';
import { ConfigError } from '../lib/util/errors';
import { Rng } from '../lib/util/rng';

function items(n: number, category: (i: number) => number, nCategories: number): ItemTable {
  return {
    n,
    rawId: Float64Array.from({ length: n }, (_, i) => i),
    category: Int32Array.from({ length: n }, (_, i) => category(i)),
    nCategories,
    price: new Float32Array(n).fill(NaN),
    extra: {},
  };
}

test('co-occurrence by hand: window, feedback weights, harmonic distance, no diagonal', () => {
  const b = new LogBuilder();
  // session 0: a(click) b(skip) c(click); session 1: a a (self pairs are not counted), then b
  b.push(0, 0, 0, Feedback.Click, 1);
  b.push(0, 0, 1, Feedback.Skip, 2);
  b.push(0, 0, 2, Feedback.Click, 3);
  b.push(0, 1, 0, Feedback.Click, 10);
  b.push(0, 1, 0, Feedback.Order, 11);
  b.push(0, 1, 1, Feedback.Skip, 12);
  const log = b.build('t', items(3, () => 0, 1), 1, new Float64Array(1), 0);
  const c = cooccurrence(log, { window: 2, feedbackWeight: [0.5, 1, 3], distance: 'harmonic' });
  const dense = (i: number, j: number): number => {
    for (let p = c.indptr[i]; p < c.indptr[i + 1]; p++) if (c.indices[p] === j) return c.data[p];
    return 0;
  };
  // (a,b): 1*0.5/1 [s0] + 1*0.5/2 + 3*0.5/1 [s1] = 0.5 + 0.25 + 1.5; (a,c): 1*1/2; (b,c): 0.5*1/1
  assert.equal(dense(0, 1), 2.25);
  assert.equal(dense(1, 0), 2.25);
  assert.equal(dense(0, 2), 0.5);
  assert.equal(dense(2, 0), 0.5);
  assert.equal(dense(1, 2), 0.5);
  assert.equal(dense(0, 0), 0);
  assert.deepEqual([...c.indptr], [0, 2, 4, 6]);
  // window 1: a and c (distance 2) no longer co-occur
  const c1 = cooccurrence(log, { window: 1, feedbackWeight: [0.5, 1, 3], distance: 'uniform' });
  assert.equal(c1.indptr[1] - c1.indptr[0], 1);
});

test('PPMI by hand with context smoothing and shift', () => {
  // symmetric counts: C01 = 2, C02 = 1, C12 = 1
  const b = new CsrBuilder(3, 3);
  b.push(1, 2); b.push(2, 1); b.endRow();
  b.push(0, 2); b.push(2, 1); b.endRow();
  b.push(0, 1); b.push(1, 1); b.endRow();
  const c = b.build();
  const row = [3, 3, 2];
  const alpha = 0.75;
  const ctx = row.map((x) => Math.pow(x, alpha));
  const z = ctx.reduce((a, x) => a + x, 0);
  const m = ppmi(c, alpha);
  const expect = (i: number, j: number, v: number): number => Math.log((v * z) / (row[i] * ctx[j]));
  assert.ok(Math.abs(m.data[0] - expect(0, 1, 2)) < 1e-6);
  assert.ok(Math.abs(m.data[1] - expect(0, 2, 1)) < 1e-6);
  // with a large shift only the strongest association survives
  const k = Math.exp(expect(0, 2, 1) + 0.01);
  const ms = ppmi(c, alpha, k);
  assert.ok(ms.indptr[3] < m.indptr[3]);
  for (let p = 0; p < ms.indptr[3]; p++) assert.ok(ms.data[p] > 0);
});

test('Jacobi eigen-decomposition and orthonormalization are exact on small matrices', () => {
  const rng = new Rng(3);
  const m = 6;
  const x = Float64Array.from({ length: m * m }, () => rng.normal());
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) a[i * m + j] += x[k * m + i] * x[k * m + j];
  const { values, vectors } = symmetricEigen(a, m);
  for (let c = 0; c < m; c++) {
    if (c > 0) assert.ok(values[c] <= values[c - 1]);
    for (let i = 0; i < m; i++) {
      let av = 0;
      for (let j = 0; j < m; j++) av += a[i * m + j] * vectors[j * m + c];
      assert.ok(Math.abs(av - values[c] * vectors[i * m + c]) < 1e-9, `A v = lambda v (col ${c})`);
    }
  }
  const q = orthonormalize(Float64Array.from({ length: 20 * 4 }, () => rng.normal()), 20, 4);
  for (let c = 0; c < 4; c++) for (let d = 0; d < 4; d++) {
    let dot = 0;
    for (let i = 0; i < 20; i++) dot += q[i * 4 + c] * q[i * 4 + d];
    assert.ok(Math.abs(dot - (c === d ? 1 : 0)) < 1e-12);
  }
});

test('randomized SVD recovers the top singular values of a sparse matrix', () => {
  const rng = new Rng(11);
  const n = 40;
  const b = new CsrBuilder(n, n);
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (rng.random() < 0.3) {
        const v = Math.fround(rng.random() * (i < 10 && j < 10 ? 5 : 1));
        b.push(j, v);
        dense[i * n + j] = v;
      }
    }
    b.endRow();
  }
  const a = b.build();
  // exact: singular values = sqrt(eig(A A^T))
  const aat = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) aat[i * n + j] += dense[i * n + k] * dense[j * n + k];
  const exact = symmetricEigen(aat, n).values.map(Math.sqrt);
  const k = 5;
  const { U, S } = randomizedSvd(a, k, { oversample: 10, powerIters: 4, rng: new Rng(1) });
  for (let c = 0; c < k; c++) assert.ok(Math.abs(S[c] - exact[c]) / exact[c] < 1e-6, `sigma ${c}: ${S[c]} vs ${exact[c]}`);
  // U columns are unit length and ||A^T u|| = sigma (a true left singular vector)
  for (let c = 0; c < k; c++) {
    const u = Float64Array.from({ length: n }, (_, i) => U[i * k + c]);
    assert.ok(Math.abs(Math.hypot(...u) - 1) < 1e-9);
    assert.ok(Math.abs(Math.hypot(...spmmT(a, u, 1)) - S[c]) / S[c] < 1e-6);
  }
});

/** Two clusters of items that only co-occur within their cluster. */
function clusterLog(nPerCluster: number, sessions: number, seed: number): EventLog {
  const rng = new Rng(seed);
  const b = new LogBuilder();
  for (let s = 0; s < sessions; s++) {
    const cluster = s % 2;
    const len = 6 + rng.int(6);
    for (let t = 0; t < len; t++) {
      const i = cluster * nPerCluster + rng.int(nPerCluster);
      b.push(s % 50, s, i, rng.random() < 0.3 ? Feedback.Click : Feedback.Skip, s * 1000 + t);
    }
  }
  return b.build('clusters', items(2 * nPerCluster, (i) => (i < nPerCluster ? 0 : 1), 2), 50, new Float64Array(50), 0);
}

function meanCos(emb: Float32Array, E: number, n: number, half: number): { same: number; cross: number } {
  let same = 0, cross = 0, ns = 0, nc = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d = 0, ni = 0, nj = 0;
      for (let c = 0; c < E; c++) {
        d += emb[i * E + c] * emb[j * E + c];
        ni += emb[i * E + c] ** 2;
        nj += emb[j * E + c] ** 2;
      }
      const cos = d / Math.sqrt(ni * nj);
      if ((i < half) === (j < half)) { same += cos; ns++; } else { cross += cos; nc++; }
    }
  }
  return { same: same / ns, cross: cross / nc };
}

test('embeddings separate two co-occurrence clusters; [nItems, 50]; unit rows; deterministic per seed', () => {
  const log = clusterLog(30, 400, 5);
  const cfg = resolvePrepareConfig({ seed: 7 });
  const { embeddings, info } = learnItemEmbeddings(log, cfg);
  assert.equal(embeddings.length, 60 * 50);
  assert.equal(info.dim, 50);
  assert.equal(info.fallbackItems, 0);
  for (let i = 0; i < 60; i++) {
    const norm = Math.hypot(...embeddings.subarray(i * 50, (i + 1) * 50));
    assert.ok(Math.abs(norm - 1) < 1e-5);
  }
  const { same, cross } = meanCos(embeddings, 50, 60, 30);
  assert.ok(same > 0.1 && Math.abs(cross) < 0.01, `same ${same} cross ${cross}`);
  // every item's nearest neighbour is in its own cluster
  for (let i = 0; i < 60; i++) {
    let best = -1, bestDot = -Infinity;
    for (let j = 0; j < 60; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < 50; c++) d += embeddings[i * 50 + c] * embeddings[j * 50 + c];
      if (d > bestDot) { bestDot = d; best = j; }
    }
    assert.equal(best < 30, i < 30, `nearest neighbour of ${i} is ${best}`);
  }
  // low dimension: the cluster structure dominates
  const low = learnItemEmbeddings(log, resolvePrepareConfig({ seed: 7, embeddingDim: 4 }));
  const lc = meanCos(low.embeddings, 4, 60, 30);
  assert.ok(lc.same > 0.5 && Math.abs(lc.cross) < 0.05, `same ${lc.same} cross ${lc.cross}`);
  // deterministic
  const again = learnItemEmbeddings(log, cfg);
  assert.deepEqual(Buffer.from(again.embeddings.buffer), Buffer.from(embeddings.buffer));
  assert.deepEqual(again.info.singularValues, info.singularValues);
});

test('items that never co-occur get their category mean (plus noise); dim >= nItems is a ConfigError', () => {
  const log = clusterLog(10, 100, 2);
  // append an item of category 0 that is shown alone in its own one-row session
  const it = items(21, (i) => (i < 10 || i === 20 ? 0 : 1), 2);
  const b = new LogBuilder();
  for (let r = 0; r < log.item.length; r++) b.push(log.user[r], log.session[r], log.item[r], log.feedback[r], log.ts[r]);
  b.push(0, 9999, 20, Feedback.Click, 1e9);
  const log2 = b.build('fb', it, 50, new Float64Array(50), 0);
  const E = 4;
  const { embeddings, info } = learnItemEmbeddings(log2, resolvePrepareConfig({ embeddingDim: E, embFallbackNoise: 0.05 }));
  assert.equal(info.fallbackItems, 1);
  const v = embeddings.subarray(20 * E, 21 * E);
  const mean = new Float64Array(E);
  for (let i = 0; i < 10; i++) for (let c = 0; c < E; c++) mean[c] += embeddings[i * E + c] / 10;
  const cos = v.reduce((s, x, c) => s + x * mean[c], 0) / Math.hypot(...mean);
  assert.ok(cos > 0.95, `cosine with the category mean ${cos}`);
  assert.throws(() => learnItemEmbeddings(log, resolvePrepareConfig({ embeddingDim: 20 })), (e: unknown) => e instanceof ConfigError && e.key === 'embeddingDim');
});

// ---- engagement extension: outcome counts, outcome PMI block, outcome tokens ----------------------

test('outcome counts, smoothed outcome PMI block and outcome tokens by hand', () => {
  const b = new LogBuilder();
  // item 0: skip skip skip click; item 1: order; item 2 never shown
  b.push(0, 0, 0, Feedback.Skip, 1);
  b.push(0, 0, 1, Feedback.Order, 2);
  b.push(0, 0, 0, Feedback.Skip, 3);
  b.push(0, 0, 0, Feedback.Click, 4);
  b.push(0, 1, 0, Feedback.Skip, 10);
  const log = b.build('t', items(3, () => 0, 1), 1, new Float64Array(1), 0);
  const counts = outcomeCounts(log);
  assert.deepEqual([...counts], [3, 1, 0, 0, 0, 1, 0, 0, 0]);
  // P(f) = [3/5, 1/5, 1/5]; smoothing s = 2: P~(f|i) = (count + 2 P(f)) / (n_i + 2)
  const P = [0.6, 0.2, 0.2];
  const pmi = outcomePmi(counts, 2, [1, 1, 0.5]);
  assert.equal(pmi.rows, 3);
  assert.equal(pmi.cols, 3);
  assert.deepEqual([...pmi.indptr], [0, 3, 6, 9]);
  const want = [
    [Math.log((3 + 1.2) / 6 / P[0]), Math.log((1 + 0.4) / 6 / P[1]), 0.5 * Math.log(0.4 / 6 / P[2])],
    [Math.log(1.2 / 3 / P[0]), Math.log(0.4 / 3 / P[1]), 0.5 * Math.log((1 + 0.4) / 3 / P[2])],
    [0, 0, 0], // never shown: the smoothed rate is the global share
  ];
  for (let i = 0; i < 3; i++) for (let f = 0; f < 3; f++) assert.ok(Math.abs(pmi.data[i * 3 + f] - want[i][f]) < 1e-6, `PMI(${i}, ${f}) = ${pmi.data[i * 3 + f]}, want ${want[i][f]}`);
  assert.ok(want[0][1] > 0 && want[1][1] < 0 && want[1][2] > 0, 'signed: above-average rates positive, below negative');
  assert.throws(() => outcomePmi(counts, 0), /smoothing must be > 0/);

  // tokens: (n+3) x (n+3), symmetric, C(i, n+f) = count(i, f) * weight[f], zeros left out
  const cooc = cooccurrence(log, { window: 1, feedbackWeight: [1, 1, 1], distance: 'uniform' });
  const t = withOutcomeTokens(cooc, counts, [0.5, 1, 2]);
  assert.equal(t.rows, 6);
  assert.equal(t.cols, 6);
  const dense = (i: number, j: number): number => {
    for (let p = t.indptr[i]; p < t.indptr[i + 1]; p++) if (t.indices[p] === j) return t.data[p];
    return 0;
  };
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) assert.equal(dense(i, j), dense(j, i), `symmetric at ${i},${j}`);
  assert.equal(dense(0, 1), 2); // item-item part unchanged: (0,1) adjacent twice in session 0
  assert.equal(dense(0, 3), 1.5);
  assert.equal(dense(0, 4), 1);
  assert.equal(dense(0, 5), 0);
  assert.equal(dense(1, 5), 2);
  assert.equal(dense(3, 4), 0);
  assert.equal(t.indptr[3] - t.indptr[2], 0, 'item 2 has no entries');
  for (let i = 0; i < 6; i++) for (let p = t.indptr[i] + 1; p < t.indptr[i + 1]; p++) assert.ok(t.indices[p] > t.indices[p - 1], 'columns ascending');
});

/**
 * Two co-occurrence clusters; in each, every 4th item is "hot": clicked with probability 0.6 (a
 * fifth of those clicks ordered) against 0.08 for the others.
 */
function engagementLog(nPerCluster: number, sessions: number, seed: number): { log: EventLog; hot: (i: number) => boolean } {
  const rng = new Rng(seed);
  const b = new LogBuilder();
  const hot = (i: number): boolean => i % 4 === 0;
  for (let s = 0; s < sessions; s++) {
    const cluster = s % 2;
    const len = 6 + rng.int(6);
    for (let t = 0; t < len; t++) {
      const i = cluster * nPerCluster + rng.int(nPerCluster);
      const x = rng.random();
      const pc = hot(i) ? 0.6 : 0.08;
      b.push(s % 50, s, i, x < pc * 0.2 ? Feedback.Order : x < pc ? Feedback.Click : Feedback.Skip, s * 1000 + t);
    }
  }
  return { log: b.build('engagement', items(2 * nPerCluster, (i) => (i < nPerCluster ? 0 : 1), 2), 50, new Float64Array(50), 0), hot };
}

/** AUC of score(i) = cos(e_i, mean of the other hot items) - cos(e_i, mean of the other cold items) for hot vs cold. */
function hotAuc(emb: Float32Array, E: number, n: number, hot: (i: number) => boolean): number {
  const cos = (a: Float64Array, i: number): number => {
    let d = 0, na = 0, ne = 0;
    for (let c = 0; c < E; c++) {
      d += a[c] * emb[i * E + c];
      na += a[c] ** 2;
      ne += emb[i * E + c] ** 2;
    }
    return d / Math.sqrt(na * ne);
  };
  const score: number[] = [];
  for (let i = 0; i < n; i++) {
    const mh = new Float64Array(E), mc = new Float64Array(E);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const m = hot(j) ? mh : mc;
      for (let c = 0; c < E; c++) m[c] += emb[j * E + c];
    }
    score.push(cos(mh, i) - cos(mc, i));
  }
  let win = 0, pairs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (hot(i) && !hot(j)) {
    pairs++;
    win += score[i] > score[j] ? 1 : score[i] === score[j] ? 0.5 : 0;
  }
  return win / pairs;
}

test('engagement: reserved outcome dims separate high-click items; weight 0 is the plain PPMI-SVD byte for byte', () => {
  const { log, hot } = engagementLog(30, 600, 3);
  const n = 60, E = 20;
  const base = { seed: 5, embeddingDim: E };
  const plain = learnItemEmbeddings(log, resolvePrepareConfig({ ...base, embOutcomeWeight: 0 }));
  assert.equal(plain.info.outcomes, null);
  // weight 0 = the co-occurrence pipeline written out (no fallback items here), in both modes
  const rng = new Rng(5).fork('embeddings');
  const m = ppmi(cooccurrence(log, { window: 5, feedbackWeight: [0.2, 1, 1], distance: 'harmonic' }), 0.75, 1);
  const { U, S } = randomizedSvd(m, E, { oversample: 10, powerIters: 3, rng: rng.fork('svd') });
  const manual = new Float32Array(n * E);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < E; c++) manual[i * E + c] = U[i * E + c] * Math.sqrt(S[c]);
    let s2 = 0;
    for (let c = 0; c < E; c++) s2 += manual[i * E + c] ** 2;
    for (let c = 0; c < E; c++) manual[i * E + c] *= 1 / Math.sqrt(s2);
  }
  assert.ok(Buffer.from(plain.embeddings.buffer).equals(Buffer.from(manual.buffer)), 'weight 0 = plain PPMI + SVD');
  const tok0 = learnItemEmbeddings(log, resolvePrepareConfig({ ...base, embOutcomeWeight: 0, embOutcomeMode: 'tokens' }));
  assert.ok(Buffer.from(tok0.embeddings.buffer).equals(Buffer.from(manual.buffer)), 'tokens mode, weight 0');
  const zeroTokens = learnItemEmbeddings(log, resolvePrepareConfig({ ...base, embOutcomeWeight: 3, embOutcomeTokenWeights: [0, 0, 0] }));
  assert.ok(Buffer.from(zeroTokens.embeddings.buffer).equals(Buffer.from(manual.buffer)), 'all outcome weights 0');

  const aucPlain = hotAuc(plain.embeddings, E, n, hot);
  const eng = learnItemEmbeddings(log, resolvePrepareConfig({ ...base, embOutcomeWeight: 1, embOutcomeMode: 'reserved', embOutcomeDims: 3 }));
  const aucEng = hotAuc(eng.embeddings, E, n, hot);
  assert.equal(aucEng, 1, `reserved dims: every hot item scores above every cold one (weight 0: AUC ${aucPlain})`);
  assert.ok(aucPlain < 0.9, `without outcomes the co-occurrence hardly tells hot items (AUC ${aucPlain})`);
  // the cluster structure survives: every nearest neighbour in its own cluster
  const { same, cross } = meanCos(eng.embeddings, E, n, 30);
  assert.ok(same > 0.1 && same > cross + 0.1, `same ${same} cross ${cross}`);
  for (let i = 0; i < n; i++) {
    let best = -1, bestDot = -Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < E; c++) d += eng.embeddings[i * E + c] * eng.embeddings[j * E + c];
      if (d > bestDot) { bestDot = d; best = j; }
    }
    assert.equal(best < 30, i < 30, `nearest neighbour of ${i} is ${best}`);
  }
  // the first E - 3 dims are the co-occurrence SVD with E - 3 dims; the reserved dims' energy is
  // weight x that of an average co-occurrence dim (unnormalised rows: energy of a dim = its sigma x scale^2)
  const w = 2.5;
  const raw = learnItemEmbeddings(log, resolvePrepareConfig({ ...base, embOutcomeWeight: w, embNormalize: 'none' }));
  const o = raw.info.outcomes;
  assert.ok(o && o.mode === 'reserved' && o.dims === 3 && o.singularValues.length === 3);
  assert.equal(raw.info.singularValues.length, E - 3);
  const energy = (c: number): number => {
    let s2 = 0;
    for (let i = 0; i < n; i++) s2 += raw.embeddings[i * E + c] ** 2;
    return s2;
  };
  let co = 0, re = 0;
  for (let c = 0; c < E - 3; c++) co += energy(c) / (E - 3);
  for (let c = E - 3; c < E; c++) re += energy(c) / 3;
  assert.ok(Math.abs(re / co - w) < 1e-4, `reserved / co-occurrence energy ${re / co}, want ${w}`);
  // deterministic
  const again = learnItemEmbeddings(log, resolvePrepareConfig({ ...base, embOutcomeWeight: 1, embOutcomeMode: 'reserved', embOutcomeDims: 3 }));
  assert.ok(Buffer.from(again.embeddings.buffer).equals(Buffer.from(eng.embeddings.buffer)));
});

test('engagement: outcome tokens extend the factorised matrix; their weight is relative to the co-occurrence mass', () => {
  const { log, hot } = engagementLog(30, 600, 3);
  const n = 60, E = 20;
  const cfg = resolvePrepareConfig({ seed: 5, embeddingDim: E, embOutcomeMode: 'tokens', embOutcomeWeight: 1 });
  const { embeddings, info } = learnItemEmbeddings(log, cfg);
  assert.equal(embeddings.length, n * E);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(Math.hypot(...embeddings.subarray(i * E, (i + 1) * E)) - 1) < 1e-5);
  const o = info.outcomes;
  assert.ok(o && o.mode === 'tokens');
  // per-impression weight = 1 x (co-occurrence mass / impressions)
  const cooc = cooccurrence(log, { window: 5, feedbackWeight: [0.2, 1, 1], distance: 'harmonic' });
  let mass = 0;
  for (let p = 0; p < cooc.indptr[n]; p++) mass += cooc.data[p];
  for (const x of o.weightPerImpression) assert.ok(Math.abs(x - mass / log.item.length) < 1e-9);
  // the same through the shared half with the counts passed in
  const again = embeddingsFromCooccurrence(cooc, outcomeCounts(log), log.items, cfg);
  assert.ok(Buffer.from(again.embeddings.buffer).equals(Buffer.from(embeddings.buffer)));
  assert.ok(hotAuc(embeddings, E, n, hot) > 0.9, `tokens separate hot items: AUC ${hotAuc(embeddings, E, n, hot)}`);
});

test('engagement config: reserved dims capped at a quarter of the dimension; three token weights; counts must match the items', () => {
  assert.deepEqual([4, 3, 8, 11, 12, 50].map((E) => reservedDims(3, E)), [1, 0, 2, 2, 3, 3]);
  assert.equal(reservedDims(1, 50), 1);
  const small = clusterLog(10, 100, 4);
  const e2 = learnItemEmbeddings(small, resolvePrepareConfig({ embeddingDim: 2, embOutcomeWeight: 1 }));
  assert.equal(e2.info.outcomes, null, 'embeddingDim 2: nothing reserved');
  assert.ok(Buffer.from(e2.embeddings.buffer).equals(Buffer.from(learnItemEmbeddings(small, resolvePrepareConfig({ embeddingDim: 2, embOutcomeWeight: 0 })).embeddings.buffer)));
  const e5 = learnItemEmbeddings(small, resolvePrepareConfig({ embeddingDim: 5, embOutcomeWeight: 1 }));
  assert.equal(e5.info.outcomes?.mode === 'reserved' && e5.info.outcomes.dims, 1);
  assert.throws(() => resolvePrepareConfig({ embOutcomeTokenWeights: [1, 1] }), (e: unknown) => e instanceof ConfigError && e.key === 'embOutcomeTokenWeights');
  assert.throws(() => resolvePrepareConfig({ embOutcomeSmoothing: 0 }), (e: unknown) => e instanceof ConfigError && e.key === 'embOutcomeSmoothing');
  const log = clusterLog(10, 50, 1);
  const cooc = cooccurrence(log, { window: 2, feedbackWeight: [1, 1, 1], distance: 'uniform' });
  assert.throws(() => embeddingsFromCooccurrence(cooc, new Float64Array(5), log.items, resolvePrepareConfig({ embeddingDim: 4 })), /outcome counts/);
});
