/**
 * Building and loading agents by method name (the method registry, methods.ts).
 *
 *   const agent = createAgent('hrl-mg', ds.embeddings, { c: 10 }, new Rng(seed).fork('agent'));
 *   await agent.save('runs/x/agent');  const back = await loadAgent('runs/x/agent', ds.embeddings);
 */
import { Rng } from '../util/rng';
import { hasMethod, methodOf, resolveMethodConfig } from './methods';
import { readAgentJson } from './agentStore';
import { InputError } from '../util/errors';
import type { TrainableAgent } from './agent';
import * as path from 'node:path';

/** A learning agent of `method`; the config is validated (ConfigError) before any network is built. */
export function createAgent(method: string, table: Float32Array, overrides: object = {}, rng: Rng = new Rng(0)): TrainableAgent {
  resolveMethodConfig(method, overrides); // fail fast, also for an unknown method
  return methodOf(method).create(table, overrides, rng);
}

/**
 * An agent saved by `save()` (or a checkpoint folder): rebuilt from agent.json, weights loaded.
 * `rng` seeds the (irrelevant for evaluation) exploration streams.
 */
export async function loadAgent(dir: string, table: Float32Array, rng: Rng = new Rng(0)): Promise<TrainableAgent> {
  const j = readAgentJson(dir);
  if (!hasMethod(j.method)) throw new InputError(path.join(dir, 'agent.json'), 0, `unknown method '${j.method}'`);
  if (table.length !== j.nItems * j.E) {
    throw new InputError(path.join(dir, 'agent.json'), 0, `agent was saved for ${j.nItems} items of dimension ${j.E}; the given table has ${table.length} values`);
  }
  const agent = createAgent(j.method, table, j.config, rng);
  await agent.loadWeights(dir);
  return agent;
}
