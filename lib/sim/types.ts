/**
 * What lib/sim needs from a prepared dataset (a structural subset of data/dataset's
 * PreparedDataset, so tests can build small ones by hand).
 */
import type { EventLog, ItemTable } from '../data/schema';

/** One split: its log and the histories at each row BEFORE that row's impression ([rows*N]). */
export interface SimSplit {
  log: EventLog;
  browsed: Int32Array;
  clicked: Int32Array;
  ordered: Int32Array;
}

export interface SimDataset {
  items: ItemTable;
  /** Item embedding table [nItems*E]. */
  embeddings: Float32Array;
  train: SimSplit;
  test: SimSplit;
}

/** History length N of a split (histories are [rows*N]). */
export function historyLength(split: SimSplit): number {
  const rows = split.log.item.length;
  if (rows === 0) throw new Error('split has no rows');
  return split.browsed.length / rows;
}
