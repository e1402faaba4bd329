/**
 * The config of one DDPG core (lib/agents/ddpgCore.ts) and the one function that derives it from
 * an agent's config (`ddpgConfigOf`). The core's fields ARE the agent's field specs (same default,
 * check and doc; agentConfig.ts), renamed where the core is generic (bound -> B; the high level's
 * lrHighActor/lrHighCritic -> lrActor/lrCritic): a default lives in one place. Only `heads` and the
 * Adam constants belong to the core alone.
 *
 * Key order is the order of the core's model.json (`save`): do not reorder. A new option (e.g.
 * TD3-style twin critics) is one field in lowLevelSpec declared with its neutral value
 * (agentConfig.ts addedAfter010-style), one line here, one line in ddpgConfigOf; records omit it
 * while it is off (omitNeutral), so cores and caches made before it keep their bytes.
 */
import { int, num, type ConfigOf, type FieldSpec } from '../util/config';
import { lowLevelSpec, neutralValues, type HrlMgConfig, type DdpgAgentConfig } from './agentConfig';

/** A field recorded in model.json whatever its value (it was, since it was added to the core). */
function recordedAlways<T>(f: FieldSpec<T>): FieldSpec<T> {
  const { neutral, ...rest } = f;
  void neutral;
  return rest;
}

const L = lowLevelSpec;

export const ddpgSpec = {
  heads: int(1, 'number of heads K (goals M for the high level, 1 for the low level)', { min: 1 }),
  E: L.E,
  H: L.H,
  N: L.N,
  B: L.bound,
  gamma: L.gamma,
  tau: L.tau,
  lrActor: { ...L.lrActor, doc: 'Adam learning rate of the actor (agents: lrActor low, lrHighActor high; same default)' },
  lrCritic: { ...L.lrCritic, doc: 'Adam learning rate of the critic (agents: lrCritic low, lrHighCritic high; same default)' },
  adamBeta1: num(0.9, 'Adam beta1', { min: 0, lt: 1 }),
  adamBeta2: num(0.999, 'Adam beta2', { min: 0, lt: 1 }),
  adamEps: num(1e-8, 'Adam epsilon', { gt: 0 }),
  qOutput: L.qOutput,
  qBiasInit: L.qBiasInit,
  deadReluFix: L.deadReluFix,
  actionPenalty: recordedAlways(L.actionPenalty),
};
export type DdpgConfig = ConfigOf<typeof ddpgSpec>;

/** The core fields that a core's model.json omits while neutral (see recordedAlways). */
export const DDPG_NEUTRAL: Readonly<Record<string, unknown>> = Object.freeze(neutralValues(ddpgSpec));

const ADAM = { adamBeta1: ddpgSpec.adamBeta1.default, adamBeta2: ddpgSpec.adamBeta2.default, adamEps: ddpgSpec.adamEps.default };

/**
 * The DDPG core config of one level of an agent, from the agent's resolved (validated) config:
 *   'low'  LActor/LCritic, one head (DDPG, HRL, HRL-MG)
 *   'high' HActor/HCritic, M heads (HRL-MG; HRL with M = 1), the high level's learning rates
 * The only place agent fields are mapped onto core fields.
 */
export function ddpgConfigOf(level: 'low', cfg: DdpgAgentConfig): DdpgConfig;
export function ddpgConfigOf(level: 'high', cfg: HrlMgConfig): DdpgConfig;
export function ddpgConfigOf(level: 'low' | 'high', cfg: DdpgAgentConfig | HrlMgConfig): DdpgConfig {
  const high = level === 'high' ? (cfg as HrlMgConfig) : null;
  return {
    heads: high ? high.M : 1,
    E: cfg.E,
    H: cfg.H,
    N: cfg.N,
    B: cfg.bound,
    gamma: cfg.gamma,
    tau: cfg.tau,
    lrActor: high ? high.lrHighActor : cfg.lrActor,
    lrCritic: high ? high.lrHighCritic : cfg.lrCritic,
    ...ADAM,
    qOutput: cfg.qOutput,
    qBiasInit: cfg.qBiasInit,
    deadReluFix: cfg.deadReluFix,
    actionPenalty: cfg.actionPenalty,
  };
}
