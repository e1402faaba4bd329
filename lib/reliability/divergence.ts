/**
 * Divergence guard: a run whose losses, Q values or weights stop being finite is stopped within one
 * update, with a message naming the network and the update step, before anything of the bad state
 * reaches a checkpoint.
 *
 *   const guard = new DivergenceGuard(agent, { maxAbsQ: 1e6 });
 *   const trainer = new Trainer(agent, makeEnv, cfg, guard.hooks());   // onUpdate + beforeCheckpoint
 *   // -> DivergenceError: "low-level critic diverged at low-level update 137 (env step 145, ...)"
 *
 * Checks, after EVERY agent.update():
 *   - the update statistics of each level that updated (DdpgCore.update's criticLoss, actorLoss,
 *     qMean; the DNN's regression loss): finite, |qMean| <= maxAbsQ, losses <= maxLoss;
 *   - every `weightCheckEvery` updates (default 1: every update) a scan of every weight array of
 *     the agent (online nets, targets, Adam moments; agent.weightArrays()) for NaN / +-Inf.
 * and before every checkpoint a full weight scan, so a checkpoint on disk is always finite.
 * When a statistic trips, the weights are scanned too so the message can name the network that
 * holds non-finite values.
 */
import { bool, ConfigOf, int, num, resolveConfig } from '../util/config';
import { UsageError } from '../util/errors';
import type { TrainableAgent, UpdateInfo } from '../agents/agent';
import type { UpdateStats } from '../agents/ddpgCore';
import type { TrainerOptions, UpdateAt } from '../agents/trainer';
import { methodOf } from '../agents/methods';

export const divergenceSpec = {
  divergenceCheck: bool(true, 'stop the run at the first non-finite loss, Q value or weight (checked after every update)'),
  maxAbsQ: num(1e6, 'also stop when a level\'s mean |Q| exceeds this (rewards are O(1): Q is O(reward / (1 - gamma)))', { gt: 0 }),
  maxLoss: num(1e12, 'also stop when a loss exceeds this', { gt: 0 }),
  weightCheckEvery: int(1, 'agent updates between scans of every weight for NaN/Inf (0 = only before checkpoints)', { min: 0 }),
};
export type DivergenceConfig = ConfigOf<typeof divergenceSpec>;

export function resolveDivergenceConfig(overrides: object = {}): DivergenceConfig {
  return resolveConfig('divergence', divergenceSpec, overrides);
}

/** A run diverged: names the network, the statistic and where (update step, env step, batch). */
export class DivergenceError extends UsageError {
  constructor(
    message: string,
    /** E.g. 'low-level critic', 'high-level actor', 'DNN reward net'. */
    readonly network: string,
    /** What was not finite / too large, e.g. 'critic loss = NaN'. */
    readonly what: string,
    /** Update count of the network's level when it diverged (1-based); 0 when found by a checkpoint scan. */
    readonly updateStep: number,
    readonly at: UpdateAt | null,
    /** Every weight array holding non-finite values (names from weightArrayNames). */
    readonly badWeights: string[],
  ) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/** Names of agent.weightArrays() in order (the method's registry entry, lib/agents/methods.ts). */
export function weightArrayNames(agent: TrainableAgent): string[] {
  return methodOf(agent.method).weightNames(agent);
}

/** The network an array belongs to: 'low-level critic target' -> 'low-level critic'. */
function networkOf(arrayName: string): string {
  return arrayName.replace(/ (target|Adam [mv])$/, '');
}

/** Index of the first NaN/Inf in `a`, or -1. One multiply-add per value: x * 0 is NaN only for NaN and +-Inf. */
export function firstNonFinite(a: Float32Array): number {
  let s = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) s += a[i] * 0;
  if (s === 0) return -1;
  for (let i = 0; i < n; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Names of the agent's weight arrays that hold NaN or Inf, with the first bad value. */
export function nonFiniteWeights(agent: TrainableAgent): { name: string; index: number; value: number }[] {
  const names = weightArrayNames(agent);
  const arrays = agent.weightArrays();
  const out: { name: string; index: number; value: number }[] = [];
  arrays.forEach((a, i) => {
    const j = firstNonFinite(a);
    if (j >= 0) out.push({ name: names[i] ?? `weight array ${i}`, index: j, value: a[j] });
  });
  return out;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(3) : String(x);
}

export class DivergenceGuard {
  readonly cfg: DivergenceConfig;
  /** agent.update() calls seen. */
  updates = 0;
  /** Full weight scans done (cost measurement). */
  scans = 0;

  constructor(
    readonly agent: TrainableAgent,
    overrides: Partial<DivergenceConfig> | Record<string, unknown> = {},
  ) {
    this.cfg = resolveDivergenceConfig(overrides);
  }

  /** The trainer hooks (TrainerOptions.onUpdate / beforeCheckpoint) running this guard. */
  hooks(): Pick<TrainerOptions, 'onUpdate' | 'beforeCheckpoint'> {
    return { onUpdate: (u, at) => this.onUpdate(u, at), beforeCheckpoint: () => this.checkWeights(null) };
  }

  /** Check one agent.update()'s statistics (and the weights when due); throws DivergenceError. */
  onUpdate(u: UpdateInfo, at: UpdateAt | null = null): void {
    if (!this.cfg.divergenceCheck) return;
    this.updates++;
    const counts = this.agent.updateCounts;
    const g = methodOf(this.agent.method).guard;
    // the high level runs first in HrlMgAgent.update; report it first
    if (u.high) this.checkStats(u.high, 'high-level', counts.high, at, false);
    if (u.low) this.checkStats(u.low, g.lowLevel, counts.low, at, g.lossOnly);
    const every = this.cfg.weightCheckEvery;
    if (every > 0 && this.updates % every === 0) this.checkWeights(at);
  }

  private checkStats(s: UpdateStats, level: string, updateStep: number, at: UpdateAt | null, lossOnly: boolean): void {
    const c = this.cfg;
    const problems: [string, string][] = []; // [network, what]
    const critic = lossOnly ? level : `${level} critic`;
    if (!Number.isFinite(s.criticLoss)) problems.push([critic, `${lossOnly ? 'loss' : 'critic loss'} = ${fmt(s.criticLoss)}`]);
    else if (s.criticLoss > c.maxLoss) problems.push([critic, `${lossOnly ? 'loss' : 'critic loss'} = ${fmt(s.criticLoss)} > maxLoss ${fmt(c.maxLoss)}`]);
    if (!lossOnly) {
      // a regression (the DNN) reports NaN actor loss and Q by design (it has neither)
      if (!Number.isFinite(s.qMean)) problems.push([critic, `mean Q = ${fmt(s.qMean)}`]);
      else if (Math.abs(s.qMean) > c.maxAbsQ) problems.push([critic, `mean Q = ${fmt(s.qMean)}, |Q| > maxAbsQ ${fmt(c.maxAbsQ)}`]);
      if (!Number.isFinite(s.actorLoss)) problems.push([`${level} actor`, `actor loss = ${fmt(s.actorLoss)}`]);
    }
    if (!problems.length) return;
    const bad = nonFiniteWeights(this.agent);
    this.scans++;
    // name the network of the first tripped statistic whose weights went bad (the critic's loss
    // comes first: a NaN critic also spoils the actor's step), else the first bad network, else
    // the statistic's network (huge but finite values)
    const badNets = new Set(bad.map((b) => networkOf(b.name)));
    const network = problems.find((p) => badNets.has(p[0]))?.[0] ?? (bad.length ? networkOf(bad[0].name) : problems[0][0]);
    throw this.error(network, problems.map((p) => p[1]).join(', '), updateStep, `${level} update ${updateStep}`, at, bad);
  }

  /** Scan every weight array (also called before every checkpoint write); throws DivergenceError. */
  checkWeights(at: UpdateAt | null): void {
    if (!this.cfg.divergenceCheck) return;
    this.scans++;
    const bad = nonFiniteWeights(this.agent);
    if (!bad.length) return;
    const network = networkOf(bad[0].name);
    const level = network.startsWith('high') ? 'high' : 'low';
    const step = this.agent.updateCounts[level];
    const where = at ? `${network.startsWith('DNN') ? 'DNN' : `${level}-level`} update ${step}` : `checkpoint time (after ${step} ${level}-level updates)`;
    throw this.error(network, 'non-finite weights', at ? step : 0, where, at, bad);
  }

  private error(network: string, what: string, updateStep: number, where: string, at: UpdateAt | null, bad: { name: string; index: number; value: number }[]): DivergenceError {
    const loc = at ? ` (env step ${at.step}, session batch ${at.episode}, session step ${at.t})` : '';
    const list = bad.map((b) => `${b.name} (first at [${b.index}] = ${b.value})`).join(', ');
    const detail = what === 'non-finite weights' ? `non-finite weights in ${list}` : `${what}; ${bad.length ? `non-finite weights in ${list}` : 'all weights still finite'}`;
    return new DivergenceError(
      `${network} diverged at ${where}${loc}: ${detail}`,
      network,
      what,
      updateStep,
      at,
      bad.map((b) => b.name),
    );
  }
}
