/**
 * The learned simulator as an environment backend: one batched FeedbackNet forward pass per step
 * for all B sessions, on the observation's low-level state (browsed, clicked) and the recommended
 * items. Stateless beyond the observation (the simulator's state is the histories).
 */
import type { Rng } from '../util/rng';
import type { Simulator } from './simulator';
import type { SimDataset } from './types';
import type { Observation, UserBackend } from './userBackend';

export class SimulatorBackend implements UserBackend {
  readonly name = 'simulator';
  constructor(readonly sim: Simulator) {}
  attach(ds: SimDataset): void {
    this.sim.checkDataset(ds);
  }
  reset(_users: Int32Array, _obs: Observation, _rng: Rng): void {}
  probs(obs: Observation, items: Int32Array): Float32Array {
    return this.sim.predict(obs.browsed, obs.clicked, items);
  }
  observe(_items: Int32Array, _feedback: Uint8Array): void {}
}
