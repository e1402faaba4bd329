/**
 * The frequency baseline the simulator is compared against: each item's click and order rates on
 * the training day, shrunk toward the global rates (a Beta prior worth `priorStrength` impressions):
 *
 *   P(click or order | i) = (positives_i + k * globalClickRate) / (impressions_i + k)
 *   P(order | i)          = (orders_i    + k * globalOrderRate) / (impressions_i + k)
 *
 * It ignores the user's state entirely, so any margin the simulator has over it comes from the
 * histories. Items never shown on the training day get the global rates.
 */
import { type EventLog } from '../data/schema';
import { itemOutcomeTotals } from './itemRates';
import { UsageError } from '../util/errors';

export class FrequencyBaseline {
  /** Per item P(skip), P(click only), P(order): [nItems*3]. */
  readonly table: Float32Array;
  readonly globalClickRate: number;
  readonly globalOrderRate: number;

  constructor(
    log: EventLog,
    readonly priorStrength = 20,
  ) {
    if (!(priorStrength >= 0)) throw new UsageError(`FrequencyBaseline: priorStrength must be >= 0, got ${priorStrength}`);
    const n = log.items.n;
    const { imp, pos, ord, P, O } = itemOutcomeTotals(log);
    const rows = log.item.length;
    this.globalClickRate = rows ? P / rows : 0;
    this.globalOrderRate = rows ? O / rows : 0;
    const k = priorStrength;
    this.table = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const d = imp[i] + k;
      const pc = d > 0 ? (pos[i] + k * this.globalClickRate) / d : this.globalClickRate;
      const po = d > 0 ? (ord[i] + k * this.globalOrderRate) / d : this.globalOrderRate;
      this.table[i * 3] = 1 - pc;
      this.table[i * 3 + 1] = pc - po;
      this.table[i * 3 + 2] = po;
    }
  }

  /** P(skip, click, order) of each item: [items.length*3]. */
  predict(items: Int32Array): Float32Array {
    const out = new Float32Array(items.length * 3);
    const n = this.table.length / 3;
    for (let b = 0; b < items.length; b++) {
      const i = items[b];
      if (!(i >= 0 && i < n)) throw new UsageError(`FrequencyBaseline.predict: items[${b}] = ${i} outside [0, ${n})`);
      out[b * 3] = this.table[i * 3];
      out[b * 3 + 1] = this.table[i * 3 + 1];
      out[b * 3 + 2] = this.table[i * 3 + 2];
    }
    return out;
  }
}
