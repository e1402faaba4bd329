/**
 * The user model a CLI test runs against: the learned simulator (a folder written by fit-simulator)
 * or the default world's ground truth (rebuilt from the dataset's manifest). Shared by `evaluate`
 * and `oracles`; errors name the folder and what to do instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../util/errors';
import type { PreparedDataset } from '../data/prepare/preparedDataset';
import { isWorldDataset, worldOfDataset } from '../data/world/worldOfDataset';
import { Simulator } from '../sim/simulator';
import { SimulatorBackend } from '../sim/simulatorBackend';
import { TrueModelBackend } from '../sim/trueModelBackend';
import type { UserBackend } from '../sim/userBackend';

export type UserModelKind = 'sim' | 'truth';

export interface OpenUserModel {
  kind: UserModelKind;
  backend: UserBackend;
  /** Resolved simulator folder (kind 'sim'), else null. */
  sim: string | null;
  dispose(): void;
}

/** The ground-truth backend of a default-world dataset (a clear error for any other dataset). */
export function truthBackend(ds: PreparedDataset, dataDir: string, what: string): TrueModelBackend {
  if (!isWorldDataset(ds)) {
    throw new UsageError(`${what} needs a dataset generated from the default world (hrlmg generate); ${dataDir} has source '${ds.manifest.source}' (no ground-truth user model)`);
  }
  return new TrueModelBackend(worldOfDataset(ds), ds);
}

export async function openUserModel(kind: string, ds: PreparedDataset, dataDir: string, simDir: string | undefined): Promise<OpenUserModel> {
  if (kind === 'truth') {
    if (simDir !== undefined) throw new UsageError('--sim is only used with --backend sim');
    return { kind, backend: truthBackend(ds, dataDir, '--backend truth'), sim: null, dispose() {} };
  }
  if (kind !== 'sim') throw new UsageError(`--backend must be sim or truth, got "${kind}"`);
  if (!simDir) throw new UsageError('--backend sim needs --sim DIR (a simulator folder written by fit-simulator)');
  if (!fs.existsSync(path.join(simDir, 'simulator.json'))) throw new UsageError(`--sim ${simDir}: no simulator there (simulator.json missing; write one with hrlmg fit-simulator)`);
  const sim = await Simulator.load(simDir);
  return { kind, backend: new SimulatorBackend(sim), sim: path.resolve(simDir), dispose: () => sim.dispose() };
}
