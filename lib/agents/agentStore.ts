/**
 * Files shared by every agent's save / checkpoint folder:
 *   agent.json     { format, method, config, nItems, E }  (the JSON config that rebuilds the agent)
 *   runtime.json   exploration counter and every Rng state (checkpoints only)
 *   replay-*.bin   replay buffer snapshots (checkpoints only; ReplayBuffer.serialize)
 *   <net>/         TF.js artifacts written by DdpgCore.save / RewardNet.save
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DdpgCore } from './ddpgCore';
import { InputError, UsageError } from '../util/errors';
import type { RngState } from '../util/rng';
import { canonicalJson } from '../util/hash';

/** Config comparison independent of key order (the kit's one canonical JSON, lib/util/hash.ts). */
export { canonicalJson };

export const AGENT_FORMAT = 'hrl-mg/agent';

export interface AgentJson {
  format: string;
  /** Method id (methods.ts). */
  method: string;
  config: Record<string, unknown>;
  nItems: number;
  E: number;
}

export interface AgentRuntime {
  exploreSteps: number;
  rngs: Record<string, Record<string, RngState>>;
  /** Update counters per level. */
  updates: { low: number; high: number };
}

export function agentJson(method: string, config: Record<string, unknown>, nItems: number, E: number): AgentJson {
  return { format: AGENT_FORMAT, method, config, nItems, E };
}

export function readJson<T>(file: string): T {
  if (!fs.existsSync(file)) throw new InputError(file, 0, 'not found');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new InputError(file, 0, `not valid JSON (${(e as Error).message})`);
  }
}

export function readAgentJson(dir: string): AgentJson {
  const file = path.join(dir, 'agent.json');
  const j = readJson<AgentJson>(file);
  if (j.format !== AGENT_FORMAT) throw new InputError(file, 0, `format is '${j.format}', expected '${AGENT_FORMAT}'`);
  if (!j.config || typeof j.config !== 'object') throw new InputError(file, 0, 'lacks config');
  return j;
}

/** Throw unless the folder's agent.json describes this very agent (method, config, catalog). */
export function checkSameAgent(dir: string, method: string, config: Record<string, unknown>, nItems: number): AgentJson {
  const j = readAgentJson(dir);
  if (j.method !== method) throw new UsageError(`${dir}: checkpoint of a '${j.method}' agent, this agent is '${method}'`);
  if (j.nItems !== nItems) throw new UsageError(`${dir}: checkpoint for ${j.nItems} items, this agent has ${nItems}`);
  if (canonicalJson(j.config) !== canonicalJson(config)) {
    throw new UsageError(`${dir}: checkpoint config differs from this agent's:\n  saved: ${canonicalJson(j.config)}\n  agent: ${canonicalJson(config)}`);
  }
  return j;
}

/** Overwrite `core`'s networks, targets, Adam state and counters with those saved in `dir`. */
export async function loadCoreInto(core: DdpgCore, dir: string, table: Float32Array): Promise<void> {
  const saved = await DdpgCore.load(dir, table);
  try {
    core.setWeights(saved.getWeights());
  } finally {
    saved.dispose();
  }
}

export function coreArrays(core: DdpgCore): Float32Array[] {
  const w = core.getWeights();
  return [w.actor, w.critic, w.actorTarget, w.criticTarget, w.actorAdam.m, w.actorAdam.v, w.criticAdam.m, w.criticAdam.v];
}

export function writeBytes(file: string, data: Uint8Array | string): void {
  fs.writeFileSync(file, data);
}

export function readBytes(file: string): Buffer {
  if (!fs.existsSync(file)) throw new InputError(file, 0, 'not found');
  return fs.readFileSync(file);
}
