/**
 * What a reproduce stage is (lib/experiments/stages/<stage>.ts) and what the runner
 * (lib/experiments/reproduce.ts) gives it.
 *
 * A stage `plan`s first: from the plan and the hashes of the stages before it, it computes its hash
 * (stageCache.stageHash over its resolved config and inputs) and says what it would write. The runner
 * skips it when a record with that hash exists (and its outputs do), else calls `run`, then writes
 * the stage record (stages/<stage>.json) last. `after` runs in both cases, to hand what later stages
 * need to the context (the dataset's manifest, the claims, ...).
 *
 * A new stage is one new file exporting a `Stage` plus its place in STAGE_ORDER (stages/index.ts).
 */
import type { StageRecord } from '../stageCache';
import type { PipelineContext } from './context';

import type { StageName } from './stageNames';

export { STAGES } from './stageNames';
export type { StageName } from './stageNames';

/** What `run` reports: 'partial' when some of its runs were cached (it still re-aggregated). */
export interface StageRun {
  status: 'ran' | 'partial';
  /** One line for the stage outcome ("8 runs: 8 trained, 0 cached"). */
  detail?: string;
  /** Kept in the stage record (e.g. computeSeconds). */
  info?: Record<string, unknown>;
  /** Outputs known only after running (default: the plan's). */
  outputs?: string[];
}

/** What the stage record will hold (outputs relative to the output folder), and how to run the stage. */
export interface PlannedStage extends Pick<StageRecord, 'hash' | 'config' | 'inputs' | 'outputs'> {
  run(): Promise<StageRun>;
}

/** A stage that does not apply to this plan (e.g. --no-sweeps): `cleanup` removes its stale results. */
export interface SkippedStage {
  skip: string;
  cleanup?(): void;
}

export interface Stage {
  name: StageName;
  plan(ctx: PipelineContext): PlannedStage | SkippedStage;
  /** After the stage ran or was found cached (not when skipped). */
  after?(ctx: PipelineContext): void;
}

export function isSkipped(p: PlannedStage | SkippedStage): p is SkippedStage {
  return (p as SkippedStage).skip !== undefined;
}
