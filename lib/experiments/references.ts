/**
 * The reference policies of the reproduce pipeline (lib/eval/references.ts REFERENCES: random, the
 * logging policy, the greedy oracles) as online jobs on the SAME evaluate config, test env, users,
 * pools and sessions as the agents, for each user model where they can run (the ones reading the
 * true hidden state only against the ground truth; random against the simulator too), their result
 * rows, and the headroom captured h of every online row against the ground truth:
 *
 *   h = (reward - random) / (greedy-reward oracle - random)     same user model 'truth', same length
 *
 * Rows against the learned simulator get h = null: the oracle reads the true user model, and a
 * simulator's rewards are on another model's scale, so a ratio against the truth's oracle would mix
 * two scales (docs/deviations.md, "headroom captured").
 */
import * as path from 'node:path';
import type { EvaluationRecord } from '../eval/evaluate';
import { headroomCaptured } from '../eval/oracles';
import { HEADROOM_FLOOR, HEADROOM_ORACLE, REFERENCES } from '../eval/references';
import type { ReferenceJob } from './jobs';
import type { ReproducePlan } from './reproduceConfig';
import type { SessionLength, UserModel } from './results';
import { stageHash } from './stageCache';

export interface ReferenceRow {
  reference: string;
  label: string;
  backend: UserModel;
  length: SessionLength;
  T: number;
  sessions: number;
  /** Means over the test sessions, and the half-widths of their 95% CIs over sessions (one run, no seeds). */
  reward: number;
  clicks: number;
  clicksOnly: number;
  orders: number;
  rewardHalfWidth: number;
  clicksHalfWidth: number;
  clicksOnlyHalfWidth: number;
  ordersHalfWidth: number;
  /** Headroom captured (null against the simulator). */
  h: number | null;
}

export interface ReferenceJobContext {
  plan: ReproducePlan;
  models: UserModel[];
  dataDir: string;
  dataHash: string;
  simDir: string;
  simHash: string;
  /** TF.js backend name (part of every job's inputs). */
  backend: string;
  evalsDir: string;
}

/** The reference jobs of a pipeline context (evaluate stage; the sweep reads the same files). */
export function referenceJobsOf(ctx: { plan: ReproducePlan; models: UserModel[]; dataDir: string; simDir: string; backend: string; evalsDir: string; hash(s: 'data' | 'simulator'): string }): ReferenceJob[] {
  return referenceJobs({ plan: ctx.plan, models: ctx.models, dataDir: ctx.dataDir, dataHash: ctx.hash('data'), simDir: ctx.simDir, simHash: ctx.hash('simulator'), backend: ctx.backend, evalsDir: ctx.evalsDir });
}

/** One online job per (user model, reference that can run on it). */
export function referenceJobs(c: ReferenceJobContext): ReferenceJob[] {
  const { offlineMaxSessions: _o1, minPositives: _o2, offline: _o3, ...onlineEvalKey } = c.plan.onlineEval;
  const jobs: ReferenceJob[] = [];
  for (const model of c.models) {
    for (const def of REFERENCES) {
      if (def.needsTruth && model !== 'truth') continue;
      const config = { test: 'online-reference', reference: def.id, userModel: model, evaluate: onlineEvalKey, env: c.plan.testEnv };
      const inputs = { data: c.dataHash, ...(model === 'simulator' ? { simulator: c.simHash } : {}), backend: c.backend };
      jobs.push({
        kind: 'reference', id: `reference-${model}/${def.id}`, hash: stageHash('evaluate', config, inputs), config, inputs,
        dataDir: c.dataDir, dataHash: c.dataHash, simDir: c.simDir, simHash: c.simHash,
        reference: def.id, backend: model, evaluate: { ...c.plan.onlineEval, offline: false }, env: c.plan.testEnv,
        file: path.join(c.evalsDir, 'references', `online-${model}-${def.id}.json`),
      });
    }
  }
  return jobs;
}

/** The rows of the reference jobs' results (short and long each), with h against the ground truth. */
export function referenceRows(jobs: ReferenceJob[], read: (file: string) => EvaluationRecord): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  for (const j of jobs) {
    const rec = read(j.file);
    if (!rec.online) continue;
    const label = REFERENCES.find((r) => r.id === j.reference)?.label ?? j.reference;
    for (const length of ['short', 'long'] as const) {
      const r = rec.online[length];
      rows.push({
        reference: j.reference, label, backend: j.backend, length, T: r.T, sessions: r.sessions,
        reward: r.reward.mean, clicks: r.clicks.mean, clicksOnly: r.clicksOnly.mean, orders: r.orders.mean,
        rewardHalfWidth: r.reward.ci95.halfWidth, clicksHalfWidth: r.clicks.ci95.halfWidth, clicksOnlyHalfWidth: r.clicksOnly.ci95.halfWidth, ordersHalfWidth: r.orders.ci95.halfWidth,
        h: null,
      });
    }
  }
  attachHeadroom(rows, rows);
  return rows;
}

/**
 * Set `h` on every row: against the ground truth, from the random and greedy-reward reference rows of
 * the same length (and the same T and session count: anything else is not the same test, h = null);
 * null against the simulator or when the references are missing. Returns the rows.
 */
export function attachHeadroom<R extends { backend: UserModel; length: SessionLength; T: number; sessions: number; reward: number; h?: number | null }>(
  rows: R[],
  refs: ReadonlyArray<ReferenceRow>,
): R[] {
  for (const r of rows) {
    const ref = (id: string): ReferenceRow | undefined =>
      refs.find((x) => x.reference === id && x.backend === 'truth' && x.length === r.length && x.T === r.T && x.sessions === r.sessions);
    const lo = ref(HEADROOM_FLOOR), hi = ref(HEADROOM_ORACLE);
    const h = r.backend === 'truth' && lo && hi ? headroomCaptured(r.reward, lo.reward, hi.reward) : NaN;
    r.h = Number.isFinite(h) ? h : null;
  }
  return rows;
}
