/**
 * Online test (paper Appendix C.1, Algorithm 3; metric of Section 4.1): the policy recommends T items
 * per session to users of a RecEnv (learned simulator or ground-truth backend), acting without
 * exploration; each step the policy picks one remaining candidate of the session (Algorithm 1:
 * actor-based agents map their proto-action with `cands.map`, DNN takes its argmax), the environment
 * samples the feedback and the state advances (Algorithm 3 lines 4-6).
 *
 * Reported per session: the cumulative external reward (the paper's "average summation of all
 * rewards in one recommendation session"), clicks, clicks-only and orders; mean, std, 95% CI, the
 * raw per-session arrays (for aggregation across seeds) and per-step means (for curves).
 *
 * Pairing: `env` is a TEMPLATE. Each call runs on a fresh RecEnv with the template's dataset,
 * backend and resolved config (same seed), so calls for different policies see the same users (drawn
 * by the fresh env's seeded user stream unless `users` is given), the same session-start states and
 * the same candidate pools (functions of the user's start state and the seeded pool stream, not of
 * the policy). The env draws exactly one uniform per (session, step) from its feedback stream, so
 * every policy gets the SAME uniform u at the same (session, step) (common random numbers): the
 * feedback is the inverse CDF of the backend's P(skip, click, order) at u, and differs between
 * policies only through the items (and the states they lead to). A stateful backend draws from the
 * env's backend stream; the ground-truth backend draws a fixed count per reset and per step, so its
 * hidden session states at every session start are identical across policies too.
 * The backend OBJECT is shared with the template: do not call onlineTest in the middle of an
 * unfinished episode of an env using the same backend (e.g. mid-session during training), since the
 * fresh env's reset replaces the backend's per-batch state; evaluate between episodes.
 *
 * Batching: sessions run in batches of env.batchSize; a short last batch is padded by repeating its
 * users and the padded sessions are discarded. The env's feedback stream is shared by the batch, so
 * per-session results depend on batchSize (not on it being a divisor of `sessions`): compare methods
 * at the same batchSize (evaluate() records it).
 */
import { UsageError } from '../util/errors';
import { Progress } from '../util/progress';
import { Feedback } from '../data/schema';
import { ExactIndex } from '../agents/mapping/exactIndex';
import type { ItemIndex, SessionMapper } from '../agents/mapping/itemIndex';
import type { AgentState, Policy } from '../agents/policy';
import { RecEnv, type RecEnvConfig } from '../sim/recEnv';
import { checkPicks, remainingCounts, type PickLedger } from './policyCheck';
import { summarize, type Summary } from './summary';

/** An item index usable for SessionBatches (ExactIndex or ApproxIndex). */
export type MappingIndex = ItemIndex & SessionMapper;

export interface OnlineOptions {
  /** Total number of sessions (run in batches of env.batchSize). */
  sessions: number;
  /** The users of the sessions [sessions]; default: drawn by the fresh env (`sampleUsers`, seeded). */
  users?: Int32Array;
  /** Mapping index for the SessionBatches (default: ExactIndex over the dataset's embeddings, Eq. (13)). */
  index?: MappingIndex;
  /**
   * Check every step that the SessionBatch and the env's `remaining` agree on every pool entry
   * (O(B * poolSize) per step; tests turn it on). The cheap check (each pick available, removed
   * exactly once) always runs.
   */
  verifySync?: boolean;
  /** Progress bar (a string sets its label). */
  progress?: boolean | string;
}

export const ONLINE_DEFINITIONS = {
  reward: 'per session: sum over its T steps of the external reward r^ex (env rewards per skip/click/order); paper Section 4.1 "average summation of all rewards in one recommendation session"',
  clicks: 'per session: impressions with feedback click OR order (an order counts as a click too, the convention of logStats and the paper\'s Table 1)',
  clicksOnly: 'per session: impressions with feedback click (orders not counted)',
  orders: 'per session: impressions with feedback order',
  summary: 'mean over sessions; std = sample standard deviation (n-1); ci95 = mean +- t_{0.975,n-1} * std / sqrt(n) (lib/eval/metrics confidenceInterval95)',
  byStep: 'byStep.x[t] = mean over sessions of x at step t (0-based); cumulative sums give the curves',
  pairing: 'fresh env from the template per call (same seed): same users, session starts and pools for every policy; one feedback uniform per (session, step) from the seeded stream, the same for every policy (common random numbers)',
  policyMode: 'policy.select(..., explore = false): no exploration noise; actor agents use the LActor + mapping (Algorithm 3)',
};

export interface OnlineResult {
  test: 'online';
  policy: string;
  backend: string;
  sessions: number;
  T: number;
  batchSize: number;
  seed: number;
  /** The env's resolved config (T, poolSize, rewards, split, start, seed, recall shares...). */
  env: RecEnvConfig;
  definitions: typeof ONLINE_DEFINITIONS;
  reward: Summary;
  clicks: Summary;
  clicksOnly: Summary;
  orders: Summary;
  /** Per-step means over sessions, each [T]. */
  byStep: { reward: number[]; clicks: number[]; orders: number[] };
  /** Raw per-session values, aligned ([sessions] each). */
  perSession: {
    user: number[];
    /** Index (in the env split's log) of the session whose start state was used. */
    startSession: number[];
    reward: number[];
    clicks: number[];
    clicksOnly: number[];
    orders: number[];
  };
  seconds: number;
}

/** Default index over a dataset's embedding table. */
export function defaultIndex(embeddings: Float32Array, nItems: number): ExactIndex {
  if (nItems < 1 || embeddings.length % nItems !== 0) {
    throw new UsageError(`evaluation: embeddings length ${embeddings.length} is not a multiple of ${nItems} items`);
  }
  return new ExactIndex(embeddings, embeddings.length / nItems);
}

/** Algorithm 3 over `opts.sessions` sessions of length env.T. */
export function onlineTest(policy: Policy, env: RecEnv, opts: OnlineOptions): OnlineResult {
  const t0 = Date.now();
  const S = opts.sessions;
  if (!Number.isInteger(S) || S < 1) throw new UsageError(`onlineTest: sessions must be an integer >= 1, got ${S}`);
  if (opts.users !== undefined) {
    if (!(opts.users instanceof Int32Array)) throw new UsageError('onlineTest: users must be an Int32Array [sessions]');
    if (opts.users.length !== S) throw new UsageError(`onlineTest: got ${opts.users.length} users for ${S} sessions`);
  }
  // A fresh env with the template's config: every call starts from the same seeded streams.
  const run = new RecEnv(env.ds, env.backend, env.config);
  const users = opts.users ?? run.sampleUsers(S);
  const index = opts.index ?? defaultIndex(run.ds.embeddings, run.nItems);
  if (index.nItems !== run.nItems) throw new UsageError(`onlineTest: the mapping index has ${index.nItems} items, the env ${run.nItems}`);
  const B = run.batchSize, T = run.T, P = run.poolSize, N = run.N;
  const rw = run.config.rewards;
  const rewardOf = [rw.skip, rw.click, rw.order];

  const reward = new Float64Array(S), clicks = new Int32Array(S), clicksOnly = new Int32Array(S), orders = new Int32Array(S);
  const startSession = new Int32Array(S);
  const stepReward = new Float64Array(T), stepClicks = new Float64Array(T), stepOrders = new Float64Array(T);
  const label = typeof opts.progress === 'string' ? opts.progress : `online ${policy.name} T=${T}`;
  const bar = opts.progress ? new Progress(label, S * T, { unit: 'session-steps' }) : null;

  const batchUsers = new Int32Array(B);
  const pickedAt = new Int32Array(B * P);
  for (let s0 = 0; s0 < S; s0 += B) {
    const n = Math.min(B, S - s0); // real sessions in this batch; slots n..B-1 are padding
    for (let b = 0; b < B; b++) batchUsers[b] = users[s0 + (b < n ? b : b % n)];
    let obs = run.reset(batchUsers);
    for (let b = 0; b < n; b++) startSession[s0 + b] = run.startSessions[b];
    const pools = Array.from({ length: B }, (_, b) => obs.pool.subarray(b * P, (b + 1) * P));
    const cands = index.sessions(pools);
    const pos: Map<number, number>[] = pools.map((p) => {
      const m = new Map<number, number>();
      for (let j = 0; j < p.length; j++) m.set(p[j], j);
      return m;
    });
    pickedAt.fill(-1);
    const ledger: PickLedger = { position: (b, item) => pos[b].get(item), pickedAt: (b, j) => pickedAt[b * P + j] };
    const slotLabel = (b: number): string =>
      b < n ? `session ${s0 + b} (user ${batchUsers[b]}, batch slot ${b})` : `padding slot ${b} (user ${batchUsers[b]})`;
    for (let t = 0; t < T; t++) {
      // The policy gets copies: a policy that mutates its input cannot corrupt the env.
      const state: AgentState = { t, browsed: obs.browsed.slice(), clicked: obs.clicked.slice(), ordered: obs.ordered.slice() };
      const before = remainingCounts(cands);
      const picks = checkPicks(policy.select(state, cands, pools, false), cands, before, null, ledger, {
        test: 'online test', policy: policy.name, step: t, label: slotLabel,
      });
      for (let b = 0; b < B; b++) pickedAt[b * P + (pos[b].get(picks[b]) as number)] = t;
      const r = run.step(picks);
      for (let b = 0; b < n; b++) {
        const f = r.feedback[b];
        const s = s0 + b;
        reward[s] += rewardOf[f];
        stepReward[t] += rewardOf[f];
        if (f !== Feedback.Skip) {
          clicks[s]++;
          stepClicks[t]++;
        }
        if (f === Feedback.Click) clicksOnly[s]++;
        if (f === Feedback.Order) {
          orders[s]++;
          stepOrders[t]++;
        }
      }
      obs = r.obs;
      if (opts.verifySync) verifySync(obs.pool, obs.remaining, cands, B, P, t, policy.name);
      bar?.tick(n);
    }
    if (obs.browsed.length !== B * N) throw new Error('onlineTest: internal error, history shape changed');
  }
  bar?.finish();
  const list = (a: ArrayLike<number>): number[] => Array.from(a);
  const perStep = (a: Float64Array): number[] => Array.from(a, (x) => x / S);
  return {
    test: 'online',
    policy: policy.name,
    backend: run.backend.name,
    sessions: S,
    T,
    batchSize: B,
    seed: run.config.seed,
    env: run.config,
    definitions: ONLINE_DEFINITIONS,
    reward: summarize(reward),
    clicks: summarize(clicks),
    clicksOnly: summarize(clicksOnly),
    orders: summarize(orders),
    byStep: { reward: perStep(stepReward), clicks: perStep(stepClicks), orders: perStep(stepOrders) },
    perSession: {
      user: list(users),
      startSession: list(startSession),
      reward: list(reward),
      clicks: list(clicks),
      clicksOnly: list(clicksOnly),
      orders: list(orders),
    },
    seconds: (Date.now() - t0) / 1000,
  };
}

/** Full agreement of the env's remaining flags and the SessionBatch, every pool entry of every session. */
function verifySync(pool: Int32Array, remaining: Uint8Array, cands: { has(b: number, i: number): boolean; remaining(b: number): number }, B: number, P: number, t: number, policy: string): void {
  for (let b = 0; b < B; b++) {
    let left = 0;
    for (let j = 0; j < P; j++) {
      const envHas = remaining[b * P + j] === 1;
      left += envHas ? 1 : 0;
      if (envHas !== cands.has(b, pool[b * P + j])) {
        throw new Error(`onlineTest (policy '${policy}'): after step ${t}, slot ${b}: item ${pool[b * P + j]} is ${envHas ? '' : 'not '}remaining in the env but ${envHas ? 'not ' : ''}in the SessionBatch`);
      }
    }
    if (left !== cands.remaining(b)) throw new Error(`onlineTest (policy '${policy}'): after step ${t}, slot ${b}: env has ${left} remaining, SessionBatch ${cands.remaining(b)}`);
  }
}
