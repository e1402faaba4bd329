/** The default dataset: a seeded synthetic JD-like e-commerce world and its two-day log. */
export {
  worldConfigSpec,
  resolveWorldConfig,
  resolveUserCount,
  meanSessionLength,
  WORLD_DAY0_TS,
  PAPER_TEST_FRACTION,
  PAPER_CLICK_RATE,
  PAPER_ORDER_PER_CLICK,
  MAX_DWELL_S,
} from './worldConfig';
export type { WorldConfig } from './worldConfig';
export { buildCatalog } from './catalog';
export type { Catalog } from './catalog';
export { buildPopulation } from './population';
export type { Population } from './population';
export { buildWorld } from './world';
export type { World } from './world';
export { TrueUserModel, cloneSessionState } from './trueUserModel';
export type { UserSessionState, ModelBias } from './trueUserModel';
export { LoggingPolicy } from './loggingPolicy';
export type { SessionPolicy } from './loggingPolicy';
export { planSessions, sampleSessionLength, SessionUserSampler } from './sessionPlan';
export type { SessionPlan } from './sessionPlan';
export { calibrateBiases, pilotRates } from './calibrate';
export type { CalibrationReport, PilotRates } from './calibrate';
export { generateWorld, generateLog } from './generateWorld';
export type { GenerateOptions } from './generateWorld';
export { rolloutPolicy, PAPER_REWARDS } from './rollout';
export type { Rewards, RolloutResult } from './rollout';
export { worldOfDataset, isWorldDataset } from './worldOfDataset';
