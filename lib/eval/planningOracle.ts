/**
 * The planning oracle: a rollout policy on the TRUE user model (it reads the hidden session state of
 * the ground-truth backend, like the greedy oracles of oracles.ts, and plans with the same model).
 *
 * Each step, for session b in state s:
 *   1. root shortlist: the top `shortlist` remaining pool items by the one-step expected reward
 *      E[r | s, i], plus the top `shortlist` by coherence (the intent the item builds, Eq. W3), so
 *      items that pay later are considered even when they pay little now;
 *   2. rollout set: the top `rolloutPool` items by each of the two scores (the items the base
 *      policy may show during the lookahead; fixed for this step);
 *   3. for each root candidate c and each of `rollouts` sampled futures: clone s, show c, then follow
 *      the base policy for `depth - 1` more steps (never past the session's end T), and add up the
 *      EXPECTED reward of every simulated step (Rao-Blackwellised along the sampled path);
 *      under each base policy (greedy on E[r] + w x coherence, one per w in baseCoherence; w = 0 is
 *      the greedy-reward oracle); a candidate is worth its best base policy's mean value;
 *   4. show the candidate with the best value (ties: the earlier pool position).
 * All candidates of one step share the same sampled futures (common random numbers: rollout k of
 * every candidate uses one seed), drawn from the policy's own stream forked from `seed`; the
 * environment's streams and the backend's states are never touched (rollouts run on clones).
 *
 * Since the greedy-reward choice is always in the shortlist and the base policy is (nearly)
 * one base policy is greedy, this is one step of policy improvement over greedy and the intent
 * builder at once (rollout with several base heuristics): up to sampling noise it does not do worse
 * than its best base policy, and it does better exactly where the world rewards planning. How close
 * to optimal it is: bench/worldPresets.ts --sweep shows that more depth, rollouts or a larger
 * shortlist stop helping (data/README.md, "Planning oracle").
 *
 * Cost per step and session: one pass over the pool (like greedy) + (2 x shortlist) x bases x
 * rollouts x depth x (2 x rolloutPool) model evaluations at most (defaults: 12 x 2 x 2 x 10 x 16
 * ~ 7.7k; bench/worldPresets.ts prints the measured evaluations per step).
 */
import { Rng } from '../util/rng';
import { UsageError } from '../util/errors';
import { ConfigOf, int, numArray, resolveConfig } from '../util/config';
import { cloneSessionState, type UserSessionState } from '../data/world/trueUserModel';
import type { AgentState, Policy } from '../agents/policy';
import type { SessionBatch } from '../agents/mapping/itemIndex';
import type { TrueModelBackend } from '../sim/trueModelBackend';
import type { Rewards } from '../sim/recEnv';

export const planningOracleSpec = {
  shortlist: int(6, 'root candidates per score: the top-K remaining pool items by one-step expected reward, plus the top-K by coherence (intent built)', { min: 1, max: 500 }),
  depth: int(10, 'lookahead depth H: steps simulated per rollout, the candidate included (cut at the session end T)', { min: 1, max: 1000 }),
  rollouts: int(2, 'sampled futures per root candidate (shared by all candidates of a step: common random numbers)', { min: 1, max: 1000 }),
  rolloutPool: int(8, 'items per score the base policy may show during a rollout (top by expected reward, top by coherence)', { min: 1, max: 500 }),
  baseCoherence: numArray([0, 1], 'base policies of the rollouts, one per entry: greedy on E[r] + w x coherence (0 = the greedy-reward oracle); a candidate is worth its best base', { min: 0, minLength: 1 }),
  seed: int(0, 'seed of the oracle\'s private rollout stream (the environment\'s streams are not used)', { min: 0, max: 4294967295 }),
};
export type PlanningOracleConfig = ConfigOf<typeof planningOracleSpec>;

export function resolvePlanningOracleConfig(overrides: Partial<PlanningOracleConfig> | Record<string, unknown> = {}): PlanningOracleConfig {
  return resolveConfig('planning', planningOracleSpec, overrides);
}

/** Indices of the k largest entries of score[0..n) (ties: the smaller index), written to out; returns the count. */
function topK(score: Float64Array, n: number, k: number, out: Int32Array, mark: Uint8Array, markVal: number, count: number): number {
  // k is small (<= a few dozen): k passes of a linear scan are cheaper than a sort of the pool.
  for (let r = 0; r < k; r++) {
    let best = -1;
    let bs = -Infinity;
    for (let j = 0; j < n; j++) {
      if (mark[j] === 0 || (mark[j] & markVal) !== 0) continue;
      if (score[j] > bs) {
        bs = score[j];
        best = j;
      }
    }
    if (best < 0) break;
    if ((mark[best] & 6) === 0) out[count++] = best; // not yet listed by the other score
    mark[best] |= markVal;
  }
  return count;
}

export class PlanningOraclePolicy implements Policy {
  readonly name = 'oracle-planning';
  readonly config: PlanningOracleConfig;
  /** Model evaluations (probs calls) so far: the cost figure of the bench. */
  evaluations = 0;
  private readonly rng: Rng;
  private readonly w: [number, number, number];
  private readonly p = new Float64Array(3);

  /**
   * @param T the session length of the env it acts in (rollouts stop at the end of the session)
   */
  constructor(
    readonly backend: TrueModelBackend,
    rewards: Rewards,
    readonly T: number,
    config: Partial<PlanningOracleConfig> | Record<string, unknown> = {},
  ) {
    if (!(Number.isInteger(T) && T >= 1)) throw new UsageError(`oracle-planning: T must be a positive integer, got ${T}`);
    this.config = resolvePlanningOracleConfig(config);
    this.w = [rewards.skip, rewards.click, rewards.order];
    this.rng = new Rng(this.config.seed).fork('oracle-planning');
  }

  select(state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, _explore: boolean): Int32Array {
    const B = cands.size;
    const be = this.backend;
    if (pools.length !== B) throw new UsageError(`${this.name}.select: ${pools.length} pools for ${B} candidate sessions`);
    if (be.states.length !== B) {
      throw new UsageError(`${this.name}.select: the true-model backend holds ${be.states.length} sessions, the env ${B} (the oracle must act in an env built on its backend)`);
    }
    const left = this.T - state.t; // steps left in the session, this one included
    const out = new Int32Array(B);
    // One seed per rollout index for the whole step: every candidate of every session sees the same futures.
    const seeds = new Uint32Array(this.config.rollouts);
    for (let k = 0; k < seeds.length; k++) seeds[k] = this.rng.nextU32();
    for (let b = 0; b < B; b++) out[b] = this.choose(b, cands, pools[b], Math.max(1, left), seeds);
    return out;
  }

  private choose(b: number, cands: SessionBatch, pool: ArrayLike<number>, left: number, seeds: Uint32Array): number {
    const be = this.backend;
    const model = be.model;
    const cfg = this.config;
    const user = be.worldUsers[b];
    const st = be.states[b];
    const [w0, w1, w2] = this.w;
    // Remaining pool entries, their one-step expected reward and coherence.
    const P = pool.length;
    const items = new Int32Array(P); // world item index
    const local = new Int32Array(P); // env item index
    const er = new Float64Array(P);
    const co = new Float64Array(P);
    let n = 0;
    for (let j = 0; j < P; j++) {
      const it = pool[j];
      if (!cands.has(b, it)) continue;
      const wi = be.itemToWorld[it];
      const p = model.probs(user, st, wi, this.p);
      items[n] = wi;
      local[n] = it;
      er[n] = w0 * p[0] + w1 * p[1] + w2 * p[2];
      co[n] = model.coherence(user, st, wi);
      n++;
    }
    this.evaluations += n;
    if (n === 0) throw new UsageError(`${this.name}.select: session ${b} has no remaining candidate`);
    const mark = new Uint8Array(n).fill(1); // bit 0: remaining; bits 1, 2: listed by E[r], by coherence
    const root = new Int32Array(2 * cfg.shortlist);
    let nr = topK(er, n, cfg.shortlist, root, mark, 2, 0);
    nr = topK(co, n, cfg.shortlist, root, mark, 4, nr);
    if (nr === 1 || left === 1 || cfg.depth === 1) {
      // Nothing to plan: the last step (or depth 1) is the greedy-reward choice.
      let best = 0;
      for (let j = 1; j < n; j++) if (er[j] > er[best]) best = j;
      cands.remove(b, local[best]);
      return local[best];
    }
    mark.fill(1);
    const roll = new Int32Array(2 * cfg.rolloutPool);
    let nroll = topK(er, n, cfg.rolloutPool, roll, mark, 2, 0);
    nroll = topK(co, n, cfg.rolloutPool, roll, mark, 4, nroll);
    const H = Math.min(cfg.depth, left);
    const used = new Uint8Array(nroll);
    let bestJ = -1;
    let bestV = -Infinity;
    // Root candidates in pool order so ties go to the earlier pool position.
    const order = Array.from(root.subarray(0, nr)).sort((x, y) => x - y);
    for (const j of order) {
      let v = -Infinity;
      for (const lam of cfg.baseCoherence) {
        let vb = 0;
        for (let k = 0; k < seeds.length; k++) {
          const rng = new Rng(seeds[k]);
          const s = cloneSessionState(st);
          used.fill(0);
          for (let r = 0; r < nroll; r++) if (roll[r] === j) used[r] = 1;
          vb += er[j];
          model.step(user, s, items[j], rng);
          this.evaluations++;
          vb += this.followBase(user, s, items, roll, nroll, used, H - 1, lam, rng);
        }
        if (vb > v) v = vb;
      }
      v /= seeds.length;
      if (v > bestV) {
        bestV = v;
        bestJ = j;
      }
    }
    cands.remove(b, local[bestJ]);
    return local[bestJ];
  }

  /** Expected reward of `steps` steps of the base policy from state s (s advances, sampled). */
  private followBase(user: number, s: UserSessionState, items: Int32Array, roll: Int32Array, nroll: number, used: Uint8Array, steps: number, lam: number, rng: Rng): number {
    const model = this.backend.model;
    const [w0, w1, w2] = this.w;
    let total = 0;
    for (let h = 0; h < steps; h++) {
      let best = -1;
      let bs = -Infinity;
      let bestEr = 0;
      for (let r = 0; r < nroll; r++) {
        if (used[r]) continue;
        const wi = items[roll[r]];
        const p = model.probs(user, s, wi, this.p);
        const e = w0 * p[0] + w1 * p[1] + w2 * p[2];
        const sc = lam > 0 ? e + lam * model.coherence(user, s, wi) : e;
        if (sc > bs) {
          bs = sc;
          best = r;
          bestEr = e;
        }
      }
      this.evaluations += nroll;
      if (best < 0) break;
      used[best] = 1;
      total += bestEr;
      model.step(user, s, items[roll[best]], rng);
      this.evaluations++;
    }
    return total;
  }
}
