/**
 * Taobao "UserBehavior" (Alibaba Tianchi; Zhu et al., KDD 2018).
 *
 * No header; columns `user_id,item_id,category_id,behavior_type,timestamp` (unix seconds).
 * behavior_type: pv (detail-page view) => Click, cart => Click, fav => Click, buy => Order.
 * Rows outside the official window 2017-11-25 00:00 .. 2017-12-04 00:00 China time (UTC+8), i.e.
 * [1511539200, 1512316800), are noise in the original file: they are dropped and counted in
 * adapterStats.dropped.outsideTimeWindow (pass `timeWindow` to change the window, e.g.
 * [0, 4102444800] keeps everything). Unparsable or absurd timestamps (negative, >= 2100) are errors.
 */
import { InputError } from '../../util/errors';
import { Feedback } from '../schema';
import { badId, checkTime, noUsableRows, readCsv, windowOf } from './csv';
import { AdapterLog, buildAdapterLog, EventAccumulator } from './events';
import { FieldSplitter, parseDigits, parseId, show } from './fields';
import { AdapterOptions, resolveAdapterOptions } from './options';

/** The dataset's official window [start, end) in unix seconds (2017-11-25 .. 2017-12-03, UTC+8). */
export const TAOBAO_WINDOW: [number, number] = [1511539200, 1512316800];

const BEHAVIORS = ['pv', 'cart', 'fav', 'buy'] as const;
const FEEDBACK: Feedback[] = [Feedback.Click, Feedback.Click, Feedback.Click, Feedback.Order];

export async function readTaobao(file: string, options: Partial<AdapterOptions> = {}): Promise<AdapterLog> {
  const t0 = Date.now();
  const opts = resolveAdapterOptions(options);
  const counts = new Float64Array(BEHAVIORS.length);
  const acc = new EventAccumulator({});
  const win = windowOf(opts, TAOBAO_WINDOW);
  const row = (s: string, f: FieldSplitter, line: number): void => {
    const uid = parseId(s, f.starts[0], f.ends[0]);
    if (uid < 0) throw badId(file, line, 'user_id', s, f, 0);
    const iid = parseId(s, f.starts[1], f.ends[1]);
    if (iid < 0) throw badId(file, line, 'item_id', s, f, 1);
    const cid = parseId(s, f.starts[2], f.ends[2]);
    if (cid < 0) throw badId(file, line, 'category_id', s, f, 2);
    let b = -1;
    for (let k = 0; k < BEHAVIORS.length; k++) {
      if (f.is(s, 3, BEHAVIORS[k])) {
        b = k;
        break;
      }
    }
    if (b < 0) throw new InputError(file, line, `unknown behavior_type ${show(f.text(s, 3))} (expected pv, cart, fav or buy)`);
    const t = parseDigits(s, f.starts[4], f.ends[4]);
    checkTime(file, line, 'timestamp', t, s, f, 4, 'unix seconds');
    counts[b]++;
    if (win && (t < win[0] || t >= win[1])) {
      acc.dropped.outsideTimeWindow++;
      acc.noteDropped(uid, iid);
      return;
    }
    const i = acc.itemOf(iid);
    acc.setItemCategory(i, acc.categoryOf(cid));
    acc.push(acc.userOf(uid), i, FEEDBACK[b], t);
  };
  const st = await readCsv(file, { header: null, columns: ['user_id', 'item_id', 'category_id', 'behavior_type', 'timestamp'], row }, acc, opts);
  BEHAVIORS.forEach((name, k) => (acc.rawEventCounts[name] = counts[k]));
  if (acc.n === 0) throw noUsableRows(file, st.lastLine, acc);
  return buildAdapterLog(acc, opts, { source: 'taobao', files: [file], gapSeconds: opts.sessionGapMinutes * 60, unknownCategory: 'unknown', timeWindow: win, t0 });
}
