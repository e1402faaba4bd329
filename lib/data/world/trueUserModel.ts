/**
 * The ground-truth user model of the default world: given a user, their session state and a shown
 * item, the probabilities of skip / click / order, and how the state moves on. The log generator
 * samples from it under the logging policy, and an RL environment can use it as its "true user"
 * backend, so any policy's true expected reward is computable by rolling it (see rollout.ts).
 *
 * Formulas (data/README.md has the derivation and the constants):
 *   Eq. W1  P(click | u, s, i)        = sigmoid(z_click)
 *   Eq. W2  P(order | click, u, s, i) = sigmoid(z_order)
 *   Eq. W3  intent / mission / fatigue transition after each impression.
 */
import { Feedback } from '../schema';
import { Rng } from '../../util/rng';
import { UsageError } from '../../util/errors';
import type { World } from './world';

/**
 * Per-session state of one user. Plain numbers and number arrays only: JSON.stringify/parse
 * round-trips it exactly (see cloneSessionState).
 */
export interface UserSessionState {
  user: number;
  /** Hidden: the category the user currently needs (their "mission"). */
  mission: number;
  /** Hidden: accumulated purchase intent towards the mission (>= 0). */
  intent: number;
  /** Impressions shown so far in this session. */
  step: number;
  /** Ring buffer of the last `fatigueWindow` items shown (-1 = empty); next write at recentPos. */
  recent: number[];
  recentPos: number;
  /** Clicks (orders included) and orders so far in this session. */
  clicks: number;
  orders: number;
  /** Last clicked (or ordered) item and its category, -1 if none yet. */
  lastClickItem: number;
  lastClickCat: number;
  /** Last shown item, -1 if none yet. */
  lastItem: number;
}

export function cloneSessionState(s: UserSessionState): UserSessionState {
  return { ...s, recent: s.recent.slice() };
}

export interface ModelBias {
  clickBias: number;
  orderBias: number;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export class TrueUserModel {
  readonly world: World;
  readonly clickBias: number;
  readonly orderBias: number;
  /** Probabilities [pSkip, pClick (without order), pOrder] of the last probs()/step() call. */
  readonly lastProbs = new Float64Array(3);
  private readonly d: number;
  private readonly W: number;
  private readonly category: Int32Array;
  private readonly quality: Float32Array;
  private readonly bait: Float32Array;
  private readonly pop: Float32Array;
  private readonly priceZ: Float32Array;
  // Per-call scratch shared by probs() and advance(): features of the last evaluated (state, item).
  private fCos = 0;
  private fInMission = false;

  constructor(world: World, bias?: ModelBias) {
    this.world = world;
    this.clickBias = bias ? bias.clickBias : world.bias.clickBias;
    this.orderBias = bias ? bias.orderBias : world.bias.orderBias;
    this.d = world.cfg.latentDim;
    this.W = world.cfg.fatigueWindow;
    const ex = world.items.extra;
    this.category = world.items.category;
    this.quality = ex.quality;
    this.bait = ex.clickbait;
    this.pop = ex.popularity;
    this.priceZ = ex.priceZ;
  }

  /** A fresh session for `user`: draws the mission (current need) and the starting intent. 3 draws. */
  newSessionState(user: number, rng: Rng): UserSessionState {
    this.checkUser(user);
    const mission = this.drawMission(user, rng.random(), rng.random());
    const intent = this.world.cfg.initialIntent * -Math.log(1 - rng.random());
    return {
      user,
      mission,
      intent,
      step: 0,
      recent: new Array<number>(this.W).fill(-1),
      recentPos: 0,
      clicks: 0,
      orders: 0,
      lastClickItem: -1,
      lastClickCat: -1,
      lastItem: -1,
    };
  }

  /**
   * [pSkip, pClick, pOrder] for showing `item` now (pClick excludes orders; the three sum to 1).
   * Writes into `out` (default: this.lastProbs) and returns it.
   */
  probs(user: number, state: UserSessionState, item: number, out: Float64Array = this.lastProbs): Float64Array {
    if (state.user !== user) throw new UsageError(`TrueUserModel: state belongs to user ${state.user}, not ${user}`);
    if (!(item >= 0 && item < this.world.nItems) || !Number.isInteger(item)) {
      throw new UsageError(`TrueUserModel: item ${item} outside [0, ${this.world.nItems})`);
    }
    const cfg = this.world.cfg;
    const d = this.d;
    const uv = this.world.userVec;
    const iv = this.world.itemVec;
    let cos = 0;
    for (let j = 0, a = user * d, b = item * d; j < d; j++) cos += uv[a + j] * iv[b + j];
    const cat = this.category[item];
    const inM = cat === state.mission;
    // Fatigue: decayed count of recent same-category impressions, and the strongest near-duplicate.
    let fatigue = 0;
    let dup = 0;
    let w = 1;
    const W = this.W;
    for (let k = 1; k <= W; k++) {
      const r = state.recent[(state.recentPos - k + W) % W];
      if (r < 0) break;
      if (this.category[r] === cat) {
        fatigue += w;
        if (r === item) dup = 1;
        else if (dup < 1) {
          let c = 0;
          for (let j = 0, a = r * d, b = item * d; j < d; j++) c += iv[a + j] * iv[b + j];
          const s = (c - cfg.duplicateSim) / (1 - cfg.duplicateSim);
          if (s > dup) dup = s;
        }
      }
      w *= cfg.fatigueDecay;
    }
    const q = this.quality[item] - 0.5;
    const bait = this.bait[item];
    const price = this.world.priceSens[user] * this.priceZ[item];
    const I = state.intent;
    // Eq. W1: click logit.
    const zc =
      this.clickBias + cfg.clickRel * cos + (inM ? cfg.clickMission + cfg.clickIntent * I : 0) + cfg.clickQuality * q +
      cfg.clickBait * bait + cfg.clickPopularity * this.pop[item] - cfg.clickPrice * price -
      cfg.fatigueCategory * fatigue - cfg.fatigueDuplicate * dup;
    // Eq. W2: order logit, given a click.
    // Only intent above intentThreshold converts (0 = all of it): orders need several coherent steps.
    const Iord = cfg.intentThreshold > 0 ? Math.max(0, I - cfg.intentThreshold) : I;
    const zo =
      this.orderBias + cfg.orderIntent * Iord * (inM ? 1 : cfg.intentSpill) + (inM ? cfg.orderMission : 0) + cfg.orderQuality * q +
      cfg.orderRel * cos - cfg.orderBait * bait - cfg.orderPrice * price;
    const pc = sigmoid(zc);
    const po = pc * sigmoid(zo);
    out[0] = 1 - pc;
    out[1] = pc - po;
    out[2] = po;
    this.fCos = cos;
    this.fInMission = inM;
    return out;
  }

  /**
   * Show `item`: sample the feedback and advance the state. Always draws 4 uniforms from `rng`
   * (feedback, mission change, and two for a new mission), so streams stay aligned across policies.
   */
  step(user: number, state: UserSessionState, item: number, rng: Rng): Feedback {
    const p = this.probs(user, state, item);
    const u = rng.random();
    const fb = u < p[0] ? Feedback.Skip : u < p[0] + p[1] ? Feedback.Click : Feedback.Order;
    this.transition(state, item, fb, rng.random(), rng.random(), rng.random());
    return fb;
  }

  /**
   * Advance the state after `item` was shown and `feedback` observed (e.g. replaying a log).
   * Draws 3 uniforms (mission change).
   */
  advance(user: number, state: UserSessionState, item: number, feedback: Feedback, rng: Rng): void {
    this.probs(user, state, item);
    this.transition(state, item, feedback, rng.random(), rng.random(), rng.random());
  }

  /** Batched probs: out[b*3 + k] for b in batch. */
  probsBatch(users: Int32Array, states: UserSessionState[], items: Int32Array, out: Float32Array): Float32Array {
    const B = users.length;
    if (states.length !== B || items.length !== B || out.length < 3 * B) {
      throw new UsageError(`probsBatch: users ${B}, states ${states.length}, items ${items.length}, out ${out.length} (need 3 x batch)`);
    }
    const p = new Float64Array(3);
    for (let b = 0; b < B; b++) {
      this.probs(users[b], states[b], items[b], p);
      out[3 * b] = p[0];
      out[3 * b + 1] = p[1];
      out[3 * b + 2] = p[2];
    }
    return out;
  }

  /** Probs of many candidate items for one (user, state): out[j*3 + k]. */
  probsItems(user: number, state: UserSessionState, items: ArrayLike<number>, out: Float32Array): Float32Array {
    if (out.length < 3 * items.length) throw new UsageError(`probsItems: out has ${out.length} entries, need ${3 * items.length}`);
    const p = new Float64Array(3);
    for (let j = 0; j < items.length; j++) {
      this.probs(user, state, items[j], p);
      out[3 * j] = p[0];
      out[3 * j + 1] = p[1];
      out[3 * j + 2] = p[2];
    }
    return out;
  }

  /**
   * Coherence of showing `item` now: the intent it adds when shown without a click (Eq. W3's
   * intentGain x match for a mission item, 0 off-mission). Planners use it to shortlist intent builders.
   */
  coherence(user: number, state: UserSessionState, item: number): number {
    if (this.category[item] !== state.mission) return 0;
    const d = this.d;
    const uv = this.world.userVec;
    const iv = this.world.itemVec;
    let cos = 0;
    for (let j = 0, a = user * d, b = item * d; j < d; j++) cos += uv[a + j] * iv[b + j];
    return this.world.cfg.intentGain * this.quality[item] * Math.min(1, Math.max(0, 0.5 + cos));
  }

  /** Eq. W3: intent, mission and memory after an impression. Uses the features of the last probs() call. */
  private transition(state: UserSessionState, item: number, fb: Feedback, uSwitch: number, uM1: number, uM2: number): void {
    const cfg = this.world.cfg;
    const clicked = fb !== Feedback.Skip;
    const ordered = fb === Feedback.Order;
    let I = state.intent;
    if (this.fInMission) {
      // Coherence: a relevant, good item for the current need builds intent (more so when clicked).
      const match = this.quality[item] * Math.min(1, Math.max(0, 0.5 + this.fCos));
      I = cfg.intentKeep * I + cfg.intentGain * match + (clicked ? cfg.intentClickGain * match : 0);
    } else {
      I = cfg.intentDecay * I;
    }
    if (clicked && this.bait[item] > 0) I *= 1 - cfg.baitDisappoint; // the click-bait disappoints
    else if (this.bait[item] > 0 && cfg.baitShownDisappoint > 0) I *= 1 - cfg.baitShownDisappoint; // seen, not clicked: cheapens the shop
    if (ordered) I *= cfg.intentAfterOrder; // need met
    const pSwitch = ordered ? cfg.missionSwitchAfterOrder : cfg.missionDrift;
    if (uSwitch < pSwitch) {
      const m = this.drawMission(state.user, uM1, uM2);
      if (m !== state.mission) {
        state.mission = m;
        I *= cfg.intentAfterSwitch;
      }
    }
    state.intent = I;
    state.recent[state.recentPos] = item;
    state.recentPos = (state.recentPos + 1) % this.W;
    state.step++;
    state.lastItem = item;
    if (clicked) {
      state.clicks++;
      state.lastClickItem = item;
      state.lastClickCat = this.category[item];
    }
    if (ordered) state.orders++;
  }

  /** A mission: one of the user's preferred categories (by weight), else a category by global popularity. */
  private drawMission(user: number, u1: number, u2: number): number {
    const w = this.world;
    const K = w.cfg.prefCategories;
    if (u1 < w.cfg.missionFromPrefs) {
      let x = u2;
      for (let j = 0; j < K; j++) {
        x -= w.prefWeights[user * K + j];
        if (x < 0) return w.prefCats[user * K + j];
      }
      return w.prefCats[user * K + K - 1];
    }
    let x = u2;
    for (let k = 0; k < w.nCategories; k++) {
      x -= w.categoryWeight[k];
      if (x < 0) return k;
    }
    return w.nCategories - 1;
  }

  private checkUser(user: number): void {
    if (!(user >= 0 && user < this.world.nUsers) || !Number.isInteger(user)) {
      throw new UsageError(`TrueUserModel: user ${user} outside [0, ${this.world.nUsers})`);
    }
  }
}
