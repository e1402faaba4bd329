/**
 * Reference policies: the floor (random), the system that wrote the log (logging policy) and the
 * oracles that read the true hidden state (lib/eval/oracles.ts), run through the same evaluate()
 * (same RecEnv config, pools, users, sessions, feedback draws) as every agent, and the headroom
 * captured h that places an agent between the floor and the greedy-reward oracle:
 *
 *   h = (policy - random) / (greedy-reward oracle - random)          per session length, mean reward
 *
 * 0 = random, 1 = the one-step greedy oracle on the true expected reward; above 1 is possible (a
 * policy that plans). h is defined only against the ground-truth user model of the default world:
 * the oracle reads its hidden state, and a reward measured against the learned simulator is on
 * another model's scale (docs/deviations.md, "headroom captured").
 *
 * To add a reference append ONE entry to REFERENCES (the default set: the `oracles` command,
 * `evaluate` and the reproduce pipeline pick it up) or to OPT_IN_REFERENCES (slow ones such as the
 * planning oracle: run only when asked for by id, e.g. `hrlmg oracles --with-planning`).
 */
import { UsageError } from '../util/errors';
import { Rng } from '../util/rng';
import { RandomPolicy } from '../agents/randomPolicy';
import type { Policy } from '../agents/policy';
import { RecEnv, recEnvSpec, type Rewards } from '../sim/recEnv';
import { resolveConfig } from '../util/config';
import { TrueModelBackend } from '../sim/trueModelBackend';
import type { UserBackend } from '../sim/userBackend';
import type { SimDataset } from '../sim/types';
import { evaluate, type EvaluateConfig, type EvaluateExtras, type EvaluationRecord } from './evaluate';
import { GreedyOraclePolicy, headroomCaptured } from './oracles';
import { LoggingReferencePolicy } from './loggingReferencePolicy';
import { PlanningOraclePolicy } from './planningOracle';
import { onlineTest, type OnlineResult } from './onlineTest';

/** What a reference policy is built from. */
export interface ReferenceContext {
  /** The user model of the envs the policy will act in: the SAME object (the oracles read its state). */
  backend: UserBackend;
  /** The env's external rewards per feedback (the greedy-reward oracle's weights). */
  rewards: Rewards;
  /** The policy's own seeded stream (forked from the evaluation seed and the reference id). */
  rng: Rng;
  /** Session length of the envs it acts in (a planner cuts its lookahead at the session end). */
  T: number;
  /** The seed the stream was forked from (a reference with its own seeded config uses it). */
  seed: number;
  /** The reference's own settings (e.g. the planning oracle's planningOracleSpec keys), {} by default. */
  config: Record<string, unknown>;
}

export interface ReferenceDef {
  /** Stable id (file names, JSON, CSV), e.g. 'greedy-reward'. */
  id: string;
  /** Display name in tables and figures. */
  label: string;
  /** One line: what it does. */
  doc: string;
  /** Reads the default world's true hidden session state: runs only against the ground-truth backend. */
  needsTruth: boolean;
  /** Built once per session length (it reads ctx.T); the others are one object for every length. */
  perSessionLength?: boolean;
  make(ctx: ReferenceContext): Policy;
}

function truthOf(ctx: ReferenceContext, id: string): TrueModelBackend {
  if (!(ctx.backend instanceof TrueModelBackend)) {
    throw new UsageError(`reference '${id}' reads the true hidden session state: it needs the ground-truth backend of the default world, got '${ctx.backend.name}'`);
  }
  return ctx.backend;
}

/** The registry, in table order (floor first, the headroom oracle among the oracles). */
export const REFERENCES: ReferenceDef[] = [
  {
    id: 'random',
    label: 'random',
    doc: 'a uniformly random remaining candidate (seeded): the floor of h',
    needsTruth: false,
    make: (c) => new RandomPolicy(c.rng),
  },
  {
    id: 'logging',
    label: 'logging policy',
    doc: "the default world's logging policy (sees the true state), restricted to the remaining candidates",
    needsTruth: true,
    make: (c) => new LoggingReferencePolicy(truthOf(c, 'logging'), c.rng),
  },
  {
    id: 'greedy-click',
    label: 'greedy oracle, true P(click)',
    doc: 'argmax of the true P(click or order) given the hidden session state',
    needsTruth: true,
    make: (c) => new GreedyOraclePolicy(truthOf(c, 'greedy-click'), 'greedy-click', c.rewards),
  },
  {
    id: 'greedy-reward',
    label: 'greedy oracle, true E[reward]',
    doc: 'argmax of the true expected reward r_skip P(skip) + r_click P(click) + r_order P(order): the ceiling of h',
    needsTruth: true,
    make: (c) => new GreedyOraclePolicy(truthOf(c, 'greedy-reward'), 'greedy-reward', c.rewards),
  },
];

/**
 * References run only when asked for by id (too slow for every reproduce run): the planning oracle
 * (lib/eval/planningOracle.ts, ~5-20 ms per session step at its default config).
 */
export const OPT_IN_REFERENCES: ReferenceDef[] = [
  {
    id: 'planning',
    label: 'planning oracle, true model',
    doc: 'rollout policy on cloned true hidden states (greedy and intent-building base policies, lookahead cut at T): an estimate of the best achievable',
    needsTruth: true,
    perSessionLength: true,
    make: (c) => new PlanningOraclePolicy(truthOf(c, 'planning'), c.rewards, c.T, { seed: c.seed, ...c.config }),
  },
];

/** Every known reference: the default set, then the opt-in ones. */
export const ALL_REFERENCES: ReferenceDef[] = [...REFERENCES, ...OPT_IN_REFERENCES];

/** h's floor and ceiling. */
export const HEADROOM_FLOOR = 'random';
export const HEADROOM_ORACLE = 'greedy-reward';

export const HEADROOM_DEFINITION =
  'h = (policy - random) / (greedy-reward oracle - random), mean reward per session, per session length, on the same sessions ' +
  '(users, pools, feedback draws) against the ground-truth user model; 0 = random, 1 = the one-step greedy oracle on the true expected reward; ' +
  'NaN/null when the oracle does not beat random or no ground truth exists';

export function referenceDef(id: string): ReferenceDef {
  const d = ALL_REFERENCES.find((r) => r.id === id);
  if (!d) throw new UsageError(`unknown reference policy '${id}' (known: ${ALL_REFERENCES.map((r) => r.id).join(', ')})`);
  return d;
}

/** Whether the ground truth answers on this backend (the oracles and h need it). */
export function hasTruth(backend: UserBackend): boolean {
  return backend instanceof TrueModelBackend;
}

/** The default references that can run on `backend` (all of them on the ground truth; random elsewhere). */
export function referencesFor(backend: UserBackend): ReferenceDef[] {
  const truth = hasTruth(backend);
  return REFERENCES.filter((r) => truth || !r.needsTruth);
}

/**
 * Build reference `id` for envs on `backend` with sessions of length `T`; its stream is forked from
 * `seed` and the id.
 */
export function makeReference(id: string, backend: UserBackend, rewards: Rewards, seed: number, T: number, config: Record<string, unknown> = {}): Policy {
  return referenceDef(id).make({ backend, rewards, rng: new Rng(seed).fork(`reference/${id}`), T, seed, config });
}

export interface ReferenceEvaluation {
  id: string;
  label: string;
  record: EvaluationRecord;
}

/** The env's resolved rewards (the defaults unless extras.env.rewards overrides them). */
function rewardsOf(extras: EvaluateExtras): Rewards {
  return resolveConfig('env', recEnvSpec, { ...(extras.env ?? {}), split: 'test' }).rewards;
}

/**
 * The online tests (short and long) of the reference policies `ids` on `backend`, through evaluate()
 * with the same config and env extras an agent gets: same users, pools and feedback draws.
 */
export async function evaluateReferences(
  ids: string[],
  ds: SimDataset,
  backend: UserBackend,
  overrides: Partial<EvaluateConfig> | Record<string, unknown>,
  extras: EvaluateExtras = {},
): Promise<ReferenceEvaluation[]> {
  const out: ReferenceEvaluation[] = [];
  for (const id of ids) {
    const def = referenceDef(id);
    if (def.needsTruth && !hasTruth(backend)) throw new UsageError(`reference '${id}' needs the ground-truth backend of the default world, got '${backend.name}'`);
    // evaluate() runs the short and the long test with ONE policy object: a reference built per length cannot.
    if (def.perSessionLength) throw new UsageError(`reference '${id}' is built per session length: run it with onlineReferences (hrlmg oracles --with-${id}), not evaluateReferences`);
    const seed = Number((overrides as { seed?: number }).seed ?? 0);
    const T = Number((overrides as { shortT?: number }).shortT ?? 50);
    const policy = makeReference(id, backend, rewardsOf(extras), seed, T);
    const record = await evaluate(policy, ds, backend, { ...overrides, online: true, offline: false }, extras);
    out.push({ id, label: def.label, record });
  }
  return out;
}

export interface OnlineReferenceOptions {
  /** Session lengths, run in this order with ONE policy object per reference (as evaluate() runs short then long). */
  Ts: number[];
  sessions: number;
  seed: number;
  batchSize: number;
  poolSize: number;
  /** Extra RecEnv settings (rewards, recall shares...), as EvaluateExtras.env. */
  env?: Record<string, unknown>;
  /** Per-reference settings by id (ReferenceContext.config), e.g. { planning: { depth: 5 } }. */
  configs?: Record<string, Record<string, unknown>>;
  progress?: boolean;
}

export interface OnlineReference {
  id: string;
  label: string;
  doc: string;
  /** One online test per entry of Ts. */
  online: OnlineResult[];
}

/**
 * Online tests of the references `ids` at each session length of `o.Ts`, with the envs evaluate()
 * builds (same config keys, split 'test'): with Ts = [shortT, longT] the numbers are those of
 * evaluate() / evaluateReferences for the same seed, sessions, batch and pool size.
 */
export function onlineReferences(ids: string[], ds: SimDataset, backend: UserBackend, o: OnlineReferenceOptions): OnlineReference[] {
  if (!o.Ts.length) throw new UsageError('onlineReferences: no session lengths');
  const envOf = (T: number): RecEnv => new RecEnv(ds, backend, { ...(o.env ?? {}), batchSize: o.batchSize, T, poolSize: o.poolSize, seed: o.seed, split: 'test' });
  const envs = o.Ts.map(envOf); // config errors before any work
  return ids.map((id) => {
    const def = referenceDef(id);
    if (def.needsTruth && !hasTruth(backend)) throw new UsageError(`reference '${id}' needs the ground-truth backend of the default world, got '${backend.name}'`);
    // One object for every length (as evaluate() runs short then long), or one per length if it plans to T.
    const cfg = o.configs?.[id] ?? {};
    const shared = def.perSessionLength ? null : makeReference(id, backend, envs[0].config.rewards, o.seed, envs[0].T, cfg);
    const online = envs.map((env) =>
      onlineTest(shared ?? makeReference(id, backend, env.config.rewards, o.seed, env.T, cfg), env, { sessions: o.sessions, progress: o.progress ? `${id} T=${env.T}` : false }),
    );
    return { id, label: def.label, doc: def.doc, online };
  });
}

export interface Headroom {
  /** Headroom captured (NaN when the oracle does not beat random). */
  h: number;
  policy: number;
  random: number;
  oracle: number;
  T: number;
}

/**
 * h of `policy` against the random and greedy-reward results of the SAME online test (same T,
 * backend, seed, batch size and users; anything else is refused: h is only meaningful on paired
 * sessions).
 */
export function headroomOf(policy: OnlineResult, random: OnlineResult, oracle: OnlineResult): Headroom {
  for (const [name, r] of [['random', random], ['oracle', oracle]] as const) {
    const same =
      r.T === policy.T && r.backend === policy.backend && r.seed === policy.seed && r.batchSize === policy.batchSize && r.sessions === policy.sessions &&
      r.perSession.user.every((u, i) => u === policy.perSession.user[i]);
    if (!same) {
      throw new UsageError(
        `headroom: the ${name} reference ran another test (T ${r.T}, backend ${r.backend}, seed ${r.seed}, batch ${r.batchSize}, ${r.sessions} sessions) ` +
          `than the policy (T ${policy.T}, backend ${policy.backend}, seed ${policy.seed}, batch ${policy.batchSize}, ${policy.sessions} sessions)`,
      );
    }
  }
  return { h: headroomCaptured(policy.reward.mean, random.reward.mean, oracle.reward.mean), policy: policy.reward.mean, random: random.reward.mean, oracle: oracle.reward.mean, T: policy.T };
}
