/**
 * JSONL event logs, one session per line with typed events, as the OTTO session dataset publishes
 * them (Kaggle "OTTO – Multi-Objective Recommender System", train.jsonl / test.jsonl):
 *
 *   {"session": 12, "events": [{"aid": 123, "ts": 1659304800, "type": "clicks"}, ...]}
 *
 * Mapping: clicks => Click (an item page opened), carts => Click (interest short of a purchase, as
 * Taobao cart and RetailRocket addtocart), orders => Order. session: a non-negative integer, both
 * the user and its single session (the session gap does not apply, as YOOCHOOSE); aid: the item, a
 * non-negative integer; ts: unix seconds, or milliseconds when the value is at or beyond
 * 4102444800 (2100-01-01 in seconds; the OTTO files write milliseconds). The log has no categories:
 * every item gets 'unknown'. Other keys of a line or an event are ignored (forward compatible).
 * A session line may repeat: its events join the same session. A line that is not JSON, a session
 * without events, an unknown event type or a bad id/time is an InputError naming file, line and,
 * for an event, its index (`events[3].type ...`). Gzipped files are read directly (lineReader).
 */
import { InputError } from '../../util/errors';
import { forEachLine } from '../lineReader';
import { Feedback } from '../schema';
import { noUsableRows, windowOf } from './csv';
import { AdapterLog, buildAdapterLog, EventAccumulator } from './events';
import { show, timeInRange } from './fields';
import { AdapterOptions, MAX_UNIX_SECONDS, resolveAdapterOptions } from './options';

const TYPES = ['clicks', 'carts', 'orders'] as const;
const FEEDBACK: Feedback[] = [Feedback.Click, Feedback.Click, Feedback.Order];

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
}

function describe(v: unknown): string {
  return v === undefined ? 'is missing' : `${show(JSON.stringify(v))} is not a non-negative integer`;
}

export async function readOttoJsonl(file: string, options: Partial<AdapterOptions> = {}): Promise<AdapterLog> {
  const t0 = Date.now();
  const opts = resolveAdapterOptions(options);
  const counts = new Float64Array(TYPES.length);
  const acc = new EventAccumulator({});
  const win = windowOf(opts, null);
  let rows = 0;
  const st = await forEachLine(
    file,
    (s, a, b, line) => {
      let j: unknown;
      try {
        j = JSON.parse(s.slice(a, b));
      } catch (e) {
        throw new InputError(file, line, `not valid JSON (${(e as Error).message}); expected one session per line: {"session": 12, "events": [{"aid": 123, "ts": 1659304800, "type": "clicks"}]}`);
      }
      if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new InputError(file, line, `expected a JSON object {"session": ..., "events": [...]}, got ${show(s.slice(a, b), 60)}`);
      const o = j as { session?: unknown; events?: unknown };
      if (!isId(o.session)) throw new InputError(file, line, `session ${describe(o.session)}`);
      const sid = o.session;
      if (!Array.isArray(o.events)) throw new InputError(file, line, `events ${o.events === undefined ? 'is missing' : 'must be an array'}`);
      if (o.events.length === 0) throw new InputError(file, line, `session ${sid} has no events`);
      for (let k = 0; k < o.events.length; k++) {
        const ev = o.events[k] as { aid?: unknown; ts?: unknown; type?: unknown } | null;
        const at = `events[${k}]`;
        if (ev === null || typeof ev !== 'object' || Array.isArray(ev)) throw new InputError(file, line, `${at} must be an object {"aid", "ts", "type"}`);
        if (!isId(ev.aid)) throw new InputError(file, line, `${at}.aid ${describe(ev.aid)}`);
        const e = TYPES.indexOf(ev.type as (typeof TYPES)[number]);
        if (e < 0) throw new InputError(file, line, `${at}.type ${ev.type === undefined ? 'is missing' : `${show(JSON.stringify(ev.type))} is not "clicks", "carts" or "orders"`}`);
        if (typeof ev.ts !== 'number' || !Number.isFinite(ev.ts) || ev.ts < 0) throw new InputError(file, line, `${at}.ts ${ev.ts === undefined ? 'is missing' : `${show(JSON.stringify(ev.ts))} is not unix seconds or milliseconds`}`);
        const t = ev.ts >= MAX_UNIX_SECONDS ? ev.ts / 1000 : ev.ts;
        if (!timeInRange(t)) throw new InputError(file, line, `${at}.ts ${ev.ts} is out of range (expected 1970-01-01 .. 2099-12-31 in unix seconds or milliseconds)`);
        counts[e]++;
        if (win && (t < win[0] || t >= win[1])) {
          acc.dropped.outsideTimeWindow++;
          acc.noteDropped(sid, ev.aid);
          continue;
        }
        acc.push(acc.userOf(sid), acc.itemOf(ev.aid), FEEDBACK[e], t);
      }
      rows++;
      if (opts.maxRows > 0 && rows >= opts.maxRows) return false;
    },
    { maxLineBytes: opts.maxLineBytes, progress: opts.progress },
  );
  acc.dataRows += rows;
  acc.blankLines += st.blankLines;
  if (st.lines === 0) throw new InputError(file, 1, 'empty file (no sessions)');
  TYPES.forEach((name, k) => (acc.rawEventCounts[name] = counts[k]));
  if (acc.n === 0) throw noUsableRows(file, st.lastLine, acc);
  return buildAdapterLog(acc, opts, { source: 'otto', files: [file], gapSeconds: Infinity, unknownCategory: 'unknown', timeWindow: win, t0 });
}
