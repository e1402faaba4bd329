/**
 * FeedbackNet: the learned user simulator (paper section 4.1): "similar architecture with LCritic,
 * while the output layer is a softmax layer that predicts the immediate feedback" from the
 * low-level state (browsed, clicked) and the recommended item. Output: P(skip, click, order).
 */
import * as tf from '@tensorflow/tfjs';
import { StateItemNet, StateItemConfig } from './stateItemNet';
import { Rng } from '../util/rng';
import type { Engine, EngineName } from './engine/engine';
import { UsageError } from '../util/errors';

/** Number of feedback classes: Skip = 0, Click = 1, Order = 2 (schema.ts `Feedback`). */
export const N_FEEDBACK = 3;

export class FeedbackNet extends StateItemNet {
  /** `engine`: see engine/engine.ts (default: the fast engine when the backend has its kernels). */
  constructor(table: Float32Array, config: Partial<StateItemConfig> = {}, rng: Rng, engine?: Engine | EngineName) {
    super('feedbackNet', N_FEEDBACK, table, config, rng, engine);
  }

  /** Probabilities [batch, 3] for one recommended item (index) per user. */
  predict(hist1: Int32Array, hist2: Int32Array, items: Int32Array): Float32Array {
    const batch = this.batchOf(hist1, 'feedbackNet.predict.hist1');
    if (!(items instanceof Int32Array) || items.length !== batch) throw new UsageError(`feedbackNet.predict.items: expected an Int32Array [${batch}]`);
    return this.read(() => tf.softmax(this.forward(hist1, hist2, items, batch, 1)));
  }

  /** Probabilities [batch, C, 3] for C candidate items per user (candidates [batch * C]). */
  scoreCandidates(hist1: Int32Array, hist2: Int32Array, candidates: Int32Array): Float32Array {
    const batch = this.batchOf(hist1, 'feedbackNet.scoreCandidates.hist1');
    const C = this.perUser(candidates, batch, 'feedbackNet.scoreCandidates.candidates');
    return this.read(() => tf.softmax(this.forward(hist1, hist2, candidates, batch, C)));
  }

  /**
   * One Adam step on the class-weighted cross-entropy
   *   loss = sum_b w[l_b] * (-log p_b[l_b]) / sum_b w[l_b]     (PyTorch CrossEntropyLoss(weight)).
   * labels: Uint8Array [batch] in {0,1,2}; classWeights: 3 non-negative numbers. Returns the loss
   * before the step.
   */
  trainStep(hist1: Int32Array, hist2: Int32Array, items: Int32Array, labels: Uint8Array, classWeights: ArrayLike<number> = [1, 1, 1]): number {
    const batch = this.batchOf(hist1, 'feedbackNet.trainStep.hist1');
    if (!(items instanceof Int32Array) || items.length !== batch) throw new UsageError(`feedbackNet.trainStep.items: expected an Int32Array [${batch}]`);
    if (!(labels instanceof Uint8Array) || labels.length !== batch) throw new UsageError(`feedbackNet.trainStep.labels: expected a Uint8Array [${batch}]`);
    if (classWeights.length !== N_FEEDBACK) throw new UsageError(`feedbackNet.trainStep.classWeights: expected ${N_FEEDBACK} numbers`);
    for (let k = 0; k < N_FEEDBACK; k++) {
      if (!(classWeights[k] >= 0)) throw new UsageError(`feedbackNet.trainStep.classWeights[${k}] = ${classWeights[k]}: must be >= 0`);
    }
    const wOneHot = new Float32Array(batch * N_FEEDBACK); // w[l_b] at (b, l_b)
    let wSum = 0;
    for (let b = 0; b < batch; b++) {
      const l = labels[b];
      if (l >= N_FEEDBACK) throw new UsageError(`feedbackNet.trainStep.labels[${b}] = ${l}: must be 0, 1 or 2`);
      wOneHot[b * N_FEEDBACK + l] = classWeights[l];
      wSum += classWeights[l];
    }
    if (!(wSum > 0)) throw new UsageError('feedbackNet.trainStep: the class weights of this batch sum to 0');
    return this.step(() => {
      const logp = tf.logSoftmax(this.forward(hist1, hist2, items, batch, 1)); // [batch, 3]
      return tf.div(tf.neg(tf.sum(tf.mul(tf.tensor2d(wOneHot, [batch, N_FEEDBACK]), logp))), tf.scalar(wSum)) as tf.Scalar;
    });
  }

  static async load(dir: string, table: Float32Array): Promise<FeedbackNet> {
    return StateItemNet.loadInto(dir, 'feedbackNet', (cfg) => new FeedbackNet(table, cfg, new Rng(0)));
  }
}
