/**
 * The online-test table printed by `evaluate` and `oracles` and stored in their JSON: one row per
 * (policy, session length) with reward, clicks (incl. orders) and orders per session as mean and
 * the half-width of the 95% CI over the test sessions, and h when the ground truth answers.
 */
import type { OnlineResult } from '../eval/onlineTest';
import type { Summary } from '../eval/summary';
import { formatTextTable } from './textTable';

export interface TableStat {
  mean: number;
  /** Half-width of the 95% CI over sessions (Student t). */
  halfWidth: number;
}

export interface OnlineTableRow {
  policy: string;
  /** Reference policy (random, logging, oracles) rather than the evaluated agent. */
  reference: boolean;
  T: number;
  sessions: number;
  reward: TableStat;
  clicks: TableStat;
  orders: TableStat;
  /** Headroom captured; null without the ground truth. */
  h: number | null;
}

const stat = (s: Summary): TableStat => ({ mean: s.mean, halfWidth: s.ci95.halfWidth });

export function onlineTableRow(policy: string, reference: boolean, r: OnlineResult, h: number | null): OnlineTableRow {
  return { policy, reference, T: r.T, sessions: r.sessions, reward: stat(r.reward), clicks: stat(r.clicks), orders: stat(r.orders), h: h === null || Number.isFinite(h) ? h : null };
}

export function formatStat(s: TableStat, digits = 3): string {
  if (!Number.isFinite(s.mean)) return 'n/a';
  return `${s.mean.toFixed(digits)} ± ${Number.isFinite(s.halfWidth) ? s.halfWidth.toFixed(digits) : 'n/a'}`;
}

export function formatH(h: number | null): string {
  return h === null ? '-' : h.toFixed(3);
}

/** The rows in order; `markReferences` appends "(reference)" to reference rows. */
export function formatOnlineTable(rows: OnlineTableRow[], withH: boolean, markReferences = true): string {
  const head = ['policy', 'T', 'reward', 'clicks', 'orders', ...(withH ? ['h'] : [])];
  const body = rows.map((r) => [
    r.reference && markReferences ? `${r.policy} (reference)` : r.policy,
    String(r.T),
    formatStat(r.reward),
    formatStat(r.clicks),
    formatStat(r.orders),
    ...(withH ? [formatH(r.h)] : []),
  ]);
  return formatTextTable(head, body);
}
