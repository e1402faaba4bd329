/**
 * RewardNet: the DNN baseline: the FeedbackNet body with one linear output regressing the
 * immediate reward of recommending an item in a state; the policy recommends the best-scoring of
 * ~500 candidates per user (`scoreCandidates`: encoder once per user, dense layers per candidate).
 */
import * as tf from '@tensorflow/tfjs';
import { StateItemNet, StateItemConfig } from './stateItemNet';
import { Rng } from '../util/rng';
import type { Engine, EngineName } from './engine/engine';
import { UsageError } from '../util/errors';

export class RewardNet extends StateItemNet {
  /** `engine`: see engine/engine.ts (default: the fast engine when the backend has its kernels). */
  constructor(table: Float32Array, config: Partial<StateItemConfig> = {}, rng: Rng, engine?: Engine | EngineName) {
    super('rewardNet', 1, table, config, rng, engine);
  }

  /** Predicted reward [batch] of one item (index) per user. */
  predict(hist1: Int32Array, hist2: Int32Array, items: Int32Array): Float32Array {
    const batch = this.batchOf(hist1, 'rewardNet.predict.hist1');
    if (!(items instanceof Int32Array) || items.length !== batch) throw new UsageError(`rewardNet.predict.items: expected an Int32Array [${batch}]`);
    return this.read(() => this.forward(hist1, hist2, items, batch, 1));
  }

  /** Predicted rewards [batch, C] of C candidate items per user (candidates [batch * C], row-major). */
  scoreCandidates(hist1: Int32Array, hist2: Int32Array, candidates: Int32Array): Float32Array {
    const batch = this.batchOf(hist1, 'rewardNet.scoreCandidates.hist1');
    const C = this.perUser(candidates, batch, 'rewardNet.scoreCandidates.candidates');
    return this.read(() => this.forward(hist1, hist2, candidates, batch, C));
  }

  /** One Adam step on mean_b (pred_b - target_b)^2; returns the MSE before the step. */
  trainStep(hist1: Int32Array, hist2: Int32Array, items: Int32Array, targets: Float32Array): number {
    const batch = this.batchOf(hist1, 'rewardNet.trainStep.hist1');
    if (!(items instanceof Int32Array) || items.length !== batch) throw new UsageError(`rewardNet.trainStep.items: expected an Int32Array [${batch}]`);
    if (!(targets instanceof Float32Array) || targets.length !== batch) throw new UsageError(`rewardNet.trainStep.targets: expected a Float32Array [${batch}]`);
    return this.step(() => {
      const pred = tf.reshape(this.forward(hist1, hist2, items, batch, 1), [batch]);
      return tf.mean(tf.square(tf.sub(pred, tf.tensor1d(targets)))) as tf.Scalar;
    });
  }

  static async load(dir: string, table: Float32Array): Promise<RewardNet> {
    return StateItemNet.loadInto(dir, 'rewardNet', (cfg) => new RewardNet(table, cfg, new Rng(0)));
  }
}
