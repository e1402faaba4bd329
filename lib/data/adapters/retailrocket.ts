/**
 * RetailRocket "events.csv" (Kaggle "Retailrocket recommender system dataset").
 *
 * Header `timestamp,visitorid,event,itemid,transactionid`; timestamp in unix MILLISECONDS (kept as
 * fractional seconds); event: view (detail-page view) => Click, addtocart => Click,
 * transaction => Order. transactionid is empty or an integer, an integral float such as '14418.0'
 * (pandas' export of a column with missing values) included (validated, unused). events.csv has
 * no categories (they live in item_properties*.csv, not read here): every item gets the category
 * 'unknown'. Users are visitors.
 */
import { InputError } from '../../util/errors';
import { Feedback } from '../schema';
import { badId, checkTime, noUsableRows, readCsv, windowOf } from './csv';
import { AdapterLog, buildAdapterLog, EventAccumulator } from './events';
import { FieldSplitter, parseDigits, parseId, show } from './fields';
import { AdapterOptions, resolveAdapterOptions } from './options';

export const RETAILROCKET_HEADER = 'timestamp,visitorid,event,itemid,transactionid';
const EVENTS = ['view', 'addtocart', 'transaction'] as const;
const FEEDBACK: Feedback[] = [Feedback.Click, Feedback.Click, Feedback.Order];

export async function readRetailRocket(file: string, options: Partial<AdapterOptions> = {}): Promise<AdapterLog> {
  const t0 = Date.now();
  const opts = resolveAdapterOptions(options);
  const counts = new Float64Array(EVENTS.length);
  const acc = new EventAccumulator({});
  const win = windowOf(opts, null);
  const row = (s: string, f: FieldSplitter, line: number): void => {
    const ms = parseDigits(s, f.starts[0], f.ends[0]);
    const t = ms / 1000;
    checkTime(file, line, 'timestamp', t, s, f, 0, 'unix milliseconds');
    const vid = parseId(s, f.starts[1], f.ends[1]);
    if (vid < 0) throw badId(file, line, 'visitorid', s, f, 1);
    let e = -1;
    for (let k = 0; k < EVENTS.length; k++) {
      if (f.is(s, 2, EVENTS[k])) {
        e = k;
        break;
      }
    }
    if (e < 0) throw new InputError(file, line, `unknown event ${show(f.text(s, 2))} (expected view, addtocart or transaction)`);
    const iid = parseId(s, f.starts[3], f.ends[3]);
    if (iid < 0) throw badId(file, line, 'itemid', s, f, 3);
    if (f.ends[4] > f.starts[4] && parseId(s, f.starts[4], f.ends[4]) < 0) throw badId(file, line, 'transactionid', s, f, 4);
    counts[e]++;
    if (win && (t < win[0] || t >= win[1])) {
      acc.dropped.outsideTimeWindow++;
      acc.noteDropped(vid, iid);
      return;
    }
    acc.push(acc.userOf(vid), acc.itemOf(iid), FEEDBACK[e], t);
  };
  const st = await readCsv(file, { header: RETAILROCKET_HEADER, columns: RETAILROCKET_HEADER.split(','), row }, acc, opts);
  EVENTS.forEach((name, k) => (acc.rawEventCounts[name] = counts[k]));
  if (acc.n === 0) throw noUsableRows(file, st.lastLine, acc);
  return buildAdapterLog(acc, opts, { source: 'retailrocket', files: [file], gapSeconds: opts.sessionGapMinutes * 60, unknownCategory: 'unknown', timeWindow: win, t0 });
}
