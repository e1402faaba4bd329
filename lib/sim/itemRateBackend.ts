/**
 * A state-free user backend: each item's smoothed train-day feedback rates (the frequency
 * baseline). Useful as a sanity baseline environment and for fast tests.
 */
import type { Rng } from '../util/rng';
import type { FrequencyBaseline } from './frequencyBaseline';
import type { Observation, UserBackend } from './userBackend';

export class ItemRateBackend implements UserBackend {
  readonly name = 'item-rates';
  constructor(readonly baseline: FrequencyBaseline) {}
  reset(_users: Int32Array, _obs: Observation, _rng: Rng): void {}
  probs(_obs: Observation, items: Int32Array): Float32Array {
    return this.baseline.predict(items);
  }
  observe(_items: Int32Array, _feedback: Uint8Array): void {}
}
