/**
 * The learned user simulator, its fidelity report, item recall and the batched recommendation
 * environment (paper sections 2.1, 3.1, 4.1, appendices B.1 and C.1).
 */
export type { SimDataset, SimSplit } from './types';
export { historyLength } from './types';
export { pushHistory, recordImpression, historyItems } from './history';
export * from './metrics';
export { FrequencyBaseline } from './frequencyBaseline';
export { simulatorSpec, resolveSimulatorConfig, classWeightsFor } from './simulatorConfig';
export type { SimulatorConfig } from './simulatorConfig';
export { RATE_FEATURES, rateLogits } from './itemRates';
export { Simulator, priorCorrect, fitClassAdjust, SIMULATOR_FORMAT, SIMULATOR_FORMAT_VERSION } from './simulator';
export type { DatasetRef, EpochRecord, TrainingSummary, SimulatorMeta } from './simulator';
export { fitSimulator } from './fitSimulator';
export type { FitOptions, FitDataset } from './fitSimulator';
export { recallSpec, resolveRecallConfig, CandidateRecall, buildCandidatePool } from './recall';
export type { RecallConfig, HistoryRows } from './recall';
export type { Observation, UserBackend } from './userBackend';
export { RecEnv, recEnvSpec } from './recEnv';
export type { RecEnvConfig, Rewards, StepResult } from './recEnv';
export { SimulatorBackend } from './simulatorBackend';
export { TrueModelBackend } from './trueModelBackend';
export { ItemRateBackend } from './itemRateBackend';
export { LoggingPolicyAgent } from './loggingPolicyAgent';
export { fidelityReport, formatFidelityTable, writeFidelityReport, truthGap } from './fidelity';
export type { FidelityOptions, FidelityReport, ModelFigures, TruthGap, GapFigures } from './fidelity';
