/**
 * Resumable stages. Every stage (and every independent run inside a stage) writes its outputs
 * atomically and then a record naming the hash of its resolved config and inputs; a later run with
 * the same hash finds the record, checks its outputs still exist, and skips the work.
 *
 *   const hash = stageHash('simulator', cfg, { data: dataHash, backend: 'wasm' });
 *   const rec = cachedRecord(recordFile, hash, outDir);      // null => (re)run the stage
 *   ...write outputs atomically...
 *   writeStageRecord(recordFile, { stage: 'simulator', hash, config: cfg, inputs, outputs, seconds });
 *
 * The record is written last: a crash in between leaves no record (or the old one with another
 * hash), so the stage simply runs again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../util/atomic';
import { kitVersion } from '../util/versions';
import { configHash } from '../util/hash';

export const STAGE_FORMAT = 'hrlmg-stage';
/** Bump when a stage's outputs change meaning: every cached result is then recomputed. */
export const STAGE_FORMAT_VERSION = 1;

export interface StageRecord {
  format: typeof STAGE_FORMAT;
  formatVersion: number;
  /** Stage name, e.g. 'data', 'train', or 'train/hrl-mg-s0' for one run. */
  stage: string;
  hash: string;
  /** The resolved config the hash covers. */
  config: unknown;
  /** Hashes (or identities) of the inputs the hash covers: upstream stages, backend, kit version. */
  inputs: Record<string, unknown>;
  /** Output paths relative to the record's base folder; all must exist for the record to count. */
  outputs: string[];
  /** Wall seconds the stage took when it ran. */
  seconds: number;
  finishedAt: string;
  /** Anything else worth keeping (run metadata, counts). */
  info?: Record<string, unknown>;
}

/** The hash of a stage: its name, resolved config, inputs, the record format and the kit version. */
export function stageHash(stage: string, config: unknown, inputs: Record<string, unknown>): string {
  return configHash({ format: STAGE_FORMAT, formatVersion: STAGE_FORMAT_VERSION, kit: kitVersion(), stage, config, inputs });
}

/** The record in `file`, or null when missing or unreadable. */
export function readStageRecord(file: string): StageRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as StageRecord;
    return r && r.format === STAGE_FORMAT && typeof r.hash === 'string' ? r : null;
  } catch {
    return null;
  }
}

/**
 * The record in `file` when it has `hash` and every output it lists (relative to `baseDir`)
 * exists; otherwise null (the stage must run).
 */
export function cachedRecord(file: string, hash: string, baseDir: string): StageRecord | null {
  const r = readStageRecord(file);
  if (!r || r.hash !== hash || r.formatVersion !== STAGE_FORMAT_VERSION) return null;
  for (const o of r.outputs) if (!fs.existsSync(path.join(baseDir, o))) return null;
  return r;
}

/** Write a stage record atomically (after the outputs). */
export function writeStageRecord(file: string, r: Omit<StageRecord, 'format' | 'formatVersion' | 'finishedAt'>): StageRecord {
  const rec: StageRecord = { format: STAGE_FORMAT, formatVersion: STAGE_FORMAT_VERSION, ...r, finishedAt: new Date().toISOString() };
  writeJsonAtomic(file, rec);
  return rec;
}
