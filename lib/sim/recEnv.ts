/**
 * A batched, gym-like recommendation environment (paper section 2.1 and appendix C.1): B parallel
 * sessions of T steps; each step every session gets one recommended item, the user backend gives
 * P(skip, click, order), the feedback is sampled with the environment's seeded Rng, the reward is
 * rewards[feedback], and the histories advance:
 *   browsed <- every shown item; clicked <- clicked or ordered items; ordered <- ordered items
 * (each keeps its last N). The rules of the paper's Algorithm 1 are enforced, not implemented:
 * the item must be in the session's candidate pool (item recall, section 3.1) and not shown before
 * in this session.
 *
 * Session starts: the initial histories of a user are those at the first row of one of the user's
 * sessions in the chosen split (the dataset stores the state before each row, built from the user's
 * earlier sessions, so test-day starts include the training day's history). `start: 'first'` uses
 * the user's first session of the split (the default on the test split: every evaluation episode of
 * a user starts from the same state); `start: 'random'` draws one of the user's sessions with the
 * environment's Rng (the default on the train split: training sees varied starts).
 *
 * Determinism: all randomness (session choice, pool fill, feedback, backend state) comes from
 * streams forked from `seed`; the same seed and the same calls give identical feedback.
 */
import { Rng } from '../util/rng';
import { ConfigOf, FieldSpec, int, oneOf, num, resolveConfig } from '../util/config';
import { UsageError } from '../util/errors';
import { Feedback } from '../data/schema';
import { CandidateRecall } from './recall';
import { recordImpression } from './history';
import { historyLength, type SimDataset, type SimSplit } from './types';
import type { Observation, UserBackend } from './userBackend';

export interface Rewards {
  skip: number;
  click: number;
  order: number;
}

function rewardsField(def: Rewards, doc: string): FieldSpec<Rewards> {
  return {
    default: def,
    doc,
    check: (v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return `must be an object {skip, click, order}, got ${JSON.stringify(v)}`;
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!['skip', 'click', 'order'].includes(k)) return `unknown feedback '${k}' (known: skip, click, order)`;
      for (const k of ['skip', 'click', 'order']) {
        if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) return `${k} must be a finite number, got ${JSON.stringify(o[k])}`;
      }
      return null;
    },
  };
}

export const recEnvSpec = {
  batchSize: int(64, 'parallel sessions B per reset/step', { min: 1 }),
  T: int(50, 'session length in steps (paper: 50 short sessions, 300 long)', { min: 1 }),
  rewards: rewardsField({ skip: 0, click: 1, order: 5 }, 'external reward per feedback (paper section 4.1: 0, 1, 5)'),
  poolSize: int(500, 'candidate pool (item recall) size per session; must be >= T and <= the catalogue size', { min: 1 }),
  split: oneOf('test', ['train', 'test'] as const, 'which split the session-start states come from'),
  start: oneOf('auto', ['auto', 'first', 'random'] as const, "session-start state: the user's first session in the split, a random one, or auto = first on test, random on train"),
  seed: int(0, 'seed of the environment (session choice, pool fill, feedback sampling, backend state)', { min: 0, max: 4294967295 }),
  similarShare: num(0.5, 'recall: share of the pool from items cosine-similar to the user\'s recent items', { min: 0, max: 1 }),
  categoryShare: num(0.25, 'recall: share of the pool from popular items of the user\'s frequent categories', { min: 0, max: 1 }),
  topCategories: int(3, 'recall: how many frequent history categories feed the category stage', { min: 1 }),
};
export type RecEnvConfig = ConfigOf<typeof recEnvSpec>;

export interface StepResult {
  feedback: Uint8Array; // [B] Feedback
  reward: Float32Array; // [B]
  /** The backend's P(skip, click, order) the feedback was sampled from: [B*3]. */
  probs: Float32Array;
  obs: Observation;
  done: boolean;
}

export class RecEnv {
  readonly config: RecEnvConfig;
  readonly batchSize: number;
  readonly T: number;
  readonly N: number;
  readonly poolSize: number;
  readonly nItems: number;
  readonly recall: CandidateRecall;
  private readonly split: SimSplit;
  private readonly rewardOf: Float32Array; // [3]
  private readonly userFirst: Int32Array; // [nUsers+1] range of the user's sessions (split session indices)
  private readonly rngStart: Rng;
  private readonly rngPool: Rng;
  private readonly rngFeedback: Rng;
  private readonly rngBackend: Rng;
  private readonly rngUsers: Rng;
  private obs: Observation | null = null;
  private users = new Int32Array(0);
  private sessions = new Int32Array(0);
  private poolPos: Map<number, number>[] = [];
  private shownAt = new Int32Array(0); // [B*poolSize] step at which the entry was shown, -1 = not yet

  constructor(
    readonly ds: SimDataset,
    readonly backend: UserBackend,
    overrides: Partial<RecEnvConfig> | Record<string, unknown> = {},
  ) {
    const nItems = ds.items.n;
    this.config = resolveConfig('env', recEnvSpec, overrides, (c) => {
      if (c.poolSize < c.T) return ['poolSize', `must be >= T (${c.T}): every step removes one item from the session's pool`];
      if (c.poolSize > nItems) return ['poolSize', `must be <= the catalogue size (${nItems} items)`];
      if (c.similarShare + c.categoryShare > 1) return ['categoryShare', 'similarShare + categoryShare must be <= 1'];
      return null;
    });
    const c = this.config;
    this.batchSize = c.batchSize;
    this.T = c.T;
    this.poolSize = c.poolSize;
    this.nItems = nItems;
    this.split = ds[c.split];
    this.N = historyLength(this.split);
    this.rewardOf = Float32Array.from([c.rewards.skip, c.rewards.click, c.rewards.order]);
    this.recall = new CandidateRecall(ds, { similarShare: c.similarShare, categoryShare: c.categoryShare, topCategories: c.topCategories });
    const log = this.split.log;
    this.userFirst = new Int32Array(log.nUsers + 1);
    for (let s = 0; s < log.nSessions; s++) this.userFirst[log.sessionUser[s] + 1]++;
    for (let u = 0; u < log.nUsers; u++) this.userFirst[u + 1] += this.userFirst[u];
    backend.attach?.(ds);
    const root = new Rng(c.seed);
    this.rngStart = root.fork('env/start');
    this.rngPool = root.fork('env/pool');
    this.rngFeedback = root.fork('env/feedback');
    this.rngBackend = root.fork('env/backend');
    this.rngUsers = root.fork('env/users');
  }

  /** Users with at least one session in the env's split. */
  eligibleUsers(): Int32Array {
    const out: number[] = [];
    for (let u = 0; u + 1 < this.userFirst.length; u++) if (this.userFirst[u + 1] > this.userFirst[u]) out.push(u);
    return Int32Array.from(out);
  }

  /** n users drawn with the env's Rng among eligible users: without replacement when n <= their count. */
  sampleUsers(n = this.batchSize): Int32Array {
    const pool = this.eligibleUsers();
    if (pool.length === 0) throw new UsageError(`RecEnv: no user has a session in the ${this.config.split} split`);
    const out = new Int32Array(n);
    if (n <= pool.length) {
      for (let i = 0; i < n; i++) {
        const j = i + this.rngUsers.int(pool.length - i); // partial Fisher-Yates
        const t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        out[i] = pool[i];
      }
    } else {
      for (let i = 0; i < n; i++) out[i] = pool[this.rngUsers.int(pool.length)];
    }
    return out;
  }

  /** Start B sessions for `users` [B]; returns the initial observation (t = 0). */
  reset(users: Int32Array): Observation {
    const B = this.batchSize;
    const N = this.N;
    const P = this.poolSize;
    if (!(users instanceof Int32Array)) throw new UsageError('RecEnv.reset: users must be an Int32Array [batchSize]');
    if (users.length !== B) throw new UsageError(`RecEnv.reset: got ${users.length} users, the env's batchSize is ${B}`);
    const log = this.split.log;
    const mode = this.config.start === 'auto' ? (this.config.split === 'test' ? 'first' : 'random') : this.config.start;
    const sessions = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const u = users[b];
      if (!(Number.isInteger(u) && u >= 0 && u < log.nUsers)) {
        throw new UsageError(`RecEnv.reset: users[${b}] = ${u} is not a user index in [0, ${log.nUsers})`);
      }
      const a = this.userFirst[u];
      const n = this.userFirst[u + 1] - a;
      if (n === 0) {
        throw new UsageError(`RecEnv.reset: user ${u} (raw id ${log.userRawId[u]}) has no session in the ${this.config.split} split`);
      }
      sessions[b] = mode === 'first' ? a : a + this.rngStart.int(n);
    }
    const browsed = new Int32Array(B * N);
    const clicked = new Int32Array(B * N);
    const ordered = new Int32Array(B * N);
    for (let b = 0; b < B; b++) {
      const r = log.sessionStart[sessions[b]];
      browsed.set(this.split.browsed.subarray(r * N, r * N + N), b * N);
      clicked.set(this.split.clicked.subarray(r * N, r * N + N), b * N);
      ordered.set(this.split.ordered.subarray(r * N, r * N + N), b * N);
    }
    const pool = this.recall.pools({ browsed, clicked, ordered }, N, P, this.rngPool); // [B*P]
    this.poolPos = [];
    for (let b = 0; b < B; b++) {
      const m = new Map<number, number>();
      for (let j = 0; j < P; j++) m.set(pool[b * P + j], j);
      this.poolPos.push(m);
    }
    const remaining = new Uint8Array(B * P).fill(1);
    this.shownAt = new Int32Array(B * P).fill(-1);
    this.users = Int32Array.from(users);
    this.sessions = sessions;
    this.obs = { t: 0, browsed, clicked, ordered, pool, remaining };
    this.backend.reset(this.users, this.obs, this.rngBackend);
    return this.obs;
  }

  /** The split sessions the current batch started from ([B], indices into the split's log). */
  get startSessions(): Int32Array {
    return this.sessions;
  }

  /** Position of `item` in session b's pool, -1 when it is not in the pool. */
  poolIndexOf(b: number, item: number): number {
    const m = this.poolPos[b];
    if (!m) throw new UsageError(`RecEnv.poolIndexOf: session ${b} outside the current batch (call reset first)`);
    return m.get(item) ?? -1;
  }

  get currentUsers(): Int32Array {
    return this.users;
  }

  get observation(): Observation {
    if (!this.obs) throw new UsageError('RecEnv: call reset(users) first');
    return this.obs;
  }

  /** Recommend items[b] to session b; returns the feedback, rewards and the next observation. */
  step(items: Int32Array): StepResult {
    const obs = this.obs;
    if (!obs) throw new UsageError('RecEnv.step: call reset(users) before step');
    const B = this.batchSize;
    const N = this.N;
    const P = this.poolSize;
    if (obs.t >= this.T) throw new UsageError(`RecEnv.step: the sessions are done (T = ${this.T} steps); call reset`);
    if (!(items instanceof Int32Array)) throw new UsageError('RecEnv.step: items must be an Int32Array [batchSize]');
    if (items.length !== B) throw new UsageError(`RecEnv.step: got ${items.length} items, the env's batchSize is ${B}`);
    const pos = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const it = items[b];
      const j = this.poolPos[b].get(it);
      if (j === undefined) {
        throw new UsageError(`RecEnv.step: session ${b} (user ${this.users[b]}), step ${obs.t}: item ${it} is not in the session's candidate pool`);
      }
      if (!obs.remaining[b * P + j]) {
        throw new UsageError(
          `RecEnv.step: session ${b} (user ${this.users[b]}), step ${obs.t}: item ${it} was already shown at step ${this.shownAt[b * P + j]} (Algorithm 1 removes shown items)`,
        );
      }
      pos[b] = j;
    }
    const probs = this.backend.probs(obs, items);
    if (probs.length !== B * 3) throw new Error(`user backend ${this.backend.name} returned ${probs.length} probabilities, expected ${B * 3}`);
    const feedback = new Uint8Array(B);
    const reward = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      const p0 = probs[b * 3];
      const p1 = probs[b * 3 + 1];
      const p2 = probs[b * 3 + 2];
      const sum = p0 + p1 + p2;
      if (!(p0 >= 0 && p1 >= 0 && p2 >= 0 && sum > 0 && Number.isFinite(sum))) {
        throw new Error(`user backend ${this.backend.name} gave invalid probabilities [${p0}, ${p1}, ${p2}] for session ${b}`);
      }
      const u = this.rngFeedback.random() * sum;
      const f = u < p0 ? Feedback.Skip : u < p0 + p1 ? Feedback.Click : Feedback.Order;
      feedback[b] = f;
      reward[b] = this.rewardOf[f];
    }
    this.backend.observe(items, feedback);
    const browsed = obs.browsed.slice();
    const clicked = obs.clicked.slice();
    const ordered = obs.ordered.slice();
    const remaining = obs.remaining.slice();
    for (let b = 0; b < B; b++) {
      const it = items[b];
      recordImpression(browsed, clicked, ordered, b, N, it, feedback[b]);
      remaining[b * P + pos[b]] = 0;
      this.shownAt[b * P + pos[b]] = obs.t;
    }
    const next: Observation = { t: obs.t + 1, browsed, clicked, ordered, pool: obs.pool, remaining };
    this.obs = next;
    return { feedback, reward, probs, obs: next, done: next.t >= this.T };
  }
}
