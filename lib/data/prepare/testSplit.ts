/**
 * The default test split (`testDays: []`): the last days of the log, as many as it takes for the
 * test split to hold enough sessions and orders for the figures it feeds (offline re-ranking,
 * simulator fidelity, order AUC), within a cap on its share of the sessions.
 *
 * Rule: start with the last day; walk back one day at a time while the test split holds fewer than
 * `testMinSessions` sessions or fewer than `testMinOrders` ordered impressions, as long as adding
 * the day keeps the test split at most `testMaxShare` of all sessions and leaves at least one day
 * for training. A two-day log (the default synthetic world) is thus always day 0 train, day 1 test,
 * as in the paper (train Aug. 11th, test Aug. 12th). A log too small to reach the minimums gets the
 * days the cap allows; the summary then warns that its figures rest on too few sessions.
 */
import { EventLog, Feedback } from '../schema';

export interface TestSplitRule {
  testMinSessions: number;
  testMinOrders: number;
  testMaxShare: number;
}

/** Sessions and ordered impressions per day present in the log (days ascending). */
export interface DayCounts {
  days: number[];
  sessions: number[];
  orders: number[];
}

/** Ordered impressions per session of a log (null when the log carries no rows, e.g. streaming pass 1). */
export function sessionOrdersOf(log: Pick<EventLog, 'nSessions'> & Partial<Pick<EventLog, 'feedback' | 'sessionStart'>>): Int32Array | null {
  if (!log.feedback || !log.sessionStart) return null;
  const out = new Int32Array(log.nSessions);
  for (let s = 0; s < log.nSessions; s++) {
    let n = 0;
    for (let r = log.sessionStart[s]; r < log.sessionStart[s + 1]; r++) if (log.feedback[r] === Feedback.Order) n++;
    out[s] = n;
  }
  return out;
}

/** Count sessions and orders per day. `sessionOrders` null counts no orders (the order minimum then cannot be met). */
export function dayCounts(sessionDay: ArrayLike<number>, sessionOrders: ArrayLike<number> | null): DayCounts {
  const s = new Map<number, number>();
  const o = new Map<number, number>();
  for (let i = 0; i < sessionDay.length; i++) {
    const d = sessionDay[i];
    s.set(d, (s.get(d) ?? 0) + 1);
    o.set(d, (o.get(d) ?? 0) + (sessionOrders ? sessionOrders[i] : 0));
  }
  const days = [...s.keys()].sort((a, b) => a - b);
  return { days, sessions: days.map((d) => s.get(d)!), orders: days.map((d) => o.get(d)!) };
}

/** The default test days by the rule above (ascending; empty only for an empty log). */
export function chooseTestDays(c: DayCounts, rule: TestSplitRule): number[] {
  const n = c.days.length;
  if (n === 0) return [];
  const total = c.sessions.reduce((a, b) => a + b, 0);
  let i = n - 1;
  let sessions = c.sessions[i];
  let orders = c.orders[i];
  while (i > 1 && (sessions < rule.testMinSessions || orders < rule.testMinOrders) && sessions + c.sessions[i - 1] <= rule.testMaxShare * total) {
    i--;
    sessions += c.sessions[i];
    orders += c.orders[i];
  }
  return c.days.slice(i);
}

/** The keys of the default-split rule (prepare config). */
export const SPLIT_RULE_KEYS = ['testMinSessions', 'testMinOrders', 'testMaxShare'] as const;

/**
 * `cfg` without the split-rule keys that are at their defaults: for a two-day log (the default
 * world) the rule cannot change the split, so caches keyed on the preparation config from before the
 * rule existed stay valid. Real logs keep every key (their default split did change).
 */
export function withoutDefaultSplitRule<C extends TestSplitRule>(cfg: C, defaults: TestSplitRule): Omit<C, keyof TestSplitRule> & Partial<TestSplitRule> {
  const out: Record<string, unknown> = { ...(cfg as object) };
  for (const k of SPLIT_RULE_KEYS) if (cfg[k] === defaults[k]) delete out[k];
  return out as Omit<C, keyof TestSplitRule> & Partial<TestSplitRule>;
}
