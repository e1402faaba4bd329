/**
 * Configuration of the default world: a seeded synthetic JD-like e-commerce world (catalog, users,
 * ground-truth user model, logging policy) and the two-day impression log generated from it.
 *
 * One size knob: `trainImpressions`. Everything else has defaults chosen so that the generated log
 * matches the funnel of the paper's JD log (appendix D, Table 1): click rate ~9.8% (orders counted
 * as clicks) and ~5.5% of clicks converting. The user-model constants are documented with their
 * formulas in data/README.md.
 */
import { ConfigOf, bool, int, num, oneOf, resolveConfig } from '../../util/config';
import { WORLD_PRESETS, WORLD_PRESET_NAMES, type WorldPresetName } from './worldPresets';

/** 2018-08-11 00:00 UTC, the paper's training day ("Aug. 11th"). Day 1 is Aug. 12th. */
export const WORLD_DAY0_TS = 1533945600;

/** Table 1 of the paper: test-day impressions / train-day impressions = 2,231,651 / 8,596,852. */
export const PAPER_TEST_FRACTION = 2231651 / 8596852;
/** Table 1: train-day clicks / impressions = 843,249 / 8,596,852 (orders are counted as clicks). */
export const PAPER_CLICK_RATE = 843249 / 8596852;
/** Table 1: train-day orders / clicks = 46,022 / 843,249. */
export const PAPER_ORDER_PER_CLICK = 46022 / 843249;

/** Upper bound of the seconds between two impressions (dwell); a session of L rows spans < L x this. */
export const MAX_DWELL_S = 20;

export const worldConfigSpec = {
  // ---- preset ------------------------------------------------------------------------------
  preset: oneOf<WorldPresetName>('greedy-suffices', WORLD_PRESET_NAMES, "named table of user-model constants applied under the other options (worldPresets.ts): 'default' (planning pays), 'in-between', 'greedy-suffices' (the kit's first world, bit for bit; the field defaults listed here)"),
  // ---- sizes -------------------------------------------------------------------------------
  seed: int(1, 'seed of every random choice in the world and its log', { min: 0, max: 4294967295 }),
  trainImpressions: int(200_000, 'THE size knob: impressions on the training day (day 0); the test day gets testFraction of it', { min: 1000, max: 50_000_000 }),
  testFraction: num(PAPER_TEST_FRACTION, 'test-day impressions / train-day impressions (paper Table 1: 0.2596)', { gt: 0, max: 1 }),
  nItems: int(5000, 'catalog size', { min: 50, max: 2_000_000 }),
  nCategories: int(50, 'number of item categories', { min: 2, max: 10_000 }),
  nUsers: int(0, 'number of users; 0 = auto: trainImpressions / (sessionsPerUserDay x mean session length)', { min: 0, max: 10_000_000 }),
  latentDim: int(16, 'dimension of the true latent item/user vectors', { min: 2, max: 256 }),
  // ---- sessions ----------------------------------------------------------------------------
  sessionsPerUserDay: num(3, 'mean sessions per user on the training day (every user has at least one)', { min: 1, max: 20 }),
  sessionLenMedian: num(25, 'median session length (impressions); lengths are log-normal', { min: 2, max: 1000 }),
  sessionLenSigma: num(0.5, 'log-normal sigma of session lengths', { min: 0, max: 2 }),
  sessionLenMin: int(8, 'shortest session (impressions)', { min: 1 }),
  sessionLenMax: int(120, 'longest session (impressions)', { min: 1, max: 2000 }),
  activitySigma: num(0.8, 'log-normal sigma of user activity (how many extra sessions a user gets)', { min: 0, max: 3 }),
  // ---- catalog -----------------------------------------------------------------------------
  categoryZipf: num(0.8, 'Zipf exponent of category popularity (share of items and of user interest)', { min: 0, max: 3 }),
  itemSpread: num(0.8, 'spread of item vectors around their category centre (larger = less coherent categories)', { gt: 0, max: 5 }),
  variantFraction: num(0.2, 'share of items that are near-duplicate variants of another item of their category', { min: 0, max: 0.9 }),
  clickbaitFraction: num(0.08, 'share of click-bait items (cheap, low quality, eye-catching)', { min: 0, max: 0.5 }),
  popularitySigma: num(1, 'sigma of the items\' log-popularity', { min: 0, max: 3 }),
  // ---- users -------------------------------------------------------------------------------
  prefCategories: int(3, 'preferred categories per user', { min: 1, max: 10 }),
  userSpread: num(0.5, 'noise of user vectors around their preferred categories\' centres', { min: 0, max: 5 }),
  priceSensSigma: num(0.5, 'log-normal sigma of user price sensitivity (median 1)', { min: 0, max: 3 }),
  initialIntent: num(0.3, 'mean purchase intent a session starts with (exponentially distributed)', { min: 0 }),
  missionFromPrefs: num(0.85, 'probability a session\'s mission (current need) is one of the user\'s preferred categories', { min: 0, max: 1 }),
  // ---- true user model: click logit (data/README.md, Eq. W1) --------------------------------
  clickRel: num(1.1, 'click logit weight of user-item latent cosine', { min: 0 }),
  clickMission: num(0.5, 'click logit bonus for items in the session\'s mission category', { min: 0 }),
  clickQuality: num(0.6, 'click logit weight of (quality - 0.5)', { min: 0 }),
  clickBait: num(0.8, 'click logit bonus of click-bait items', { min: 0 }),
  clickPopularity: num(0.15, 'click logit weight of item log-popularity', { min: 0 }),
  clickPrice: num(0.2, 'click logit weight of price-sensitivity x standardized log price (penalty)', { min: 0 }),
  clickIntent: num(0.15, 'click logit weight of intent (mission items only)', { min: 0 }),
  fatigueCategory: num(0.18, 'click logit penalty per unit of recent same-category exposure', { min: 0 }),
  fatigueDuplicate: num(2.5, 'click logit penalty for a repeated/near-duplicate item (similarity 1)', { min: 0 }),
  fatigueDecay: num(0.75, 'per-step decay of a recent impression\'s weight in the category fatigue', { min: 0, lt: 1 }),
  fatigueWindow: int(10, 'recent impressions remembered for fatigue and duplicates', { min: 1, max: 100 }),
  duplicateSim: num(0.9, 'cosine above which two items count as near-duplicates (scaled to 0..1 above it)', { min: 0, lt: 1 }),
  // ---- true user model: order-given-click logit (Eq. W2) -----------------------------------
  orderIntent: num(1.8, 'order logit weight of accumulated purchase intent', { min: 0 }),
  intentSpill: num(0.2, 'share of intent that also helps orders outside the mission category', { min: 0, max: 1 }),
  orderMission: num(0.5, 'order logit bonus for items in the mission category', { min: 0 }),
  orderQuality: num(3.0, 'order logit weight of (quality - 0.5)', { min: 0 }),
  orderRel: num(1.0, 'order logit weight of user-item latent cosine', { min: 0 }),
  orderBait: num(1.5, 'order logit penalty of click-bait items', { min: 0 }),
  orderPrice: num(0.5, 'order logit weight of price-sensitivity x standardized log price (penalty)', { min: 0 }),
  // ---- true user model: intent dynamics (Eq. W3) -------------------------------------------
  intentKeep: num(0.9, 'intent retained per step when a mission item is shown', { min: 0, lt: 1 }),
  intentDecay: num(0.8, 'intent retained per step when an off-mission item is shown', { min: 0, lt: 1 }),
  intentGain: num(0.25, 'intent gained per coherent (mission, relevant, good) impression', { min: 0 }),
  intentClickGain: num(0.4, 'extra intent gained when such an impression is clicked', { min: 0 }),
  baitDisappoint: num(0.5, 'share of intent lost when the user clicks a click-bait item', { min: 0, max: 1 }),
  intentThreshold: num(0, 'intent below this level does not help orders (order logit uses orderIntent x max(0, intent - threshold)): conversion needs several coherent steps', { min: 0 }),
  baitShownDisappoint: num(0, 'share of intent lost when a click-bait item is shown and NOT clicked (clicked bait loses baitDisappoint)', { min: 0, max: 1 }),
  intentAfterOrder: num(0.2, 'share of intent kept after an order (the need is met)', { min: 0, max: 1 }),
  intentAfterSwitch: num(0.3, 'share of intent kept when the mission changes to another category', { min: 0, max: 1 }),
  missionSwitchAfterOrder: num(0.5, 'probability the mission changes after an order', { min: 0, max: 1 }),
  missionDrift: num(0.02, 'per-step probability the mission changes spontaneously', { min: 0, max: 1 }),
  // ---- calibration -------------------------------------------------------------------------
  targetClickRate: num(PAPER_CLICK_RATE, 'click rate (clicks incl. orders / impressions) the log is calibrated to (paper: 0.0981)', { gt: 0, lt: 1 }),
  targetOrderPerClick: num(PAPER_ORDER_PER_CLICK, 'orders / clicks the log is calibrated to (paper: 0.0546)', { gt: 0, lt: 1 }),
  calibrate: bool(true, 'solve clickBias/orderBias by a seeded pilot simulation so the log hits the targets'),
  calibrationImpressions: int(200_000, 'pilot impressions of the final calibration step (the secant stage uses a quarter)', { min: 4000 }),
  clickBias: num(-2.87, 'click logit offset (the start of the solve when calibrate=true)'),
  orderBias: num(-4.8, 'order-given-click logit offset (the start of the solve when calibrate=true)'),
  // ---- logging policy ----------------------------------------------------------------------
  logFollowClick: num(0.5, 'logging policy: probability of showing an item of the last clicked item\'s category', { min: 0, max: 1 }),
  logStayCategory: num(0.2, 'logging policy: probability of staying in the last shown item\'s category', { min: 0, max: 1 }),
  logPersonal: num(0.5, 'logging policy: share of the remaining steps drawn from the user\'s (estimated) preferred categories', { min: 0, max: 1 }),
  logPopularityPower: num(1, 'logging policy: items are drawn with weight exp(power x log-popularity)', { min: 0, max: 5 }),
  logPrefNoise: num(0.2, 'logging policy: probability each preferred category it believes in is wrong', { min: 0, max: 1 }),
};

export type WorldConfig = ConfigOf<typeof worldConfigSpec>;

/** Resolve and validate a world config (throws ConfigError naming `world.<key>`). */
export function resolveWorldConfig(overrides: Partial<WorldConfig> | Record<string, unknown> = {}): WorldConfig {
  // The preset's table goes under the caller's overrides (an unknown preset name is reported by resolveConfig).
  const name = (overrides !== null && typeof overrides === 'object' ? (overrides as Record<string, unknown>).preset : undefined) ?? worldConfigSpec.preset.default;
  const table = typeof name === 'string' && Object.prototype.hasOwnProperty.call(WORLD_PRESETS, name) ? WORLD_PRESETS[name as WorldPresetName] : {};
  const merged = overrides !== null && typeof overrides === 'object' && !Array.isArray(overrides) ? { ...table, ...overrides } : overrides; // bad input: let resolveConfig report it
  return resolveConfig('world', worldConfigSpec, merged, (c) => {
    if (c.sessionLenMax < c.sessionLenMin) return ['sessionLenMax', `must be >= sessionLenMin (${c.sessionLenMin})`];
    if (c.nCategories > c.nItems) return ['nCategories', `must be <= nItems (${c.nItems})`];
    if (c.prefCategories > c.nCategories) return ['prefCategories', `must be <= nCategories (${c.nCategories})`];
    if (c.nUsers > 0 && c.nUsers * c.sessionLenMin > c.trainImpressions) {
      return ['nUsers', `${c.nUsers} users x sessionLenMin ${c.sessionLenMin} exceed trainImpressions ${c.trainImpressions} (every user needs a training session)`];
    }
    if (c.sessionLenMax * MAX_DWELL_S * 2 > 86400) return ['sessionLenMax', `a session must fit half a day (max ${86400 / 2 / MAX_DWELL_S})`];
    return null;
  });
}

/** Mean of the clamped log-normal session length (closed form is messy with clamping: numeric). */
export function meanSessionLength(c: Pick<WorldConfig, 'sessionLenMedian' | 'sessionLenSigma' | 'sessionLenMin' | 'sessionLenMax'>): number {
  // Midpoint rule over the standard normal on [-6, 6].
  let s = 0;
  let w = 0;
  const n = 2400;
  for (let k = 0; k < n; k++) {
    const z = -6 + (12 * (k + 0.5)) / n;
    const p = Math.exp(-0.5 * z * z);
    const len = Math.min(c.sessionLenMax, Math.max(c.sessionLenMin, Math.round(c.sessionLenMedian * Math.exp(c.sessionLenSigma * z))));
    s += p * len;
    w += p;
  }
  return s / w;
}

/** Number of users: cfg.nUsers, or auto from trainImpressions. */
export function resolveUserCount(c: WorldConfig): number {
  if (c.nUsers > 0) return c.nUsers;
  const perUser = c.sessionsPerUserDay * meanSessionLength(c);
  return Math.max(1, Math.min(Math.floor(c.trainImpressions / c.sessionLenMin), Math.round(c.trainImpressions / perUser)));
}
