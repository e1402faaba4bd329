/**
 * `reproduce --data DIR`: start from a dataset folder already prepared (by generate, prepare or an
 * earlier reproduce) instead of reading a raw log again. The data stage's identity is the folder's
 * manifest (which holds the sha256 of every column), so an unchanged folder is a cached stage; the
 * folder is verified (every checksum) and saved into <out>/data, as any prepared source is.
 */
import * as path from 'node:path';
import { loadDataset, readManifest, saveDataset } from '../data/dataset';
import type { DatasetManifest } from '../data/prepare/preparedDataset';
import { fileSha256 } from './hash';

/** What the data stage hashes and records for a prepared folder. */
export function preparedSourceKey(dir: string): { kind: 'prepared'; dataset: string; manifestSha256: string } {
  const m = readManifest(dir);
  return { kind: 'prepared', dataset: m.source, manifestSha256: fileSha256(path.join(dir, 'manifest.json')) };
}

/** Verify the folder and save it as `dataDir` (nothing to do when it already is that folder). */
export async function usePreparedDataset(dir: string, dataDir: string): Promise<DatasetManifest> {
  if (path.resolve(dir) === path.resolve(dataDir)) return loadDataset(dir).manifest;
  return saveDataset(dataDir, loadDataset(dir));
}
