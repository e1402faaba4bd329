/**
 * A log read in chunks of whole users, any number of times: what the streaming preparation
 * (streamPrepareDataset) consumes. Preparation makes five passes; each pass asks for a fresh
 * iteration, so a source may re-read a file or re-walk arrays, and only one chunk needs to exist at
 * a time.
 *
 * A chunk holds only what preparation needs: per session its user, day and row range, per row its
 * item, feedback and time. Chunks end at user boundaries (a user's state history runs across all of
 * their sessions), so a chunk exceeds `maxRows` only when one user alone does.
 */
import { EventLog, ItemTable } from '../schema';

export interface LogChunk {
  /** Index (in the whole log) of the chunk's first session. */
  session0: number;
  /** Number of sessions in the chunk. */
  nSessions: number;
  /** Rows of session k of the chunk: [sessionStart[k], sessionStart[k+1]) of the row columns below. */
  sessionStart: Int32Array; // [nSessions + 1], sessionStart[0] = 0
  sessionUser: Int32Array; // [nSessions]
  sessionDay: Int32Array; // [nSessions]
  item: Int32Array; // [rows of the chunk]
  feedback: Uint8Array; // [rows of the chunk]
  ts: Float64Array; // [rows of the chunk]
}

export interface LogSource {
  /** EventLog.source of the log ('world', 'taobao', ...). */
  source: string;
  items: ItemTable;
  nUsers: number;
  userRawId: Float64Array; // [nUsers]
  /** Total rows and sessions (for progress bars and checks). */
  rows: number;
  nSessions: number;
  /** One pass over the whole log, sessions in order (sorted by user), in chunks of whole users. */
  chunks(maxRows: number): Iterable<LogChunk> | AsyncIterable<LogChunk>;
}

/** A LogSource whose passes are synchronous (an in-memory log). */
export interface SyncLogSource extends LogSource {
  chunks(maxRows: number): Iterable<LogChunk>;
}

/**
 * An in-memory EventLog as a LogSource: chunks are views into its columns (only the chunk's
 * sessionStart is copied, to make it relative), so a pass costs no allocation.
 */
export function eventLogSource(log: EventLog): SyncLogSource {
  return {
    source: log.source,
    items: log.items,
    nUsers: log.nUsers,
    userRawId: log.userRawId,
    rows: log.item.length,
    nSessions: log.nSessions,
    *chunks(maxRows: number): Iterable<LogChunk> {
      const ns = log.nSessions;
      const su = log.sessionUser;
      const st = log.sessionStart;
      let s0 = 0;
      while (s0 < ns) {
        // extend by whole users while the chunk stays within maxRows (always at least one user)
        let s1 = s0;
        for (;;) {
          let e = s1 + 1;
          while (e < ns && su[e] === su[s1]) e++;
          if (s1 > s0 && st[e] - st[s0] > maxRows) break;
          s1 = e;
          if (s1 >= ns) break;
        }
        const r0 = st[s0];
        const r1 = st[s1];
        const sessionStart = new Int32Array(s1 - s0 + 1);
        for (let k = 0; k <= s1 - s0; k++) sessionStart[k] = st[s0 + k] - r0;
        yield {
          session0: s0,
          nSessions: s1 - s0,
          sessionStart,
          sessionUser: su.subarray(s0, s1),
          sessionDay: log.sessionDay.subarray(s0, s1),
          item: log.item.subarray(r0, r1),
          feedback: log.feedback.subarray(r0, r1),
          ts: log.ts.subarray(r0, r1),
        };
        s0 = s1;
      }
    },
  };
}
