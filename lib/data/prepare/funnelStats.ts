/**
 * Funnel statistics of a log (paper App. D, Table 1), computed with arquero: one rollup over the
 * row columns. As in Table 1 (and schema.ts logStats), an ordered impression counts as a click.
 */
import { EventLog } from '../schema';

export interface FunnelStats {
  impressions: number;
  /** Clicks including orders. */
  clicks: number;
  orders: number;
  /** clicks / impressions. */
  clickRate: number;
  /** orders / clicks. */
  orderPerClick: number;
  users: number;
  sessions: number;
  /** Distinct items shown. */
  items: number;
  days: number;
}

// arquero is ESM-only; Node16 module resolution keeps this a real dynamic import.
const loadArquero = () => import('arquero');
let aqPromise: ReturnType<typeof loadArquero> | null = null;
function arquero(): ReturnType<typeof loadArquero> {
  aqPromise ??= loadArquero();
  return aqPromise;
}

export async function funnelStats(log: EventLog): Promise<FunnelStats> {
  const aq = await arquero();
  const op = aq.op;
  const rows = aq.table({ user: log.user, session: log.session, item: log.item, feedback: log.feedback });
  const sessions = aq.table({ day: log.sessionDay });
  const zero = { impressions: 0, clicks: 0, orders: 0, users: 0, sessions: 0, items: 0 };
  const r = log.item.length
    ? (rows
        .rollup({
          impressions: op.count(),
          clicks: (d: { feedback: number }) => op.sum(d.feedback >= 1 ? 1 : 0),
          orders: (d: { feedback: number }) => op.sum(d.feedback === 2 ? 1 : 0),
          users: op.distinct('user'),
          sessions: op.distinct('session'),
          items: op.distinct('item'),
        })
        .object() as typeof zero)
    : zero;
  const days = log.nSessions ? (sessions.rollup({ days: op.distinct('day') }).object() as { days: number }).days : 0;
  return {
    impressions: r.impressions,
    clicks: r.clicks,
    orders: r.orders,
    clickRate: r.impressions ? r.clicks / r.impressions : 0,
    orderPerClick: r.clicks ? r.orders / r.clicks : 0,
    users: r.users,
    sessions: r.sessions,
    items: r.items,
    days,
  };
}
