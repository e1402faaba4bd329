/** Evaluation: the online test (Algorithm 3), the offline re-ranking test (Algorithm 4), their metrics. */
export * from './metrics';
export { summarize, type Summary } from './summary';
export { checkPicks, remainingCounts, type PickLedger, type PickContext } from './policyCheck';
export { onlineTest, defaultIndex, ONLINE_DEFINITIONS, type OnlineOptions, type OnlineResult, type MappingIndex } from './onlineTest';
export {
  offlineTest,
  offlineTestSpec,
  resolveOfflineConfig,
  offlineDefinitions,
  sessionItems,
  type OfflineTestConfig,
  type OfflineOptions,
  type OfflineResult,
  type OfflineSession,
  type RankingMetrics,
  type RankingPerSession,
} from './offlineTest';
export { evaluate, evaluateSpec, resolveEvaluateConfig, type EvaluateConfig, type EvaluateExtras, type EvaluationRecord } from './evaluate';
export { GreedyOraclePolicy, ORACLE_KINDS, oracleWeights, headroomCaptured, type OracleKind } from './oracles';
export { LoggingReferencePolicy } from './loggingReferencePolicy';
export {
  REFERENCES,
  OPT_IN_REFERENCES,
  ALL_REFERENCES,
  HEADROOM_FLOOR,
  HEADROOM_ORACLE,
  HEADROOM_DEFINITION,
  referenceDef,
  referencesFor,
  hasTruth,
  makeReference,
  evaluateReferences,
  onlineReferences,
  headroomOf,
  type ReferenceDef,
  type ReferenceContext,
  type ReferenceEvaluation,
  type Headroom,
  type OnlineReference,
  type OnlineReferenceOptions,
} from './references';
export { actionSaturation, actorSaturation, spreadRows, type SaturationStats, type LevelSaturation, type StateHistories } from './actorSaturation';
export { readHeadroom, readGoalFollowing, readTrend, readSaturation, H_RANDOM_BAND, GOAL_GAP, TREND_BAND, SATURATED_SHARE } from './interpret';
