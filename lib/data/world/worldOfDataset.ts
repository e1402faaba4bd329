/**
 * The default world a dataset was generated from (source 'world'), rebuilt from the config in its
 * manifest: deterministic, and the recorded calibrated offsets spare the calibration pilot runs.
 * The ground-truth user model (TrueModelBackend) and the simulator's truth gap need it.
 */
import { UsageError } from '../../util/errors';
import type { PreparedDataset } from '../prepare/preparedDataset';
import { buildWorld, type World } from './world';
import type { WorldConfig } from './worldConfig';

type WorldSourceInfo = { config?: Partial<WorldConfig>; bias?: { clickBias: number; orderBias: number } } | null;

/** Whether the dataset was generated from the default world (and records its config). */
export function isWorldDataset(ds: PreparedDataset): boolean {
  return ds.manifest.source === 'world' && !!(ds.manifest.sourceInfo as WorldSourceInfo)?.config;
}

/**
 * `notFromWorld` words the error for a dataset of another source (default: a generic UsageError),
 * e.g. to name the command-line option that asked for the ground truth.
 */
export function worldOfDataset(ds: PreparedDataset, notFromWorld?: () => Error): World {
  const info = ds.manifest.sourceInfo as WorldSourceInfo;
  if (!isWorldDataset(ds) || !info?.config) {
    throw notFromWorld?.() ?? new UsageError('the ground-truth user model exists only for datasets generated from the default world');
  }
  return buildWorld(info.bias ? { ...info.config, calibrate: false, clickBias: info.bias.clickBias, orderBias: info.bias.orderBias } : info.config);
}
