/**
 * JD.com "JData" 2017 competition action log (JData_Action_2016MM.csv).
 *
 * Header `user_id,sku_id,time,model_id,type,cate,brand`. user_id is float-formatted ('280567.0');
 * time is 'YYYY-MM-DD HH:MM:SS' without a zone: read as UTC (it is Beijing time in truth, but only
 * differences and day boundaries matter, and UTC keeps the kit's single time zone); model_id is
 * often empty (validated, unused). type: 1 browse => Click, 2 add-to-cart => Click,
 * 3 remove-from-cart => dropped (counted in adapterStats.dropped.ignoredEvents), 4 order => Order,
 * 5 follow => Click, 6 click => Click. Item category = cate; brand goes to items.extra.brand.
 */
import { InputError } from '../../util/errors';
import { Feedback } from '../schema';
import { badId, checkTime, noUsableRows, readCsv, windowOf } from './csv';
import { AdapterLog, buildAdapterLog, EventAccumulator } from './events';
import { FieldSplitter, parseDateTime, parseId, show } from './fields';
import { AdapterOptions, resolveAdapterOptions } from './options';

export const JD_HEADER = 'user_id,sku_id,time,model_id,type,cate,brand';
/** Raw names of types 1..6. */
const TYPES = ['browse', 'cart', 'uncart', 'order', 'follow', 'click'] as const;
/** Feedback of types 1..6; -1 = dropped. */
const FEEDBACK = [Feedback.Click, Feedback.Click, -1, Feedback.Order, Feedback.Click, Feedback.Click];

export async function readJd(file: string, options: Partial<AdapterOptions> = {}): Promise<AdapterLog> {
  const t0 = Date.now();
  const opts = resolveAdapterOptions(options);
  const counts = new Float64Array(TYPES.length);
  const acc = new EventAccumulator({});
  const win = windowOf(opts, null);
  const row = (s: string, f: FieldSplitter, line: number): void => {
    const uid = parseId(s, f.starts[0], f.ends[0], true);
    if (uid < 0) throw badId(file, line, 'user_id', s, f, 0);
    const sku = parseId(s, f.starts[1], f.ends[1]);
    if (sku < 0) throw badId(file, line, 'sku_id', s, f, 1);
    const t = parseDateTime(s, f.starts[2], f.ends[2]);
    checkTime(file, line, 'time', t, s, f, 2, "a 'YYYY-MM-DD HH:MM:SS' date-time");
    if (f.ends[3] > f.starts[3] && parseId(s, f.starts[3], f.ends[3], true) < 0) throw badId(file, line, 'model_id', s, f, 3);
    const ty = f.ends[4] - f.starts[4] === 1 ? s.charCodeAt(f.starts[4]) - 49 : -1; // '1'..'6' -> 0..5
    if (!(ty >= 0 && ty < 6)) throw new InputError(file, line, `unknown type ${show(f.text(s, 4))} (expected 1..6)`);
    const cate = parseId(s, f.starts[5], f.ends[5]);
    if (cate < 0) throw badId(file, line, 'cate', s, f, 5);
    const brand = parseId(s, f.starts[6], f.ends[6]);
    if (brand < 0) throw badId(file, line, 'brand', s, f, 6);
    counts[ty]++;
    if (win && (t < win[0] || t >= win[1])) {
      acc.dropped.outsideTimeWindow++;
      acc.noteDropped(uid, sku);
      return;
    }
    const fb = FEEDBACK[ty];
    if (fb < 0) {
      acc.dropped.ignoredEvents++;
      acc.noteDropped(uid, sku);
      return;
    }
    const i = acc.itemOf(sku);
    acc.setItemCategory(i, acc.categoryOf(cate));
    acc.setItemExtra('brand', i, brand);
    acc.push(acc.userOf(uid), i, fb, t);
  };
  const st = await readCsv(file, { header: JD_HEADER, columns: JD_HEADER.split(','), row }, acc, opts);
  TYPES.forEach((name, k) => (acc.rawEventCounts[name] = counts[k]));
  if (acc.n === 0) throw noUsableRows(file, st.lastLine, acc);
  return buildAdapterLog(acc, opts, { source: 'jd', files: [file], gapSeconds: opts.sessionGapMinutes * 60, unknownCategory: 'unknown', timeWindow: win, t0 });
}
