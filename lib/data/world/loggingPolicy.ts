/**
 * The production recommender that "served" the default world's log: a stochastic mix of
 *   - follow the last click: an item of the last clicked item's category (a "similar items" shelf),
 *   - stay: another item of the last shown item's category,
 *   - personal: an item of a category it believes the user prefers (its beliefs are noisy),
 *   - popular: an item from the whole catalog,
 * items drawn with weight exp(power x log-popularity). It sees only what a real system sees (the
 * user's long-term preferences, roughly, and the session so far), never the hidden mission or intent.
 * Being stochastic, it gives every item a chance, which off-policy learning needs.
 */
import { Rng } from '../../util/rng';
import type { UserSessionState } from './trueUserModel';
import type { World } from './world';
import { cumulative, drawCumulative } from './population';

/** Anything that picks the next item of a session. `shown` = items shown so far in this session. */
export interface SessionPolicy {
  choose(user: number, state: UserSessionState, shown: ArrayLike<number>, rng: Rng): number;
}

export class LoggingPolicy implements SessionPolicy {
  /** The policy's belief of each user's preferred categories (true ones, some replaced at random). */
  readonly believedCats: Int32Array; // [nUsers, K]
  private readonly cum: Float64Array; // [nItems] cumulative popularity weight, items in category order
  private readonly order: Int32Array; // [nItems] item at each position of `cum`
  private readonly catStart: Int32Array; // [nCategories + 1]

  constructor(readonly world: World) {
    const cfg = world.cfg;
    const rng = new Rng(cfg.seed).fork('logging-policy-beliefs');
    const K = cfg.prefCategories;
    this.believedCats = new Int32Array(world.nUsers * K);
    const catCum = cumulative(world.categoryWeight);
    for (let x = 0; x < world.nUsers * K; x++) {
      const wrong = rng.random() < cfg.logPrefNoise;
      const u = rng.random();
      this.believedCats[x] = wrong ? drawCumulative(catCum, u) : world.prefCats[x];
    }
    this.order = world.categoryItems;
    this.catStart = world.categoryStart;
    const pop = world.items.extra.popularity;
    this.cum = cumulative(Array.from(this.order, (i) => Math.exp(cfg.logPopularityPower * pop[i])));
  }

  choose(user: number, state: UserSessionState, _shown: ArrayLike<number>, rng: Rng): number {
    const cfg = this.world.cfg;
    let cat = -1;
    if (state.lastClickCat >= 0 && rng.random() < cfg.logFollowClick) cat = state.lastClickCat;
    else if (state.lastItem >= 0 && rng.random() < cfg.logStayCategory) cat = this.world.items.category[state.lastItem];
    else if (rng.random() < cfg.logPersonal) {
      // Believed preferences, weighted like the true ones (the system knows their rough order).
      const K = cfg.prefCategories;
      let x = rng.random();
      cat = this.believedCats[user * K + K - 1];
      for (let j = 0; j < K; j++) {
        x -= this.world.prefWeights[user * K + j];
        if (x < 0) {
          cat = this.believedCats[user * K + j];
          break;
        }
      }
    }
    // Avoid re-showing one of the last few items (two redraws; real feeds still repeat sometimes).
    let item = this.draw(cat, rng.random());
    for (let t = 0; t < 2 && state.recent.includes(item); t++) item = this.draw(cat, rng.random());
    return item;
  }

  /** An item of category `cat` (or of the whole catalog when cat < 0 or the category is empty), by popularity. */
  private draw(cat: number, u: number): number {
    // Small catalogs can leave a category without items: draw from the whole catalog then.
    if (cat >= 0 && this.catStart[cat] >= this.catStart[cat + 1]) cat = -1;
    const a = cat < 0 ? 0 : this.catStart[cat];
    const b = cat < 0 ? this.cum.length : this.catStart[cat + 1];
    const lo = a > 0 ? this.cum[a - 1] : 0;
    const x = lo + u * (this.cum[b - 1] - lo);
    let l = a;
    let h = b - 1;
    while (l < h) {
      const m = (l + h) >> 1;
      if (this.cum[m] > x) h = m;
      else l = m + 1;
    }
    return this.order[l];
  }
}
