/**
 * Training-time exploration (the paper is silent; standard DDPG practice): Gaussian noise on the
 * actors' outputs (proto-actions before the mapping of Eq. 13, goals before they are stored) and an
 * epsilon chance of a uniformly random remaining candidate. Rates decay linearly over a number of
 * training transitions. All draws come from the caller's seeded Rng, in a fixed order.
 */
import { UsageError } from '../util/errors';
import type { Rng } from '../util/rng';
import type { SessionBatch } from './mapping/itemIndex';

/** start -> end linearly over `decay` steps, then constant at end. */
export function linearSchedule(start: number, end: number, decay: number, step: number): number {
  if (!(decay >= 1)) throw new UsageError(`linearSchedule: decay must be >= 1, got ${decay}`);
  if (!(step >= 0)) throw new UsageError(`linearSchedule: step must be >= 0, got ${step}`);
  if (step >= decay) return end;
  return start + (end - start) * (step / decay);
}

/**
 * x += N(0, std^2) per entry, in place; with `bound`, each entry is then clipped to [-bound, bound].
 * std = 0 leaves x untouched and draws nothing.
 */
export function addGaussianNoise(x: Float32Array, std: number, rng: Rng, bound?: number): Float32Array {
  if (!(std >= 0)) throw new UsageError(`addGaussianNoise: std must be >= 0, got ${std}`);
  if (std === 0) return x;
  for (let i = 0; i < x.length; i++) {
    let v = x[i] + std * rng.normal();
    if (bound !== undefined) v = v > bound ? bound : v < -bound ? -bound : v;
    x[i] = v;
  }
  return x;
}

/**
 * A uniformly random item among session b's remaining candidates (pool entries still `has`), removed
 * from the session. Throws when none remain.
 */
export function pickRandomRemaining(cands: SessionBatch, b: number, pool: ArrayLike<number>, rng: Rng): number {
  let n = 0;
  for (let j = 0; j < pool.length; j++) if (cands.has(b, pool[j])) n++;
  if (n === 0) throw new UsageError(`session ${b}: no remaining candidate to pick`);
  let k = rng.int(n);
  for (let j = 0; j < pool.length; j++) {
    const it = pool[j];
    if (!cands.has(b, it)) continue;
    if (k-- === 0) {
      cands.remove(b, it);
      return it;
    }
  }
  throw new Error('pickRandomRemaining: unreachable');
}

/** [B] 0/1 flags, 1 with probability epsilon (one draw per session when epsilon > 0, none otherwise). */
export function epsilonMask(B: number, epsilon: number, rng: Rng): Uint8Array {
  const m = new Uint8Array(B);
  if (epsilon <= 0) return m;
  for (let b = 0; b < B; b++) m[b] = rng.random() < epsilon ? 1 : 0;
  return m;
}
