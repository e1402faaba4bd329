/**
 * The prepared dataset: filtered item table, item embeddings, and the train/test splits with the
 * state histories of every row. What the simulator, the agents and the evaluation read.
 */
import { UsageError } from '../../util/errors';
import { EmbeddingInfo } from '../embeddings/itemEmbeddings';
import { EventLog, ItemTable } from '../schema';
import { PrepareConfig } from './config';
import { FunnelStats } from './funnelStats';
import { FilterReport } from './longTailFilter';

export const DATASET_FORMAT = 'hrlmg-prepared-dataset';
export const DATASET_FORMAT_VERSION = 1;

export interface SplitData {
  /** The split's rows; item indices in the filtered item space, users shared by both splits. */
  log: EventLog;
  /** History length. */
  N: number;
  /** Last N browsed / clicked / ordered items before each row: item index + 1, 0 = padding, left-padded. */
  browsed: Int32Array; // [rows*N]
  clicked: Int32Array; // [rows*N]
  ordered: Int32Array; // [rows*N]
}

export interface ManifestFile {
  /** Column name, e.g. 'train.browsed'. */
  name: string;
  /** File name inside the dataset folder. */
  file: string;
  dtype: 'float64' | 'float32' | 'int32' | 'uint8';
  shape: number[];
  bytes: number;
  sha256: string;
}

export interface DatasetManifest {
  format: typeof DATASET_FORMAT;
  formatVersion: number;
  kitVersion: string;
  createdAt: string;
  /** EventLog.source of the input ('world', 'taobao', ...). */
  source: string;
  /** How the input was made (world config, or adapter + input files + options): enough to rebuild it. */
  sourceInfo: unknown;
  config: PrepareConfig;
  days: { train: number[]; test: number[] };
  sizes: {
    nItems: number;
    nCategories: number;
    nUsers: number;
    N: number;
    embeddingDim: number;
    itemExtra: string[];
    train: { rows: number; sessions: number };
    test: { rows: number; sessions: number };
  };
  filter: FilterReport;
  statistics: { train: FunnelStats; test: FunnelStats };
  embedding: EmbeddingInfo;
  /** Seconds per preparation step. */
  timings: Record<string, number>;
  /** Written by saveDataset (empty before the dataset is saved). */
  files: ManifestFile[];
}

/** util/versions pulls in tfjs (via backend.ts); load it only when a dataset is actually made. */
function kitVersionLazy(): string {
  return (require('../../util/versions') as typeof import('../../util/versions')).kitVersion();
}

/** What a preparation run knows when it describes its dataset (the in-memory and streaming paths alike). */
export interface ManifestParts {
  source: string;
  sourceInfo: unknown;
  config: PrepareConfig;
  days: { train: number[]; test: number[] };
  items: ItemTable;
  nUsers: number;
  train: { rows: number; sessions: number };
  test: { rows: number; sessions: number };
  filter: FilterReport;
  statistics: { train: FunnelStats; test: FunnelStats };
  embedding: EmbeddingInfo;
  timings: Record<string, number>;
}

/** The manifest of a newly prepared dataset (files are listed when it is saved). */
export function newManifest(p: ManifestParts): DatasetManifest {
  return {
    format: DATASET_FORMAT,
    formatVersion: DATASET_FORMAT_VERSION,
    kitVersion: kitVersionLazy(),
    createdAt: new Date().toISOString(),
    source: p.source,
    sourceInfo: p.sourceInfo ?? null,
    config: p.config,
    days: { train: p.days.train, test: p.days.test },
    sizes: {
      nItems: p.items.n,
      nCategories: p.items.nCategories,
      nUsers: p.nUsers,
      N: p.config.N,
      embeddingDim: p.config.embeddingDim,
      itemExtra: Object.keys(p.items.extra),
      train: { rows: p.train.rows, sessions: p.train.sessions },
      test: { rows: p.test.rows, sessions: p.test.sessions },
    },
    filter: p.filter,
    statistics: p.statistics,
    embedding: p.embedding,
    timings: p.timings,
    files: [],
  };
}

export interface PreparedDataset {
  manifest: DatasetManifest;
  items: ItemTable;
  embeddings: Float32Array; // [nItems*E]
  train: SplitData;
  test: SplitData;
}

function checkSession(split: SplitData, s: number): void {
  if (!(Number.isInteger(s) && s >= 0 && s < split.log.nSessions)) throw new UsageError(`session ${s} outside [0, ${split.log.nSessions})`);
}

/** Rows [start, end) of session s. */
export function sessionRows(split: SplitData, s: number): { start: number; end: number } {
  checkSession(split, s);
  return { start: split.log.sessionStart[s], end: split.log.sessionStart[s + 1] };
}

export interface HistoryState {
  browsed: Int32Array; // [N]
  clicked: Int32Array; // [N]
  ordered: Int32Array; // [N]
}

/** The histories at row r (views into the split's arrays: copy before mutating). */
export function stateAt(split: SplitData, r: number): HistoryState {
  if (!(Number.isInteger(r) && r >= 0 && r < split.log.item.length)) throw new UsageError(`row ${r} outside [0, ${split.log.item.length})`);
  const N = split.N;
  return {
    browsed: split.browsed.subarray(r * N, (r + 1) * N),
    clicked: split.clicked.subarray(r * N, (r + 1) * N),
    ordered: split.ordered.subarray(r * N, (r + 1) * N),
  };
}

/**
 * The state a new session s starts from: the histories at its first row, i.e. collected from the
 * user's previous sessions (paper Sec. 4.1). Views: copy before mutating.
 */
export function initialState(split: SplitData, s: number): HistoryState {
  checkSession(split, s);
  return stateAt(split, split.log.sessionStart[s]);
}

/** Distinct users with at least one session in the split, ascending. */
export function usersOf(split: SplitData): Int32Array {
  const out: number[] = [];
  const su = split.log.sessionUser;
  for (let s = 0; s < su.length; s++) if (s === 0 || su[s] !== su[s - 1]) out.push(su[s]);
  return Int32Array.from(out);
}

/** Sessions of each user in the split: sessions [start[u], start[u+1]) belong to user u (CSR over all nUsers). */
export function userSessionIndex(split: SplitData): Int32Array {
  const start = new Int32Array(split.log.nUsers + 1);
  for (let s = 0; s < split.log.nSessions; s++) start[split.log.sessionUser[s] + 1]++;
  for (let u = 0; u < split.log.nUsers; u++) start[u + 1] += start[u];
  return start;
}
