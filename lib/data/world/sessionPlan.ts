/**
 * Who browses when, and for how long: the session plan of the two-day log, drawn before any
 * impression is simulated so the log's columns can be allocated once (exact row count) and filled
 * in order (user, then time).
 *
 * Training day: every user gets one session, then extra sessions go to users in proportion to
 * their activity until the day holds exactly `trainImpressions` impressions. Test day: sessions go
 * to users drawn from the same mixture (uniform with probability 1/sessionsPerUserDay, otherwise by
 * activity) until it holds round(testFraction x trainImpressions).
 */
import { Rng } from '../../util/rng';
import { MAX_DWELL_S, WorldConfig } from './worldConfig';
import { cumulative, drawCumulative } from './population';
import type { World } from './world';

export interface SessionPlan {
  n: number;
  /** Sorted by user, then start time. */
  user: Int32Array; // [n]
  day: Int32Array; // [n]
  length: Int32Array; // [n]
  /** Seconds after the day's midnight at which the session starts. */
  startOffset: Float64Array; // [n]
  /** Impressions per day: [train, test]. */
  dayRows: [number, number];
}

/** A session length: log-normal around the median, rounded and clamped. */
export function sampleSessionLength(cfg: WorldConfig, rng: Rng): number {
  const len = Math.round(cfg.sessionLenMedian * Math.exp(rng.normal(0, cfg.sessionLenSigma)));
  return Math.min(cfg.sessionLenMax, Math.max(cfg.sessionLenMin, len));
}

/** Draws users the way sessions are spread over users (see file comment). */
export class SessionUserSampler {
  private readonly cum: Float64Array;
  constructor(
    private readonly world: World,
  ) {
    this.cum = cumulative(world.activity);
  }
  /** A user weighted by activity only (the training day's extra sessions). */
  byActivity(rng: Rng): number {
    return drawCumulative(this.cum, rng.random());
  }
  /** A user as a random session's owner: uniform w.p. 1/sessionsPerUserDay, else by activity. */
  session(rng: Rng): number {
    if (rng.random() < 1 / this.world.cfg.sessionsPerUserDay) return rng.int(this.world.nUsers);
    return this.byActivity(rng);
  }
}

export function planSessions(world: World, rng: Rng): SessionPlan {
  const cfg = world.cfg;
  const U = world.nUsers;
  const target: [number, number] = [cfg.trainImpressions, Math.max(1, Math.round(cfg.testFraction * cfg.trainImpressions))];
  const users = new SessionUserSampler(world);
  const su: number[] = [];
  const sd: number[] = [];
  const sl: number[] = [];
  // Seconds already claimed by each user's sessions on the current day (sessions must fit a day).
  const busy = new Float64Array(U);
  const budget = 0.9 * 86400;
  const push = (u: number, day: number, len: number): void => {
    su.push(u);
    sd.push(day);
    sl.push(len);
    busy[u] += len * MAX_DWELL_S;
  };
  for (let day = 0; day < 2; day++) {
    busy.fill(0);
    let total = 0;
    const T = target[day];
    if (day === 0) {
      for (let u = 0; u < U; u++) {
        // Leave room for the remaining users' mandatory sessions.
        const room = T - total - (U - 1 - u) * cfg.sessionLenMin;
        const len = Math.max(1, Math.min(sampleSessionLength(cfg, rng), room));
        push(u, 0, len);
        total += len;
      }
    }
    while (total < T) {
      let len = Math.min(sampleSessionLength(cfg, rng), T - total);
      // A remainder too short to be a session is appended to the previous session of the day.
      if (len < cfg.sessionLenMin && sl.length > 0 && sd[sd.length - 1] === day) {
        sl[sl.length - 1] += len;
        busy[su[su.length - 1]] += len * MAX_DWELL_S;
        total += len;
        break;
      }
      let u = day === 0 ? users.byActivity(rng) : users.session(rng);
      for (let tries = 0; busy[u] + len * MAX_DWELL_S > budget && tries < 100; tries++) u = rng.int(U);
      push(u, day, len);
      total += len;
    }
  }
  // Stable counting sort by user keeps day 0 before day 1 for each user.
  const n = su.length;
  const count = new Int32Array(U + 1);
  for (let s = 0; s < n; s++) count[su[s] + 1]++;
  for (let u = 0; u < U; u++) count[u + 1] += count[u];
  const pos = count.slice(0, U);
  const user = new Int32Array(n);
  const day = new Int32Array(n);
  const length = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const p = pos[su[s]]++;
    user[p] = su[s];
    day[p] = sd[s];
    length[p] = sl[s];
  }
  // Start times per (user, day): random gaps, sessions never overlap and all end before midnight.
  const startOffset = new Float64Array(n);
  for (let a = 0; a < n; ) {
    let b = a;
    let span = 0;
    while (b < n && user[b] === user[a] && day[b] === day[a]) span += length[b++] * MAX_DWELL_S;
    const free = Math.max(0, 86400 - 1 - span);
    const gaps = Array.from({ length: b - a }, () => Math.floor(rng.random() * free)).sort((x, y) => x - y);
    let used = 0;
    for (let s = a; s < b; s++) {
      startOffset[s] = gaps[s - a] + used;
      used += length[s] * MAX_DWELL_S;
    }
    a = b;
  }
  return { n, user, day, length, startOffset, dayRows: target };
}
