/**
 * The comparison floor: a uniformly random remaining candidate per session (seeded), removed from
 * the session like every other policy's pick. `explore` makes no difference.
 */
import { Rng, type RngState } from '../util/rng';
import { UsageError } from '../util/errors';
import type { AgentState, Policy } from './policy';
import type { SessionBatch } from './mapping/itemIndex';
import { pickRandomRemaining } from './exploration';

export class RandomPolicy implements Policy {
  readonly name = 'random';
  constructor(private readonly rng: Rng) {}

  select(state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, _explore: boolean): Int32Array {
    const B = cands.size;
    if (pools.length !== B) throw new UsageError(`random.select: ${pools.length} pools for ${B} candidate sessions`);
    void state;
    const out = new Int32Array(B);
    for (let b = 0; b < B; b++) out[b] = pickRandomRemaining(cands, b, pools[b], this.rng);
    return out;
  }

  getState(): RngState {
    return this.rng.getState();
  }

  setState(s: RngState): void {
    this.rng.setState(s);
  }
}
