/**
 * ExpectedRewardNet: the DNN baseline with objective 'feedback' (docs/deviations.md): the
 * FeedbackNet head (softmax over skip, click, order, trained by cross-entropy on the observed
 * feedback) read out as the expected immediate reward
 *   r^(s, e) = sum_f r_f P(f | s, e)            [rows]
 * with r_f the reward of feedback f (`classRewards`, kept up to date by the owner). A 0/1 click and
 * a 0/1 order label are far less noisy targets than the 0/1/5 reward itself, and the ranking
 * needs only their probabilities. The same interface as RewardNet: predict, scoreCandidates
 * (predicted rewards), getWeights/setWeights, save/load.
 */
import * as tf from '@tensorflow/tfjs';
import { StateItemNet, StateItemConfig } from './stateItemNet';
import { N_FEEDBACK } from './feedbackNet';
import { Rng } from '../util/rng';
import type { Engine, EngineName } from './engine/engine';
import { InputError, UsageError } from '../util/errors';

export class ExpectedRewardNet extends StateItemNet {
  /** r_f per feedback class (skip, click, order); the expected reward weighs P(f) by them. */
  readonly classRewards: Float64Array;

  constructor(table: Float32Array, config: Partial<StateItemConfig> = {}, rng: Rng, classRewards: ArrayLike<number> = [0, 1, 5], engine?: Engine | EngineName) {
    super('expectedRewardNet', N_FEEDBACK, table, config, rng, engine);
    this.classRewards = new Float64Array(N_FEEDBACK);
    this.setClassRewards(classRewards);
  }

  setClassRewards(r: ArrayLike<number>): void {
    if (r.length !== N_FEEDBACK) throw new UsageError(`expectedRewardNet.classRewards: expected ${N_FEEDBACK} numbers, got ${r.length}`);
    for (let k = 0; k < N_FEEDBACK; k++) {
      if (!Number.isFinite(r[k])) throw new UsageError(`expectedRewardNet.classRewards[${k}] = ${r[k]}: must be finite`);
      this.classRewards[k] = r[k];
    }
  }

  /** [rows, 3] logits -> [rows] expected reward. */
  private expected(logits: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(tf.matMul(tf.softmax(logits), tf.tensor2d(Float32Array.from(this.classRewards), [N_FEEDBACK, 1])), [-1]) as tf.Tensor1D;
  }

  /** Predicted reward [batch] of one item (index) per user. */
  predict(hist1: Int32Array, hist2: Int32Array, items: Int32Array): Float32Array {
    const batch = this.batchOf(hist1, 'expectedRewardNet.predict.hist1');
    if (!(items instanceof Int32Array) || items.length !== batch) throw new UsageError(`expectedRewardNet.predict.items: expected an Int32Array [${batch}]`);
    return this.read(() => this.expected(this.forward(hist1, hist2, items, batch, 1)));
  }

  /** P(skip, click, order) [batch, 3] of one item per user. */
  probabilities(hist1: Int32Array, hist2: Int32Array, items: Int32Array): Float32Array {
    const batch = this.batchOf(hist1, 'expectedRewardNet.probabilities.hist1');
    if (!(items instanceof Int32Array) || items.length !== batch) throw new UsageError(`expectedRewardNet.probabilities.items: expected an Int32Array [${batch}]`);
    return this.read(() => tf.softmax(this.forward(hist1, hist2, items, batch, 1)));
  }

  /** Predicted rewards [batch, C] of C candidate items per user (candidates [batch * C], row-major). */
  scoreCandidates(hist1: Int32Array, hist2: Int32Array, candidates: Int32Array): Float32Array {
    const batch = this.batchOf(hist1, 'expectedRewardNet.scoreCandidates.hist1');
    const C = this.perUser(candidates, batch, 'expectedRewardNet.scoreCandidates.candidates');
    return this.read(() => this.expected(this.forward(hist1, hist2, candidates, batch, C)));
  }

  /** One Adam step on the mean cross-entropy -log P(label_b); labels [batch] in {0,1,2}. Returns the loss before the step. */
  trainStep(hist1: Int32Array, hist2: Int32Array, items: Int32Array, labels: Uint8Array): number {
    const batch = this.batchOf(hist1, 'expectedRewardNet.trainStep.hist1');
    if (!(items instanceof Int32Array) || items.length !== batch) throw new UsageError(`expectedRewardNet.trainStep.items: expected an Int32Array [${batch}]`);
    if (!(labels instanceof Uint8Array) || labels.length !== batch) throw new UsageError(`expectedRewardNet.trainStep.labels: expected a Uint8Array [${batch}]`);
    const oneHot = new Float32Array(batch * N_FEEDBACK);
    for (let b = 0; b < batch; b++) {
      if (labels[b] >= N_FEEDBACK) throw new UsageError(`expectedRewardNet.trainStep.labels[${b}] = ${labels[b]}: must be 0, 1 or 2`);
      oneHot[b * N_FEEDBACK + labels[b]] = 1;
    }
    return this.step(() => {
      const logp = tf.logSoftmax(this.forward(hist1, hist2, items, batch, 1)); // [batch, 3]
      return tf.div(tf.neg(tf.sum(tf.mul(tf.tensor2d(oneHot, [batch, N_FEEDBACK]), logp))), tf.scalar(batch)) as tf.Scalar;
    });
  }

  protected override extraMeta(): Record<string, unknown> {
    return { classRewards: Array.from(this.classRewards) };
  }

  static async load(dir: string, table: Float32Array): Promise<ExpectedRewardNet> {
    return StateItemNet.loadInto(dir, 'expectedRewardNet', (cfg, meta) => {
      const r = meta.classRewards;
      if (!Array.isArray(r) || r.length !== N_FEEDBACK) throw new InputError(`${dir}/model.json`, 0, `userDefinedMetadata.classRewards must be ${N_FEEDBACK} numbers`);
      return new ExpectedRewardNet(table, cfg, new Rng(0), r as number[]);
    });
  }
}
