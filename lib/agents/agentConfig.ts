/**
 * One typed config per method (HRL-MG, HRL, DDPG, DNN) and one for the trainer. Every field has a
 * default and a one-line doc; paper values where the paper gives them (section 4.1 / appendix B.2:
 * M = 2, alpha = 0.5, gamma = 0.95, N = 10, E = 50, tau = 0.01), the rest chosen and justified in
 * docs/deviations/agents.md. The methods share every common field and its default, so a comparison
 * differs only where the method does.
 *
 *   const cfg = resolveAgentConfig('hrl-mg', { c: 12, M: 3 });   // ConfigError before any work
 *   describeSpec(hrlmgSpec)                                         // --help text
 *
 * Exploration schedules run over TRAINING TRANSITIONS (session-steps), so a schedule means the same
 * thing whatever the number B of parallel sessions.
 */
import { bool, ConfigOf, int, num, oneOf, resolveConfig, type FieldSpec, type Spec } from '../util/config';
import { Q_OUTPUTS, type QOutput } from '../nn/qOutput';
import { STATE_ITEM_BODIES, type StateItemBody } from '../nn/stateItemNet';
import { goalScheduleProblem } from './goalSchedule';
import { ConfigError } from '../util/errors';

export const AGENT_METHODS = ['hrl-mg', 'hrl', 'ddpg', 'dnn'] as const;
export type AgentMethod = (typeof AGENT_METHODS)[number];

/** `f`, declared as added after kit 0.1.0 with `value` behaving as 0.1.0 did (see omitNeutral). */
function addedAfter010<T>(f: FieldSpec<T>, value: T): FieldSpec<T> {
  return { ...f, neutral: value };
}

/** Fields every method has: state encoder sizes and the exploration schedule. */
const commonSpec = {
  E: int(50, 'item embedding dimension = action/goal dimension (paper: 50); must match the dataset', { min: 1 }),
  H: int(64, 'GRU hidden size = state size = hidden layer size of every network', { min: 1 }),
  N: int(10, 'history length: last N browsed/clicked/ordered items (paper: 10); must match the dataset', { min: 1 }),
  batchLow: int(64, 'minibatch size N^l of the low-level (or DNN) update', { min: 1 }),
  bufferLow: int(100000, 'capacity of the low-level replay buffer D^l (transitions)', { min: 1 }),
  warmupLow: int(1000, 'no low-level update before D^l holds this many transitions', { min: 1 }),
  exploreDecay: int(100000, 'training transitions over which every exploration rate decays linearly to its end value', { min: 1 }),
  epsilon: num(0.1, 'start probability of recommending a uniformly random remaining candidate (training only)', { min: 0, max: 1 }),
  epsilonEnd: num(0.01, 'end value of epsilon after exploreDecay transitions', { min: 0, max: 1 }),
};

/** The low-level DDPG agent (LActor/LCritic, Eq. 8-11, 19-21): DDPG, HRL and HRL-MG. */
export const lowLevelSpec = {
  ...commonSpec,
  bound: num(1, 'bound B of proto-actions and goals, B*tanh(.) (Eq. 5, 9); 1 covers every L2-normalised item embedding', { gt: 0 }),
  gamma: num(0.95, 'discount factor of both levels (paper: 0.95; per step low, per c-step period high)', { min: 0, max: 1 }),
  tau: num(0.01, 'soft target update rate (paper appendix B.2: 0.01)', { gt: 0, max: 1 }),
  lrActor: num(1e-4, 'Adam learning rate of LActor (Lillicrap et al. 2015)', { gt: 0 }),
  lrCritic: num(1e-3, 'Adam learning rate of LCritic (Lillicrap et al. 2015)', { gt: 0 }),
  qOutput: oneOf<QOutput>('relu', Q_OUTPUTS, "critic output activation: 'relu' (paper Eq. 7/11), 'softplus' or 'linear'"),
  qBiasInit: num(0.5, 'initial bias of every Q output unit (positive: ReLU heads start alive)'),
  deadReluFix: bool(true, "qOutput 'relu': straight-through gradient for a Q head dead on a whole minibatch"),
  actionPenalty: addedAfter010(num(0, 'actor loss + actionPenalty * mean_batch ||a||^2 per head, both levels (0 = the paper; > 0 keeps proto-actions and goals off the corners of the tanh box, docs/results-default-world.md)', { min: 0 }), 0),
  mappingK: addedAfter010(int(1, 'action mapping: execute the best of the proto-action\'s k most cosine-similar remaining candidates under LCritic Q(s, a) (Wolpertinger, Dulac-Arnold et al. 2015); 1 = Eq. (13), the paper', { min: 1 }), 1),
  actionNoise: num(0.2, 'start std of the Gaussian noise added to each proto-action coordinate, in units of B (training only)', { min: 0 }),
  actionNoiseEnd: num(0.02, 'end std of the proto-action noise after exploreDecay transitions, in units of B', { min: 0 }),
};

/** The high-level agent (HActor/HCritic, Eq. 4-7, 16-18) and the goal mechanics (Eq. 3, 12, 14-15). */
const highLevelFields = {
  c: int(10, 'goal period: the high level emits goals every c steps (divides T = 50 and 300)', { min: 1 }),
  alpha: num(0.5, 'weight of the internal reward: r_low = r_ex + alpha * r_in (Eq. 3; paper: 0.5)', { min: 0 }),
  beta: num(0.5, 'high-level benefit discount of Eq. 15 (0 gives Eq. 14, 1 the running period total)', { min: 0, max: 1 }),
  lrHighActor: num(1e-4, 'Adam learning rate of HActor', { gt: 0 }),
  lrHighCritic: num(1e-3, 'Adam learning rate of HCritic', { gt: 0 }),
  batchHigh: int(32, 'minibatch size N^h of the high-level update', { min: 1 }),
  bufferHigh: int(20000, 'capacity of the high-level replay buffer D^h (periods)', { min: 1 }),
  warmupHigh: int(200, 'no high-level update before D^h holds this many periods', { min: 1 }),
  goalNoise: num(0.2, 'start std of the Gaussian noise added to each goal coordinate, in units of B (clipped to [-B, B])', { min: 0 }),
  goalNoiseEnd: num(0.02, 'end std of the goal noise after exploreDecay transitions, in units of B', { min: 0 }),
  partialPeriods: oneOf('store', ['store', 'drop'] as const, 'a period cut short by the session end: store it (done = 1, rewards so far) or drop it'),
};

export const hrlmgSpec = {
  ...lowLevelSpec,
  M: int(2, 'number of goals per period (paper: 2); block length floor(c/M)', { min: 1 }),
  ...highLevelFields,
};
export type HrlMgConfig = ConfigOf<typeof hrlmgSpec>;

/** HRL: HRL-MG with M = 1 (not a field: fixed by the method). */
export const hrlSpec = { ...lowLevelSpec, ...highLevelFields };
export type HrlConfig = ConfigOf<typeof hrlSpec>;

/** DDPG: the low-level agent alone, no goals, r_low = r_ex. */
export const ddpgAgentSpec = { ...lowLevelSpec };
export type DdpgAgentConfig = ConfigOf<typeof ddpgAgentSpec>;

/** DNN (section 4.2): an LCritic-like net regressing the immediate reward, greedy over the candidates. */
export const dnnSpec = {
  ...commonSpec,
  hidden: int(64, 'size of the dense layer after the encoder (as LCritic Eq. 10)', { min: 1 }),
  body: addedAfter010(oneOf<StateItemBody>('paper', STATE_ITEM_BODIES, "state x item layer of the reward network: 'paper' (additive ReLU layer as LCritic) or 'interact' (adds item-history dot products and a state-item bilinear term, docs/deviations.md)"), 'paper'),
  rank: addedAfter010(int(16, "body 'interact': size K of the learned item metric P", { min: 1 }), 16),
  objective: addedAfter010(oneOf('regression', ['regression', 'feedback'] as const, "'regression': MSE on the immediate reward r_ex (the paper); 'feedback': softmax cross-entropy on skip/click/order, ranked by the expected reward sum_f r_f P(f) (docs/deviations.md)"), 'regression'),
  lr: num(1e-3, 'Adam learning rate of the reward network', { gt: 0 }),
  embeddingScale: addedAfter010(num(1, "multiply the item table by this in the reward network's inputs (1 = as given; 0 = auto: scale to a per-component RMS of 1, as the simulator does)", { min: 0 }), 1),
  epsilon: num(0.2, 'start probability of a uniformly random remaining candidate (training only; the DNN has no other exploration)', { min: 0, max: 1 }),
  epsilonEnd: num(0.02, 'end value of epsilon after exploreDecay transitions', { min: 0, max: 1 }),
};
export type DnnConfig = ConfigOf<typeof dnnSpec>;

export type AgentConfigOf<K extends AgentMethod> = K extends 'hrl-mg'
  ? HrlMgConfig
  : K extends 'hrl'
    ? HrlConfig
    : K extends 'ddpg'
      ? DdpgAgentConfig
      : DnnConfig;

export const agentSpecs: { [K in AgentMethod]: Spec } = {
  'hrl-mg': hrlmgSpec,
  hrl: hrlSpec,
  ddpg: ddpgAgentSpec,
  dnn: dnnSpec,
};

function bufferProblem(cfg: { bufferLow: number; warmupLow: number }): [string, string] | null {
  if (cfg.warmupLow > cfg.bufferLow) return ['warmupLow', `must be <= bufferLow (${cfg.bufferLow}), else D^l never warms up; got ${cfg.warmupLow}`];
  return null;
}

function highProblem(cfg: ConfigOf<typeof hrlSpec>, M: number): [string, string] | null {
  const p = goalScheduleProblem(cfg.c, M);
  if (p) return p;
  if (cfg.warmupHigh > cfg.bufferHigh) return ['warmupHigh', `must be <= bufferHigh (${cfg.bufferHigh}), else D^h never warms up; got ${cfg.warmupHigh}`];
  return null;
}

/** Validate a method's config (unknown keys, ranges, cross-field rules); throws ConfigError naming the key. */
export function resolveAgentConfig<K extends AgentMethod>(method: K, overrides: object = {}): AgentConfigOf<K> {
  const name = `agent(${method})`;
  switch (method) {
    case 'hrl-mg':
      return resolveConfig(name, hrlmgSpec, overrides, (c) => bufferProblem(c) ?? highProblem(c, c.M)) as AgentConfigOf<K>;
    case 'hrl':
      return resolveConfig(name, hrlSpec, overrides, (c) => bufferProblem(c) ?? highProblem(c, 1)) as AgentConfigOf<K>;
    case 'ddpg':
      return resolveConfig(name, ddpgAgentSpec, overrides, bufferProblem) as AgentConfigOf<K>;
    case 'dnn':
      return resolveConfig(name, dnnSpec, overrides, bufferProblem) as AgentConfigOf<K>;
    default:
      throw new ConfigError('agent', 'method', `must be one of ${AGENT_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  }
}

/** The trainer (Algorithm 2, batched: B sessions in lock-step). */
export const trainerSpec = {
  seed: int(0, 'seed of the training run: one RecEnv per session batch is seeded from it', { min: 0, max: 4294967295 }),
  sessions: int(6400, 'budget in training sessions (rounded up to whole batches of B sessions)', { min: 1 }),
  steps: int(0, 'budget in lock-step env steps instead (each = B transitions; rounded up to whole sessions of T steps); 0 = use sessions', { min: 0 }),
  updatesPerStep: int(1, 'updates of each level after every lock-step env step (Algorithm 2 lines 22-27)', { min: 0 }),
  logEvery: int(0, 'lock-step env steps per training-log entry; 0 = one entry per session batch (T steps)', { min: 0 }),
  checkpointEvery: int(0, 'session batches between checkpoints (needs a checkpoint folder); 0 = only at the end', { min: 0 }),
  progress: bool(true, 'show a progress bar with ETA (HRLMG_QUIET=1 silences it anyway)'),
};
export type TrainerConfig = ConfigOf<typeof trainerSpec>;

export function resolveTrainerConfig(overrides: object = {}): TrainerConfig {
  return resolveConfig('trainer', trainerSpec, overrides);
}

/** The neutral values a spec declares (FieldSpec.neutral): the fields added after kit 0.1.0. */
export function neutralValues(...specs: Spec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of specs) for (const [k, f] of Object.entries(s)) if (f.neutral !== undefined) out[k] = f.neutral;
  return out;
}

/** Agent options added after kit 0.1.0, with the value that behaves as 0.1.0 did (declared on the fields). */
export const NEUTRAL_SINCE_0_1_0: Readonly<Record<string, unknown>> = Object.freeze(neutralValues(hrlmgSpec, dnnSpec));

/**
 * THE record-only-when-non-neutral rule: `cfg` without the options that hold their neutral value
 * (`neutral` on the field: added after kit 0.1.0, this value behaves as 0.1.0 did). What is
 * recorded (agent.json, run identities, reproduce hashes, a DDPG core's model.json with
 * `ddpgSpec`), so agents, runs and caches made before an option existed keep matching. Resolving
 * the result gives `cfg` back. `neutral`: the table to apply (default: every agent spec's).
 */
export function omitNeutral(cfg: Record<string, unknown>, neutral: Readonly<Record<string, unknown>> = NEUTRAL_SINCE_0_1_0): Record<string, unknown> {
  const r = { ...cfg };
  for (const [k, v] of Object.entries(neutral)) if (r[k] === v) delete r[k];
  return r;
}
