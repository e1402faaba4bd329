/**
 * Real-log adapters: public e-commerce logs -> the kit's EventLog (lib/data/schema.ts).
 *
 * In the paper an IMPRESSION is an item shown in the feed, a CLICK opens it, an ORDER buys it.
 * These logs only record what users did, so:
 *
 * | source        | raw event                 | maps to  | why                                                   |
 * |---------------|---------------------------|----------|-------------------------------------------------------|
 * | Taobao        | pv (detail-page view)     | Click    | the user chose to open the item                       |
 * | Taobao        | cart, fav                 | Click    | interest beyond a view, short of a purchase           |
 * | Taobao        | buy                       | Order    |                                                       |
 * | JD JData      | 1 browse, 6 click         | Click    | opening / clicking the item page                      |
 * | JD JData      | 2 add-to-cart, 5 follow   | Click    | kept (not dropped): they still show the item was opened|
 * | JD JData      | 3 remove-from-cart        | dropped  | undoes a cart; not a new interaction (counted)        |
 * | JD JData      | 4 order                   | Order    |                                                       |
 * | RetailRocket  | view                      | Click    | detail-page view                                      |
 * | RetailRocket  | addtocart                 | Click    |                                                       |
 * | RetailRocket  | transaction               | Order    |                                                       |
 * | YOOCHOOSE     | click (clicks file)       | Click    |                                                       |
 * | YOOCHOOSE     | buy (buys file)           | Order    |                                                       |
 * | OTTO (JSONL)  | clicks                    | Click    | item page opened                                      |
 * | OTTO (JSONL)  | carts                     | Click    | interest short of a purchase (as Taobao cart)         |
 * | OTTO (JSONL)  | orders                    | Order    |                                                       |
 * | (all)         | sampled negative          | Skip     | lib/data/negatives.ts, k per positive                 |
 *
 * Merging (`mergeRepeats`, default on): all events on the same item within one session form ONE
 * impression, at the time of the first of them, with the strongest feedback (Order > Click): a
 * view followed by a buy is one ordered impression, repeated views are one click. Orders are thus
 * a subset of the clicked impressions, as in the paper's funnel.
 *
 * Sessions: a user's events split at gaps > `sessionGapMinutes` (lib/data/sessionize.ts), except
 * YOOCHOOSE and OTTO whose session id is both user and session. sessionDay counts UTC days from the first
 * kept event's day. Users, items and categories get dense indices in order of first appearance
 * among kept rows (rawId keeps the source id; string categories map through `categoryRaw`).
 * Negatives: `negativesPerPositive` = k skipped impressions per positive, drawn from item
 * popularity^0.75 excluding the session's items, placed just before the positive with its
 * timestamp: the click rate is 1/(1+k) by construction, not a property of the data.
 *
 * Bad data stops with InputError(file, line, problem) (message `file:line: problem`); adapters
 * build logs in memory, so nothing is ever half-written.
 */
import { UsageError } from '../../util/errors';
import { AdapterLog } from './events';
import { readJd } from './jd';
import { AdapterOptions } from './options';
import { readRetailRocket } from './retailrocket';
import { readTaobao } from './taobao';
import { readYoochoose } from './yoochoose';
import { readOttoJsonl } from './otto';

export { readTaobao, TAOBAO_WINDOW } from './taobao';
export { readJd, JD_HEADER } from './jd';
export { readRetailRocket, RETAILROCKET_HEADER } from './retailrocket';
export { readYoochoose } from './yoochoose';
export { readOttoJsonl } from './otto';
export { ADAPTER_SPEC, resolveAdapterOptions, MAX_UNIX_SECONDS } from './options';
export type { AdapterOptions } from './options';
export type { AdapterLog, AdapterStats } from './events';

export interface AdapterEntry {
  description: string;
  /** The files `read` expects, in order (typical file names). */
  files: string[];
  read: (files: string[], opts?: Partial<AdapterOptions>) => Promise<AdapterLog>;
}

function arity(name: string, want: string[], files: string[]): void {
  if (files.length !== want.length) {
    throw new UsageError(`adapter ${name} needs ${want.length} file(s) (${want.join(', ')}), got ${files.length}`);
  }
}

const TAOBAO_FILES = ['UserBehavior.csv'];
const JD_FILES = ['JData_Action_201603.csv'];
const RR_FILES = ['events.csv'];
const YC_FILES = ['yoochoose-clicks.dat', 'yoochoose-buys.dat'];
const OTTO_FILES = ['train.jsonl'];

/** Adapters by name (for the CLI). */
export const ADAPTERS: Record<string, AdapterEntry> = {
  taobao: {
    description: 'Taobao UserBehavior (Tianchi): user_id,item_id,category_id,behavior_type,timestamp; no header',
    files: TAOBAO_FILES,
    read: async (files, opts) => {
      arity('taobao', TAOBAO_FILES, files);
      return readTaobao(files[0], opts);
    },
  },
  jd: {
    description: 'JD JData 2017 actions: user_id,sku_id,time,model_id,type,cate,brand (with header)',
    files: JD_FILES,
    read: async (files, opts) => {
      arity('jd', JD_FILES, files);
      return readJd(files[0], opts);
    },
  },
  retailrocket: {
    description: 'RetailRocket events.csv: timestamp(ms),visitorid,event,itemid,transactionid (with header)',
    files: RR_FILES,
    read: async (files, opts) => {
      arity('retailrocket', RR_FILES, files);
      return readRetailRocket(files[0], opts);
    },
  },
  yoochoose: {
    description: 'YOOCHOOSE (RecSys 2015): clicks SessionID,Timestamp,ItemID,Category + buys SessionID,Timestamp,ItemID,Price,Quantity; no headers',
    files: YC_FILES,
    read: async (files, opts) => {
      arity('yoochoose', YC_FILES, files);
      return readYoochoose(files[0], files[1], opts);
    },
  },
  otto: {
    description: 'JSONL, one session per line (OTTO): {"session": 12, "events": [{"aid": 123, "ts": 1659304800, "type": "clicks"|"carts"|"orders"}]}',
    files: OTTO_FILES,
    read: async (files, opts) => {
      arity('otto', OTTO_FILES, files);
      return readOttoJsonl(files[0], opts);
    },
  },
};
