/**
 * Which sessions go to the training split and which to the test split, by day index
 * (EventLog.sessionDay). Default: test = the last days of the log, enough of them for the test
 * figures (testSplit.ts; a two-day log: the last day, as in the paper: train Aug. 11th, test
 * Aug. 12th), train = every earlier day.
 */
import { ConfigError } from '../../util/errors';
import { EventLog } from '../schema';
import { PrepareConfig } from './config';
import { chooseTestDays, dayCounts, sessionOrdersOf } from './testSplit';

export const SPLIT_TRAIN = 0;
export const SPLIT_TEST = 1;
export const SPLIT_DROPPED = -1;

export interface SplitDays {
  train: number[];
  test: number[];
  /** Per session of the input log: SPLIT_TRAIN, SPLIT_TEST or SPLIT_DROPPED (day in neither split). */
  sessionSplit: Int8Array; // [nSessions]
}

export type SplitConfig = Pick<PrepareConfig, 'trainDays' | 'testDays' | 'testMinSessions' | 'testMinOrders' | 'testMaxShare'>;

/**
 * `sessionOrders`: ordered impressions per session, for the default test split; by default counted
 * from the log's rows (the streaming path passes them, its pass-1 log has none).
 */
export function splitDays(log: EventLog, cfg: SplitConfig, sessionOrders: ArrayLike<number> | null = sessionOrdersOf(log)): SplitDays {
  const present = Array.from(new Set(Array.from(log.sessionDay))).sort((a, b) => a - b);
  if (present.length === 0) throw new ConfigError('prepare', 'testDays', `the log (${log.source}) has no sessions`);
  const test = cfg.testDays.length ? [...cfg.testDays].sort((a, b) => a - b) : chooseTestDays(dayCounts(log.sessionDay, sessionOrders), cfg);
  const train = cfg.trainDays.length ? [...cfg.trainDays].sort((a, b) => a - b) : present.filter((d) => d < test[0]);
  const has = (d: number): boolean => present.includes(d);
  if (!train.some(has)) {
    throw new ConfigError('prepare', 'trainDays', `no training sessions: train days [${train.join(', ')}], the log (${log.source}) has days [${present.join(', ')}]`);
  }
  if (!test.some(has)) {
    throw new ConfigError('prepare', 'testDays', `no test sessions: test days [${test.join(', ')}], the log (${log.source}) has days [${present.join(', ')}]`);
  }
  const isTrain = new Set(train);
  const isTest = new Set(test);
  const sessionSplit = new Int8Array(log.nSessions);
  for (let s = 0; s < log.nSessions; s++) {
    const d = log.sessionDay[s];
    sessionSplit[s] = isTrain.has(d) ? SPLIT_TRAIN : isTest.has(d) ? SPLIT_TEST : SPLIT_DROPPED;
  }
  return { train, test, sessionSplit };
}
