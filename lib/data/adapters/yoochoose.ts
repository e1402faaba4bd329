/**
 * YOOCHOOSE (RecSys Challenge 2015): two headerless files.
 *  - clicks `SessionID,Timestamp,ItemID,Category`: Timestamp ISO 8601 UTC ('2014-04-07T10:51:09.277Z');
 *    Category is '0' (unknown), 'S' (special offer) or a number (1..12 a category, longer numbers a
 *    brand). A click => Click.
 *  - buys `SessionID,Timestamp,ItemID,Price,Quantity`. A buy => Order. Price 0 means unknown (NaN);
 *    an item keeps its first non-zero price. Quantity is validated, unused.
 * There are no user ids: each SessionID is both the user and its single session (the session gap
 * does not apply). An item keeps its first category other than '0'; items never seen with one
 * get '0'. With maxRows, buys of sessions not among the clicks read are dropped (orphanBuys).
 */
import { InputError } from '../../util/errors';
import { Feedback } from '../schema';
import { badId, checkTime, noUsableRows, readCsv, windowOf } from './csv';
import { AdapterLog, buildAdapterLog, EventAccumulator } from './events';
import { FieldSplitter, parseDecimal, parseId, parseIsoUtc, show } from './fields';
import { AdapterOptions, resolveAdapterOptions } from './options';

const ISO = "an ISO 8601 UTC time like '2014-04-07T10:51:09.277Z'";

export async function readYoochoose(clicksFile: string, buysFile: string, options: Partial<AdapterOptions> = {}): Promise<AdapterLog> {
  const t0 = Date.now();
  const opts = resolveAdapterOptions(options);
  const counts = { click: 0, buy: 0 };
  const acc = new EventAccumulator({});
  const win = windowOf(opts, null);
  const inWindow = (t: number, sid: number, iid: number): boolean => {
    if (win && (t < win[0] || t >= win[1])) {
      acc.dropped.outsideTimeWindow++;
      acc.noteDropped(sid, iid);
      return false;
    }
    return true;
  };

  const click = (s: string, f: FieldSplitter, line: number): void => {
    const sid = parseId(s, f.starts[0], f.ends[0]);
    if (sid < 0) throw badId(clicksFile, line, 'SessionID', s, f, 0);
    const t = parseIsoUtc(s, f.starts[1], f.ends[1]);
    checkTime(clicksFile, line, 'Timestamp', t, s, f, 1, ISO);
    const iid = parseId(s, f.starts[2], f.ends[2]);
    if (iid < 0) throw badId(clicksFile, line, 'ItemID', s, f, 2);
    let cat: number | string;
    if (f.is(s, 3, 'S')) cat = 'S';
    else {
      cat = parseId(s, f.starts[3], f.ends[3]);
      if (cat < 0) throw new InputError(clicksFile, line, `Category ${show(f.text(s, 3))} is not 0, S or a number`);
    }
    counts.click++;
    if (!inWindow(t, sid, iid)) return;
    const i = acc.itemOf(iid);
    if (cat !== 0) acc.setItemCategory(i, acc.categoryOf(cat));
    acc.push(acc.userOf(sid), i, Feedback.Click, t);
  };
  const buy = (s: string, f: FieldSplitter, line: number): void => {
    const sid = parseId(s, f.starts[0], f.ends[0]);
    if (sid < 0) throw badId(buysFile, line, 'SessionID', s, f, 0);
    const t = parseIsoUtc(s, f.starts[1], f.ends[1]);
    checkTime(buysFile, line, 'Timestamp', t, s, f, 1, ISO);
    const iid = parseId(s, f.starts[2], f.ends[2]);
    if (iid < 0) throw badId(buysFile, line, 'ItemID', s, f, 2);
    const price = parseDecimal(s, f.starts[3], f.ends[3]);
    if (Number.isNaN(price)) throw new InputError(buysFile, line, `Price ${show(f.text(s, 3))} is not a non-negative number`);
    if (parseId(s, f.starts[4], f.ends[4]) < 0) throw badId(buysFile, line, 'Quantity', s, f, 4);
    counts.buy++;
    if (!inWindow(t, sid, iid)) return;
    if (opts.maxRows > 0 && !acc.hasUser(sid)) {
      acc.dropped.orphanBuys++;
      acc.noteDropped(sid, iid);
      return;
    }
    const i = acc.itemOf(iid);
    if (price > 0) acc.setItemPrice(i, price);
    acc.push(acc.userOf(sid), i, Feedback.Order, t);
  };
  // A swapped pair of files is the usual cause of a column-count error here: say so.
  const swapped = (want: number, looksLike: string) => (n: number): string | null =>
    n === want ? `this looks like the ${looksLike} file; inputs are given in the order clicks,buys (yoochoose-clicks.dat,yoochoose-buys.dat)` : null;
  await readCsv(clicksFile, { header: null, columns: ['SessionID', 'Timestamp', 'ItemID', 'Category'], columnHint: swapped(5, 'buys'), row: click }, acc, opts);
  const st = await readCsv(buysFile, { header: null, columns: ['SessionID', 'Timestamp', 'ItemID', 'Price', 'Quantity'], columnHint: swapped(4, 'clicks'), row: buy }, acc, opts);
  acc.rawEventCounts.click = counts.click;
  acc.rawEventCounts.buy = counts.buy;
  if (acc.n === 0) throw noUsableRows(buysFile, st.lastLine, acc);
  return buildAdapterLog(acc, opts, { source: 'yoochoose', files: [clicksFile, buysFile], gapSeconds: Infinity, unknownCategory: 0, timeWindow: win, t0 });
}
