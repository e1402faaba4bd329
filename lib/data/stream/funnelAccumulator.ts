/**
 * Funnel statistics (lib/data/prepare/funnelStats.ts) accumulated chunk by chunk: the same numbers
 * the arquero rollup gives on the whole split (an order counts as a click; distinct users, sessions,
 * items and days), in O(users + items) memory.
 */
import { Feedback } from '../schema';
import { FunnelStats } from '../prepare/funnelStats';

export class FunnelAccumulator {
  private impressions = 0;
  private clicks = 0;
  private orders = 0;
  private users = 0;
  private sessions = 0;
  private items = 0;
  private readonly userSeen: Uint8Array;
  private readonly itemSeen: Uint8Array;
  private readonly daySeen = new Set<number>();

  constructor(nUsers: number, nItems: number) {
    this.userSeen = new Uint8Array(nUsers);
    this.itemSeen = new Uint8Array(nItems);
  }

  /** Rows of the split: user, item (filtered dense indices) and feedback. */
  addRows(user: Int32Array, item: Int32Array, feedback: Uint8Array): void {
    this.impressions += feedback.length;
    for (let r = 0; r < feedback.length; r++) {
      const f = feedback[r];
      if (f !== Feedback.Skip) this.clicks++;
      if (f === Feedback.Order) this.orders++;
      if (!this.userSeen[user[r]]) {
        this.userSeen[user[r]] = 1;
        this.users++;
      }
      if (!this.itemSeen[item[r]]) {
        this.itemSeen[item[r]] = 1;
        this.items++;
      }
    }
  }

  /** Sessions of the split (every one non-empty, so each is a distinct session value). */
  addSessions(sessionDay: Int32Array): void {
    this.sessions += sessionDay.length;
    for (let s = 0; s < sessionDay.length; s++) this.daySeen.add(sessionDay[s]);
  }

  result(): FunnelStats {
    const { impressions, clicks, orders } = this;
    return {
      impressions,
      clicks,
      orders,
      clickRate: impressions ? clicks / impressions : 0,
      orderPerClick: clicks ? orders / clicks : 0,
      users: this.users,
      sessions: this.sessions,
      items: this.items,
      days: this.daySeen.size,
    };
  }
}
