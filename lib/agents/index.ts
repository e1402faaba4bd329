/**
 * lib/agents public API: the HRL-MG agent and its baselines (HRL, DDPG, DNN, random), the online
 * trainer (Algorithm 2), checkpoints, traces, and the building blocks (DDPG core, mapping, goal
 * schedule, internal reward, benefit assignment, replay buffer, TD target).
 */
// building blocks
export { DdpgCore, ddpgSpec } from './ddpgCore';
export type { DdpgConfig, DdpgBatch, UpdateStats, DdpgWeights } from './ddpgCore';
export type { AgentState, Policy } from './policy';
export * from './mapping/index';
export { goalScheduleProblem, blockLength, isGoalStep, goalIndex, goalIndexTable, goalBlock } from './goalSchedule';
export { internalReward, internalRewardBatch, internalRewardFromGoals } from './internalReward';
export { benefitBase, benefitAssign, benefitAssignBatch } from './benefit';
export { ReplayBuffer } from './replayBuffer';
export type { FieldType, FieldDef, FieldDefs, Columns, ReplayRecord, ReplayBufferOptions } from './replayBuffer';
export { tdTarget } from './tdTarget';
// configs
export {
  AGENT_METHODS, lowLevelSpec, hrlmgSpec, hrlSpec, ddpgAgentSpec, dnnSpec, agentSpecs, resolveAgentConfig, trainerSpec, resolveTrainerConfig,
} from './agentConfig';
export type { AgentMethod, HrlMgConfig, HrlConfig, DdpgAgentConfig, DnnConfig, AgentConfigOf, TrainerConfig } from './agentConfig';
// agents
export type { TrainableAgent, StepOutcome, StepInfo, PeriodEnd, UpdateInfo, ExplorationRates } from './agent';
export { GoalPeriods } from './goalPeriods';
export type { HighTransitionBatch, PeriodResult } from './goalPeriods';
export { LowLevel, lowFields } from './lowLevel';
export type { LowLevelConfig, LowChoice } from './lowLevel';
export { HighLevel, highFields } from './highLevel';
export { HrlMgAgent, isCheckpointDir } from './hrlmg';
export type { HierMethod } from './hrlmg';
export { DnnAgent, dnnFields } from './dnnAgent';
export { RandomPolicy } from './randomPolicy';
export { createAgent, loadAgent } from './factory';
export { BUILTIN_METHODS, registerMethod, methods, methodIds, methodOf, hasMethod, isBuiltinMethod, resolveMethodConfig, mainMethods, methodLabel } from './methods';
export type { MethodDef, GuardInfo } from './methods';
export { linearSchedule, addGaussianNoise, pickRandomRemaining, epsilonMask } from './exploration';
export { recordToHeadMajor, headToRecordMajor, gatherRows } from './batchLayout';
export { AGENT_FORMAT, readAgentJson, canonicalJson } from './agentStore';
export type { AgentJson, AgentRuntime } from './agentStore';
// training
export { Trainer, train, trainEnvFactory, episodeSeed, saveTrainLog } from './trainer';
export type { EnvFactory, TrainLog, TrainResult, TrainerOptions } from './trainer';
export { LogWindow } from './trainLog';
export type { TrainLogEntry, LevelUpdateLog, LogWindowState } from './trainLog';
export { TRAINER_FORMAT, writeTrainerCheckpoint, readTrainerCheckpoint } from './checkpoint';
export type { TrainerCheckpoint } from './checkpoint';
export { TraceRecorder, traceRollout } from './trace';
export type { TraceStep, TracePeriod, TraceOptions } from './trace';
