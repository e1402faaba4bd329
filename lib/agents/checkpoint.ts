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
 *
 * Crash safety: writeDirAtomic replaces a folder by renaming the old one aside (`<dir>.tmp-*-old`)
 * and the new one into place; a process killed between the two renames leaves no `<dir>` but a
 * complete `-old` sibling. findTrainerCheckpoint / readTrainerCheckpoint fall back to it, so a
 * checkpoint is never lost. (The `train` command keeps numbered checkpoints instead:
 * lib/reliability/checkpointStore.ts.)
 */
import * as fs from 'node:fs';
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
  for (const old of oldSiblings(dir)) fs.rmSync(old, { recursive: true, force: true }); // left by a killed earlier write
}

/** Complete previous versions of `dir` renamed aside by an interrupted writeDirAtomic, newest first. */
function oldSiblings(dir: string): string[] {
  const parent = path.dirname(path.resolve(dir));
  const prefix = `${path.basename(path.resolve(dir))}.tmp-`;
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith('-old') && fs.existsSync(path.join(parent, n, 'trainer.json')))
    .map((n) => path.join(parent, n))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
}

/**
 * The folder holding the checkpoint `dir`: `dir` itself, or (when a crash hit between the two
 * renames of an atomic replacement) its complete previous version; null when there is none.
 */
export function findTrainerCheckpoint(dir: string): string | null {
  if (fs.existsSync(path.join(dir, 'trainer.json'))) return dir;
  return oldSiblings(dir)[0] ?? null;
}

/** Read trainer.json and restore the agent's state; checks that the run is the same. */
export async function readTrainerCheckpoint(dir: string, agent: TrainableAgent, cfg: TrainerConfig): Promise<TrainerCheckpoint> {
  dir = findTrainerCheckpoint(dir) ?? dir;
  const file = path.join(dir, 'trainer.json');
  const ck = readJson<TrainerCheckpoint>(file);
  if (ck === null || typeof ck !== 'object') throw new InputError(file, 0, 'must be a JSON object');
  if (ck.format !== TRAINER_FORMAT) throw new InputError(file, 0, `format is '${ck.format}', expected '${TRAINER_FORMAT}'`);
  const count = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  for (const k of ['B', 'T', 'episodes', 'steps'] as const) if (!count(ck[k])) throw new InputError(file, 0, `${k} must be a non-negative integer, got ${JSON.stringify(ck[k])}`);
  if (!ck.config || typeof ck.config !== 'object') throw new InputError(file, 0, 'config missing');
  if (!Array.isArray(ck.entries)) throw new InputError(file, 0, 'entries must be a list');
  if (!ck.window || typeof ck.window !== 'object') throw new InputError(file, 0, 'window missing');
  if (ck.method !== agent.method) throw new UsageError(`${dir}: checkpoint of a '${ck.method}' run, the agent is '${agent.method}'`);
  for (const k of TRAJECTORY_KEYS) {
    if (canonicalJson(ck.config[k]) !== canonicalJson(cfg[k])) {
      throw new UsageError(`${dir}: trainer.${k} was ${JSON.stringify(ck.config[k])} in the checkpointed run, now ${JSON.stringify(cfg[k])}; a resumed run must keep it`);
    }
  }
  await agent.loadCheckpoint(path.join(dir, 'agent'));
  return ck;
}
