/**
 * Trainer checkpoints: one folder, written atomically (writeDirAtomic), that makes training
 * resumable bit-identically:
 *   agent/          agent.saveCheckpoint: networks + targets + Adam state (TF.js artifacts),
 *                   replay buffers, every agent Rng state, exploration counter, agent.json
 *   trainer.json    trainer config, counters, the training log so far, the open log window
 *
 * Checkpoints are taken between session batches. The environment needs no saved state: the trainer
 * builds a fresh RecEnv for every batch, seeded from (trainer seed, batch index), so batch k is the
 * same whether or not the run was interrupted before it. (RecEnv has no get/setState for its Rngs.)
 */
import * as path from 'node:path';
import { writeDirAtomic, writeJsonAtomic } from '../util/atomic';
import { InputError, UsageError } from '../util/errors';
import { canonicalJson, readJson } from './agentStore';
import type { TrainableAgent } from './agent';
import type { TrainerConfig } from './agentConfig';
import type { LogWindowState, TrainLogEntry } from './trainLog';

export const TRAINER_FORMAT = 'hrl-mg/trainer-checkpoint';

export interface TrainerCheckpoint {
  format: string;
  method: string;
  config: TrainerConfig;
  /** Batch geometry the run was made with. */
  B: number;
  T: number;
  episodes: number;
  steps: number;
  entries: TrainLogEntry[];
  window: LogWindowState;
  /** Seconds of training before this checkpoint (informational). */
  seconds: number;
}

/** Config fields that change the trajectory: a resumed run must use the same values. */
const TRAJECTORY_KEYS: (keyof TrainerConfig)[] = ['seed', 'updatesPerStep', 'logEvery'];

export async function writeTrainerCheckpoint(dir: string, agent: TrainableAgent, ck: TrainerCheckpoint): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    await agent.saveCheckpoint(path.join(tmp, 'agent'));
    writeJsonAtomic(path.join(tmp, 'trainer.json'), ck);
  });
}

/** Read trainer.json and restore the agent's state; checks that the run is the same. */
export async function readTrainerCheckpoint(dir: string, agent: TrainableAgent, cfg: TrainerConfig): Promise<TrainerCheckpoint> {
  const file = path.join(dir, 'trainer.json');
  const ck = readJson<TrainerCheckpoint>(file);
  if (ck.format !== TRAINER_FORMAT) throw new InputError(file, 0, `format is '${ck.format}', expected '${TRAINER_FORMAT}'`);
  if (ck.method !== agent.method) throw new UsageError(`${dir}: checkpoint of a '${ck.method}' run, the agent is '${agent.method}'`);
  for (const k of TRAJECTORY_KEYS) {
    if (canonicalJson(ck.config[k]) !== canonicalJson(cfg[k])) {
      throw new UsageError(`${dir}: trainer.${k} was ${JSON.stringify(ck.config[k])} in the checkpointed run, now ${JSON.stringify(cfg[k])}; a resumed run must keep it`);
    }
  }
  await agent.loadCheckpoint(path.join(dir, 'agent'));
  return ck;
}
