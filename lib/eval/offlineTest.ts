/**
 * Offline test (paper Appendix C.2, Algorithm 4; metrics of Section 4.1): the policy re-ranks each
 * logged test session's own items, and the new list is scored against the logged feedback.
 *
 * Per session:
 *  - I = the session's distinct logged items, in first-appearance order; an item shown several
 *    times keeps its STRONGEST feedback (order > click > skip). Its relevance (the logged external
 *    reward, Algorithm 4's R^EX) is relevance[feedback] = skip 0, click 1, order 5 by default.
 *  - s_0 = the dataset's histories at the session's first row (the state before the session).
 *  - Repeat until I is empty (Algorithm 4 lines 3-9): a_t = policy.select(s_t, remaining I)
 *    (explore = false; a SessionBatch whose pool is I, so actor agents map with Eq. (13) over I);
 *    append a_t to L; record its logged relevance; update the state AS IF THE USER REACTED AS LOGGED:
 *      browsed <- a_t always; clicked <- a_t if its logged feedback is click or order;
 *      ordered <- a_t if it is order
 *    (the same rule as the env and the dataset's histories; every history keeps its last N).
 *  - Score L: NDCG@k (k = 20, 40) with graded relevance and AP (see DEFINITIONS below, the exact
 *    formulas of lib/eval/metrics.ts), averaged over the evaluated sessions.
 * Sessions with fewer than `minPositives` (default 1) relevant items are not ranked: NDCG and AP
 * are undefined without a positive (no ideal ordering); they are counted and reported.
 *
 * Reference points on the same sessions: the logged order (the logging policy's ranking) and a
 * seeded uniformly random ranking (one Rng stream per session, forked from `seed` and the session
 * index, so it does not depend on batching or subsampling).
 *
 * Batching: `batchSize` sessions go through the policy together, longest first (sessions sorted by
 * length, so a batch wastes few steps). A session that has ranked all its items is inactive: it keeps
 * a fresh copy of its candidate set so the policy always sees B non-empty sessions (constant batch
 * size for stateful agents), and its picks are ignored. Deterministic policies give the same result
 * for any batchSize.
 */
import { ConfigOf, int, numArray, oneOf, resolveConfig } from '../util/config';
import { UsageError } from '../util/errors';
import { Progress } from '../util/progress';
import { Rng } from '../util/rng';
import { Feedback } from '../data/schema';
import { SessionBatch } from '../agents/mapping/itemIndex';
import type { SessionState } from '../agents/mapping/sessionState';
import type { AgentState, Policy } from '../agents/policy';
import { recordImpression } from '../sim/history';
import { historyLength, type SimDataset } from '../sim/types';
import { averagePrecision, ndcgAtK } from './metrics';
import { defaultIndex, type MappingIndex } from './onlineTest';
import { checkPicks, remainingCounts, type PickLedger } from './policyCheck';
import { summarize, type Summary } from './summary';

export const offlineTestSpec = {
  split: oneOf('test', ['test', 'train'] as const, 'which split\'s logged sessions are re-ranked (paper: the test day)'),
  maxSessions: int(0, 'evaluate at most this many eligible sessions, a seeded uniform sample (0 = all)', { min: 0 }),
  minPositives: int(1, 'sessions with fewer relevant (clicked/ordered) distinct items are skipped and counted', { min: 1 }),
  batchSize: int(64, 'sessions re-ranked together per policy call', { min: 1 }),
  ks: numArray([20, 40], 'NDCG cut-offs k (paper: NDCG@20 and @40)', { min: 1, minLength: 1 }),
  relevance: numArray([0, 1, 5], 'graded relevance of logged skip, click, order (paper Section 4.1: the external rewards 0, 1, 5)', { min: 0 }),
  gain: oneOf('linear', ['linear', 'exponential'] as const, 'NDCG gain: linear (gain = rel) or exponential (2^rel - 1)'),
  seed: int(0, 'seed of the random-ranking reference and of the maxSessions sample', { min: 0, max: 4294967295 }),
};
export type OfflineTestConfig = ConfigOf<typeof offlineTestSpec>;

export function resolveOfflineConfig(overrides: Partial<OfflineTestConfig> | Record<string, unknown> = {}): OfflineTestConfig {
  return resolveConfig('offlineTest', offlineTestSpec, overrides, (c) => {
    if (c.relevance.length !== 3) return ['relevance', `must have 3 entries (skip, click, order), got ${c.relevance.length}`];
    if (c.relevance[0] !== 0) return ['relevance', `skip relevance must be 0 (a skipped item is not relevant), got ${c.relevance[0]}`];
    if (!(c.relevance[1] > 0 && c.relevance[2] > 0)) return ['relevance', 'click and order relevance must be > 0'];
    for (const k of c.ks) if (!Number.isInteger(k)) return ['ks', `entries must be integers, got ${k}`];
    return null;
  });
}

export interface OfflineOptions extends Partial<OfflineTestConfig> {
  /** Mapping index for the SessionBatches (default: ExactIndex over ds.embeddings). */
  index?: MappingIndex;
  /** Progress bar (a string sets its label). */
  progress?: boolean | string;
}

/** What the numbers mean (also in the result JSON and docs/deviations/eval.md). */
export function offlineDefinitions(c: OfflineTestConfig): Record<string, string> {
  const g = c.gain === 'linear' ? 'rel_i' : '(2^rel_i - 1)';
  return {
    items: 'the session\'s distinct logged items; a repeated item keeps its strongest feedback (order > click > skip)',
    relevance: `graded: logged skip ${c.relevance[0]}, click ${c.relevance[1]}, order ${c.relevance[2]} (the external reward)`,
    stateUpdate: 'after each pick a_t: browsed <- a_t; clicked <- a_t if logged click or order; ordered <- a_t if logged order (last N kept); start = the dataset histories at the session\'s first row',
    ndcg: `NDCG@k = DCG@k / IDCG@k, DCG@k = sum_{i=1..min(k,n)} ${g} / log2(i+1) over the re-ranked list; IDCG@k = DCG@k of the same session's relevances sorted descending; averaged over evaluated sessions`,
    map: 'MAP = mean over evaluated sessions of AP; AP = (1/R) * sum over ranks i holding a relevant item of precision@i, with BINARY relevance (logged click or order = relevant, orders not weighted more), R = number of relevant distinct items in the session; every item of the session is ranked, so AP is untruncated (no cut-off)',
    skipped: `sessions with fewer than ${c.minPositives} relevant distinct items are not ranked and not averaged (NDCG/AP have no ideal ordering without a positive); counted in counts`,
    trivial: 'counts.trivial = evaluated sessions whose items all have the same relevance: every ranking scores NDCG = AP = 1 on them',
    references: 'logged = the items in logged first-appearance order; random = a uniform shuffle per session (seeded per session index)',
    summary: 'mean over evaluated sessions; std = sample standard deviation (n-1); ci95 = mean +- t_{0.975,n-1} * std / sqrt(n)',
  };
}

export interface RankingMetrics {
  map: Summary;
  /** NDCG@k per cut-off, keyed by String(k). */
  ndcg: Record<string, Summary>;
}

export interface RankingPerSession {
  ap: number[];
  ndcg: Record<string, number[]>;
}

export interface OfflineResult {
  test: 'offline';
  policy: string;
  config: OfflineTestConfig;
  definitions: Record<string, string>;
  counts: {
    sessionsInSplit: number;
    /** Sessions with no relevant item (skipped). */
    noPositive: number;
    /** Sessions with 1 <= relevant items < minPositives (skipped; 0 when minPositives = 1). */
    belowMinPositives: number;
    eligible: number;
    evaluated: number;
    trivial: number;
    /** Items ranked by the policy in total (= policy steps over active sessions). */
    rankedItems: number;
  };
  metrics: { policy: RankingMetrics; logged: RankingMetrics; random: RankingMetrics };
  perSession: {
    /** Session index in the split's log. */
    session: number[];
    items: number[];
    positives: number[];
    policy: RankingPerSession;
    logged: RankingPerSession;
    random: RankingPerSession;
  };
  seconds: number;
}

/** A logged session reduced to Algorithm 4's input. */
export interface OfflineSession {
  session: number;
  /** First row of the session (its histories are s_0). */
  row: number;
  /** Distinct items, logged first-appearance order. */
  items: Int32Array;
  /** Strongest logged feedback per item (Feedback). */
  feedback: Uint8Array;
}

/** Distinct items of session s with their strongest logged feedback, in first-appearance order. */
export function sessionItems(log: SimDataset['test']['log'], s: number): OfflineSession {
  const a = log.sessionStart[s], e = log.sessionStart[s + 1];
  const at = new Map<number, number>();
  const items: number[] = [];
  const fb: number[] = [];
  for (let r = a; r < e; r++) {
    const it = log.item[r], f = log.feedback[r];
    const k = at.get(it);
    if (k === undefined) {
      at.set(it, items.length);
      items.push(it);
      fb.push(f);
    } else if (f > fb[k]) fb[k] = f; // Feedback order: Skip 0 < Click 1 < Order 2
  }
  return { session: s, row: a, items: Int32Array.from(items), feedback: Uint8Array.from(fb) };
}

function scoreList(rels: number[], ks: number[], gain: OfflineTestConfig['gain'], out: RankingPerSession): void {
  out.ap.push(averagePrecision(rels));
  for (const k of ks) out.ndcg[String(k)].push(ndcgAtK(rels, k, gain));
}

function emptyPer(ks: number[]): RankingPerSession {
  return { ap: [], ndcg: Object.fromEntries(ks.map((k) => [String(k), [] as number[]])) };
}

function metricsOf(p: RankingPerSession): RankingMetrics {
  return { map: summarize(p.ap), ndcg: Object.fromEntries(Object.entries(p.ndcg).map(([k, v]) => [k, summarize(v)])) };
}

/** Algorithm 4 over the split's logged sessions. */
export function offlineTest(policy: Policy, ds: SimDataset, opts: OfflineOptions = {}): OfflineResult {
  const t0 = Date.now();
  const { index: optIndex, progress, ...rest } = opts;
  const c = resolveOfflineConfig(rest);
  const split = ds[c.split];
  const log = split.log;
  const N = historyLength(split);
  const index = optIndex ?? defaultIndex(ds.embeddings, ds.items.n);
  if (index.nItems !== ds.items.n) throw new UsageError(`offlineTest: the mapping index has ${index.nItems} items, the dataset ${ds.items.n}`);
  const rel = c.relevance;

  // Session selection: eligible = at least minPositives relevant distinct items.
  let noPositive = 0, belowMin = 0;
  let eligible: OfflineSession[] = [];
  for (let s = 0; s < log.nSessions; s++) {
    const os = sessionItems(log, s);
    let pos = 0;
    for (const f of os.feedback) if (f !== Feedback.Skip) pos++;
    if (pos === 0) noPositive++;
    else if (pos < c.minPositives) belowMin++;
    else eligible.push(os);
  }
  const nEligible = eligible.length;
  if (c.maxSessions > 0 && eligible.length > c.maxSessions) {
    const pick = new Rng(c.seed).fork('offline/sessions');
    const idx = Array.from({ length: eligible.length }, (_, i) => i);
    for (let i = 0; i < c.maxSessions; i++) {
      const j = i + pick.int(idx.length - i); // partial Fisher-Yates
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    eligible = idx.slice(0, c.maxSessions).sort((x, y) => x - y).map((i) => eligible[i]);
  }
  const S = eligible.length;

  // Policy rankings: batches of sessions, longest first.
  const lists: number[][] = new Array(S); // relevances in the policy's order
  const order = Array.from({ length: S }, (_, i) => i).sort((x, y) => eligible[y].items.length - eligible[x].items.length || x - y);
  const label = typeof progress === 'string' ? progress : `offline ${policy.name}`;
  let totalItems = 0;
  for (const os of eligible) totalItems += os.items.length;
  const bar = progress ? new Progress(label, totalItems, { unit: 'items' }) : null;
  let ranked = 0;
  for (let o0 = 0; o0 < S; o0 += c.batchSize) {
    const batch = order.slice(o0, o0 + c.batchSize).map((i) => eligible[i]);
    const out = rankBatch(policy, index, split, N, batch, rel);
    for (let b = 0; b < batch.length; b++) lists[order[o0 + b]] = out[b];
    for (const os of batch) ranked += os.items.length;
    bar?.update(ranked);
  }
  bar?.finish();

  // Scores of the policy and the two references, per session in log order.
  const per = { policy: emptyPer(c.ks), logged: emptyPer(c.ks), random: emptyPer(c.ks) };
  const root = new Rng(c.seed);
  let trivial = 0;
  const positives: number[] = [];
  for (let i = 0; i < S; i++) {
    const os = eligible[i];
    const loggedRels = Array.from(os.feedback, (f) => rel[f]);
    if (loggedRels.every((r) => r === loggedRels[0])) trivial++;
    positives.push(loggedRels.filter((r) => r > 0).length);
    scoreList(lists[i], c.ks, c.gain, per.policy);
    scoreList(loggedRels, c.ks, c.gain, per.logged);
    const shuffled = loggedRels.slice();
    root.fork(`offline/random/${os.session}`).shuffle(shuffled);
    scoreList(shuffled, c.ks, c.gain, per.random);
  }
  return {
    test: 'offline',
    policy: policy.name,
    config: c,
    definitions: offlineDefinitions(c),
    counts: {
      sessionsInSplit: log.nSessions,
      noPositive,
      belowMinPositives: belowMin,
      eligible: nEligible,
      evaluated: S,
      trivial,
      rankedItems: ranked,
    },
    metrics: { policy: metricsOf(per.policy), logged: metricsOf(per.logged), random: metricsOf(per.random) },
    perSession: {
      session: eligible.map((os) => os.session),
      items: eligible.map((os) => os.items.length),
      positives,
      ...per,
    },
    seconds: (Date.now() - t0) / 1000,
  };
}

/**
 * Algorithm 4 for a batch of sessions at once: returns, per session, the relevances in the order the
 * policy ranked its items.
 */
function rankBatch(
  policy: Policy,
  index: MappingIndex,
  split: SimDataset['test'],
  N: number,
  batch: OfflineSession[],
  rel: number[],
): number[][] {
  const B = batch.length;
  const browsed = new Int32Array(B * N), clicked = new Int32Array(B * N), ordered = new Int32Array(B * N);
  for (let b = 0; b < B; b++) {
    const r = batch[b].row; // s_0: the histories before the session's first row
    browsed.set(split.browsed.subarray(r * N, r * N + N), b * N);
    clicked.set(split.clicked.subarray(r * N, r * N + N), b * N);
    ordered.set(split.ordered.subarray(r * N, r * N + N), b * N);
  }
  const pools = batch.map((os) => os.items);
  const states: SessionState[] = index.sessions(pools).states.slice();
  const pos: Map<number, number>[] = batch.map((os) => new Map(Array.from(os.items, (it, j) => [it, j] as [number, number])));
  const pickedAt = batch.map((os) => new Int32Array(os.items.length).fill(-1));
  const ledger: PickLedger = { position: (b, item) => pos[b].get(item), pickedAt: (b, j) => pickedAt[b][j] };
  const lists: number[][] = batch.map(() => []);
  const active = new Uint8Array(B);
  const maxLen = Math.max(...batch.map((os) => os.items.length));
  for (let t = 0; t < maxLen; t++) {
    for (let b = 0; b < B; b++) {
      active[b] = t < batch[b].items.length ? 1 : 0;
      // A finished session gets a fresh copy of its items so the policy never sees an empty set.
      if (!active[b] && states[b].remaining() === 0) states[b] = index.sessions([pools[b]]).states[0];
    }
    const cands = new SessionBatch(index, states);
    const state: AgentState = { t, browsed: browsed.slice(), clicked: clicked.slice(), ordered: ordered.slice() };
    const before = remainingCounts(cands);
    const picks = checkPicks(policy.select(state, cands, pools, false), cands, before, active, ledger, {
      test: 'offline test',
      policy: policy.name,
      step: t,
      label: (b) => `session ${batch[b].session} (user ${split.log.sessionUser[batch[b].session]}, ${batch[b].items.length} items, batch slot ${b})`,
    });
    for (let b = 0; b < B; b++) {
      if (!active[b]) continue;
      const a = picks[b];
      const j = pos[b].get(a) as number;
      pickedAt[b][j] = t;
      const f = batch[b].feedback[j];
      lists[b].push(rel[f]); // Algorithm 4 line 6: the logged external reward of a_t
      // Line 7: s_{t+1} as if the user reacted as logged.
      recordImpression(browsed, clicked, ordered, b, N, a, f);
    }
  }
  return lists;
}
