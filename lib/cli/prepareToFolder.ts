/**
 * The step `generate` and `prepare` share: prepare a log and save the dataset folder, streaming
 * (bounded memory, same bytes) when asked or when the log is large.
 */
import { saveDataset } from '../data/dataset';
import type { DatasetManifest, PrepareConfig, PrepareOptions } from '../data/prepare';
import { prepareDataset } from '../data/prepare';
import { streamPrepareDataset } from '../data/stream';
import type { EventLog } from '../data/schema';
import { status } from './command';

export async function prepareToFolder(
  log: EventLog,
  out: string,
  config: Partial<PrepareConfig>,
  opts: PrepareOptions,
  stream: boolean,
): Promise<DatasetManifest> {
  if (stream) return streamPrepareDataset(log, out, config, opts);
  const ds = await prepareDataset(log, config, opts);
  status(`saving to ${out}...`);
  return saveDataset(out, ds);
}
