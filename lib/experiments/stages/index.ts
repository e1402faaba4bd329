/**
 * The reproduce pipeline's stages in their order (each module: its hash and its run; stage.ts).
 * The runner (../reproduce.ts) plans and runs them one after the other.
 */
import { dataStage } from './data';
import { simulatorStage } from './simulator';
import { trainStage } from './train';
import { evaluateStage } from './evaluate';
import { sweepStage } from './sweep';
import { figuresStage } from './figures';
import { summaryStage } from './summary';
import type { Stage } from './stage';

export const STAGE_ORDER: readonly Stage[] = [dataStage, simulatorStage, trainStage, evaluateStage, sweepStage, figuresStage, summaryStage];

export { STAGES, isSkipped } from './stage';
export type { Stage, StageName, PlannedStage, SkippedStage, StageRun } from './stage';
export { PipelineContext, jobCost, statusOf } from './context';
export type { StageOutcome, PlannedRun } from './context';
