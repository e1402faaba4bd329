/**
 * The default world's ground-truth user model as an environment backend: each session carries the
 * model's hidden per-session state (mission, intent, fatigue memory...), drawn fresh at reset like
 * the log generator does, and advanced with the feedback the environment sampled.
 *
 * Prepared datasets re-index items and users densely after the long-tail filter; for source
 * 'world' the raw ids are the world's indices, so items map through items.rawId and users through
 * log.userRawId.
 */
import { UsageError } from '../util/errors';
import type { Rng } from '../util/rng';
import { TrueUserModel, type UserSessionState } from '../data/world/trueUserModel';
import type { World } from '../data/world/world';
import type { Feedback } from '../data/schema';
import type { SimDataset } from './types';
import type { Observation, UserBackend } from './userBackend';

export class TrueModelBackend implements UserBackend {
  readonly name = 'true-model';
  readonly model: TrueUserModel;
  /** Prepared item index -> world item index. */
  readonly itemToWorld: Int32Array;
  /** World item index -> prepared item index, -1 when the item was filtered out. */
  readonly worldToItem: Int32Array;
  /** Prepared user index -> world user index. */
  readonly userToWorld: Int32Array;
  /** Per session of the current batch: world user and the model's session state. */
  worldUsers = new Int32Array(0);
  states: UserSessionState[] = [];
  private rng: Rng | null = null;
  private readonly p = new Float64Array(3);

  constructor(
    readonly world: World,
    ds: SimDataset,
  ) {
    const src = ds.train.log.source;
    if (src !== 'world') throw new UsageError(`TrueModelBackend needs a dataset prepared from the default world (source 'world'), got source '${src}'`);
    this.model = new TrueUserModel(world);
    const n = ds.items.n;
    this.itemToWorld = new Int32Array(n);
    this.worldToItem = new Int32Array(world.nItems).fill(-1);
    for (let i = 0; i < n; i++) {
      const w = ds.items.rawId[i];
      if (!(Number.isInteger(w) && w >= 0 && w < world.nItems)) {
        throw new UsageError(`TrueModelBackend: item ${i} has rawId ${w}, not a world item index in [0, ${world.nItems}) (dataset from another world?)`);
      }
      this.itemToWorld[i] = w;
      this.worldToItem[w] = i;
    }
    const raw = ds.train.log.userRawId;
    this.userToWorld = new Int32Array(raw.length);
    for (let u = 0; u < raw.length; u++) {
      const w = raw[u];
      if (!(Number.isInteger(w) && w >= 0 && w < world.nUsers)) {
        throw new UsageError(`TrueModelBackend: user ${u} has rawId ${w}, not a world user index in [0, ${world.nUsers}) (dataset from another world?)`);
      }
      this.userToWorld[u] = w;
    }
  }

  reset(users: Int32Array, _obs: Observation, rng: Rng): void {
    this.rng = rng;
    this.worldUsers = new Int32Array(users.length);
    this.states = [];
    for (let b = 0; b < users.length; b++) {
      const wu = this.userToWorld[users[b]];
      this.worldUsers[b] = wu;
      this.states.push(this.model.newSessionState(wu, rng));
    }
  }

  probs(_obs: Observation, items: Int32Array): Float32Array {
    if (items.length !== this.states.length) throw new UsageError(`TrueModelBackend: ${items.length} items for ${this.states.length} sessions`);
    const out = new Float32Array(items.length * 3);
    for (let b = 0; b < items.length; b++) {
      this.model.probs(this.worldUsers[b], this.states[b], this.itemToWorld[items[b]], this.p);
      out[b * 3] = this.p[0];
      out[b * 3 + 1] = this.p[1];
      out[b * 3 + 2] = this.p[2];
    }
    return out;
  }

  observe(items: Int32Array, feedback: Uint8Array): void {
    const rng = this.rng;
    if (!rng) throw new UsageError('TrueModelBackend: observe before reset');
    for (let b = 0; b < items.length; b++) {
      this.model.advance(this.worldUsers[b], this.states[b], this.itemToWorld[items[b]], feedback[b] as Feedback, rng);
    }
  }
}
