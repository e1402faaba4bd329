/**
 * The method registry: everything the kit needs to know about a learning method, in one entry.
 * The factory (createAgent / loadAgent), the divergence guard, `hrlmg train`, the reproduce plan
 * (main comparison, job costs), the figures, the summary and notebook 04 all read it, so a new method
 * is one new file (its agent + its MethodDef) plus one line in BUILTIN_METHODS below (or, from a
 * script or test, one `registerMethod(def)` call before the work starts).
 *
 *   const m = methodOf('hrl-mg');                 // UsageError naming the known methods
 *   const cfg = m.resolve({ c: 12 });              // ConfigError before any network is built
 *   const agent = m.create(ds.embeddings, cfg, new Rng(0).fork('agent/hrl-mg'));
 *
 * Registered methods live in this process: reproduce's worker threads know the built-in methods
 * only, so a method registered at run time must run with `--workers 1` (reproduce checks this).
 */
import type { Spec } from '../util/config';
import { ConfigError, UsageError } from '../util/errors';
import type { Rng } from '../util/rng';
import type { TrainableAgent } from './agent';
import { agentSpecs, resolveAgentConfig } from './agentConfig';
import { DnnAgent } from './dnnAgent';
import { HrlMgAgent } from './hrlmg';

/** How the divergence guard reads a method's update statistics and weight arrays. */
export interface GuardInfo {
  /** Name of the level reported in `UpdateInfo.low`, e.g. 'low-level', 'DNN reward net'. */
  lowLevel: string;
  /** The method's low level is a plain regression: only its loss is meaningful (no actor loss, no Q). */
  lossOnly: boolean;
}

export interface MethodDef {
  /** Folder-safe id, as in agent.json, run ids and --method: 'hrl-mg', 'dnn', ... */
  id: string;
  /** Display name in tables, figures and the summary: 'HRL-MG', 'DNN', ... */
  label: string;
  /** One line for --help and docs. */
  summary: string;
  /** The typed config (every field with default and doc; lib/util/config.ts). */
  spec: Spec;
  /** Validate overrides into the method's resolved config (ConfigError naming the key). */
  resolve(overrides: object): Record<string, unknown>;
  /** A fresh agent. `config` may be partial: the agent resolves it (same rules as `resolve`). */
  create(table: Float32Array, config: object, rng: Rng): TrainableAgent;
  /** Names of agent.weightArrays() in order (divergence messages name the network). */
  weightNames(agent: TrainableAgent): string[];
  guard: GuardInfo;
  /** Relative cost of one lock-step training step (scheduling: the longest jobs start first). */
  stepCost(config: Record<string, unknown>): number;
  /**
   * Place in the main comparison of `reproduce` (paper Section 4.2: DNN 1, DDPG 2, HRL 3, HRL-MG 4),
   * lower first; null: not part of it. HRL-MG is the method every other one is compared with.
   */
  mainRank: number | null;
}

const CORE_PARTS = ['actor', 'critic', 'actor target', 'critic target', 'actor Adam m', 'actor Adam v', 'critic Adam m', 'critic Adam v'];

/** agentStore.coreArrays layout: low level, then the high level when the agent has goals. */
function hierWeightNames(agent: TrainableAgent): string[] {
  const low = CORE_PARTS.map((p) => `low-level ${p}`);
  return agent.M > 0 ? [...low, ...CORE_PARTS.map((p) => `high-level ${p}`)] : low;
}

const ACTOR_CRITIC: GuardInfo = { lowLevel: 'low-level', lossOnly: false };

function hier(id: 'hrl-mg' | 'hrl' | 'ddpg', label: string, summary: string, mainRank: number, stepCost: (c: Record<string, unknown>) => number): MethodDef {
  return {
    id, label, summary, spec: agentSpecs[id], mainRank, stepCost,
    resolve: (o) => resolveAgentConfig(id, o) as unknown as Record<string, unknown>,
    create: (table, config, rng) => new HrlMgAgent(id, table, config, rng),
    weightNames: hierWeightNames,
    guard: ACTOR_CRITIC,
  };
}

/** The built-in methods, in the order they are listed (--help, errors, plan sections). */
export const BUILTIN_METHODS: readonly MethodDef[] = [
  hier('hrl-mg', 'HRL-MG', 'the paper: M goals per period of c steps, internal reward, benefit assignment', 4, (c) => 1 + 0.05 * Number(c.M ?? 2)),
  hier('hrl', 'HRL', 'HRL-MG with one goal per period (M = 1)', 3, () => 1),
  hier('ddpg', 'DDPG', 'the low-level agent alone: no goals, r_low = r_ex', 2, () => 0.5),
  {
    id: 'dnn', label: 'DNN', summary: 'an LCritic-like net regressing the immediate reward, greedy over the candidates',
    spec: agentSpecs.dnn, mainRank: 1, stepCost: () => 0.25,
    resolve: (o) => resolveAgentConfig('dnn', o) as unknown as Record<string, unknown>,
    create: (table, config, rng) => new DnnAgent(table, config, rng),
    weightNames: () => ['DNN reward net', 'DNN reward net Adam m', 'DNN reward net Adam v'],
    guard: { lowLevel: 'DNN reward net', lossOnly: true },
  },
];

const registry = new Map<string, MethodDef>(BUILTIN_METHODS.map((m) => [m.id, m]));

/** Add a method (ids are unique; an id must be folder-safe). Returns a function removing it again. */
export function registerMethod(def: MethodDef): () => void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(def.id)) throw new UsageError(`registerMethod: id must be lower-case letters, digits and '-', got '${def.id}'`);
  if (registry.has(def.id)) throw new UsageError(`registerMethod: method '${def.id}' is already registered`);
  registry.set(def.id, def);
  return () => {
    if (registry.get(def.id) === def) registry.delete(def.id);
  };
}

/** Every registered method, built-ins first. */
export function methods(): MethodDef[] {
  return [...registry.values()];
}

export function methodIds(): string[] {
  return [...registry.keys()];
}

export function hasMethod(id: string): boolean {
  return registry.has(id);
}

export function isBuiltinMethod(id: string): boolean {
  return BUILTIN_METHODS.some((m) => m.id === id);
}

/** The method `id`; UsageError naming the known ones. */
export function methodOf(id: string): MethodDef {
  const m = registry.get(id);
  if (!m) throw new UsageError(`unknown method '${id}' (known: ${methodIds().join(', ')})`);
  return m;
}

/** Validate a config of method `id` (ConfigError for an unknown method too, as resolveAgentConfig). */
export function resolveMethodConfig(id: string, overrides: object = {}): Record<string, unknown> {
  const m = registry.get(id);
  if (!m) throw new ConfigError('agent', 'method', `must be one of ${methodIds().join(', ')}, got ${JSON.stringify(id)}`);
  return m.resolve(overrides);
}

/** The methods of the main comparison in their order (paper Section 4.2: DNN, DDPG, HRL, HRL-MG). */
export function mainMethods(): MethodDef[] {
  return methods()
    .filter((m) => m.mainRank !== null)
    .sort((a, b) => (a.mainRank as number) - (b.mainRank as number));
}

/** Display label of a method id (the id itself when unknown, e.g. results of another kit). */
export function methodLabel(id: string): string {
  return registry.get(id)?.label ?? id;
}
