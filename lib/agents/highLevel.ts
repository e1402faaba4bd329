/**
 * The high-level recommendation agent (HRA, section 2.2): HActor/HCritic as a DdpgCore with M heads
 * over one shared encoder of the (clicked, ordered) histories (Eq. 4-7), the replay buffer D^h, the
 * goal bookkeeping (GoalPeriods) and the goal exploration noise.
 *
 * D^h holds one record per period: (s^h_{t-c}, g^{1:M}_{t-c}, phi'(r_{t-c:t-1}), s^h_t, done) with
 * the goals as executed (after noise); update() samples N^h periods and runs Eq. (16)-(18) for all M
 * heads at once (each head's TD error also trains the shared encoder: the sharing mechanism).
 */
import { DdpgCore, type DdpgCoreOptions, type UpdateStats } from './ddpgCore';
import { ddpgConfigOf } from './ddpgConfig';
import { ReplayBuffer } from './replayBuffer';
import { GoalPeriods, type HighTransitionBatch } from './goalPeriods';
import type { AgentState } from './policy';
import { addGaussianNoise } from './exploration';
import { headToRecordMajor, recordToHeadMajor, toFloat } from './batchLayout';
import type { HrlMgConfig } from './agentConfig';
import { Rng, type RngState } from '../util/rng';

export function highFields(N: number, M: number, E: number) {
  return {
    s1: { len: N, type: 'i32' }, // clicked at the period start
    s2: { len: N, type: 'i32' }, // ordered at the period start
    g: { len: M * E, type: 'f32' }, // goals [M, E] as executed
    r: { len: M, type: 'f32' }, // phi'_i (Eq. 15)
    s1n: { len: N, type: 'i32' },
    s2n: { len: N, type: 'i32' },
    done: { len: 1, type: 'u8' },
  } as const;
}
export type HighFields = ReturnType<typeof highFields>;

export class HighLevel {
  readonly core: DdpgCore;
  replay: ReplayBuffer<HighFields>;
  readonly periods: GoalPeriods;
  readonly rngNoise: Rng;
  readonly rngSample: Rng;

  constructor(
    readonly table: Float32Array,
    readonly cfg: HrlMgConfig,
    rng: Rng,
    core: DdpgCoreOptions = {},
  ) {
    const c = cfg;
    this.core = new DdpgCore(table, ddpgConfigOf('high', c), rng.fork('high/init'), core);
    this.replay = new ReplayBuffer({ capacity: c.bufferHigh, fields: highFields(c.N, c.M, c.E) });
    this.periods = new GoalPeriods(c.c, c.M, c.E, c.beta, c.partialPeriods);
    this.rngNoise = rng.fork('high/noise');
    this.rngSample = rng.fork('high/sample');
  }

  /** Goals g^{1:M} = B tanh(W_i s^h + b_i) (Eq. 5) for B sessions [M, B, E]; training adds clipped noise. */
  goals(state: AgentState, B: number, explore: boolean, noise: number): Float32Array {
    const g = this.core.act(state.clicked, state.ordered, B); // [M, B, E]
    if (explore && noise > 0) addGaussianNoise(g, noise * this.cfg.bound, this.rngNoise, this.cfg.bound);
    return g;
  }

  /** Store a period's B high-level transitions (Algorithm 2 line 20). */
  store(tr: HighTransitionBatch): void {
    const { M, E } = this.cfg;
    const B = tr.r.length / M;
    this.replay.pushBatch(
      {
        s1: tr.s1,
        s2: tr.s2,
        g: headToRecordMajor(tr.g, B, M, E), // [M, B, E] -> [B, M*E]
        r: tr.r, // [B, M]
        s1n: tr.s1n,
        s2n: tr.s2n,
        done: new Uint8Array(B).fill(tr.done ? 1 : 0),
      },
      B,
    );
  }

  /** One DDPG update of all M heads from N^h periods (Algorithm 2 lines 23-24, 27); null before warm-up. */
  update(): UpdateStats | null {
    if (this.replay.size < this.cfg.warmupHigh) return null;
    const n = this.cfg.batchHigh;
    const { M, E } = this.cfg;
    const m = this.replay.sample(n, this.rngSample);
    return this.core.update({
      s1: m.s1,
      s2: m.s2,
      a: recordToHeadMajor(m.g, n, M, E), // [M, n, E]
      r: recordToHeadMajor(m.r, n, M, 1), // [M, n]
      s1n: m.s1n,
      s2n: m.s2n,
      done: toFloat(m.done),
    });
  }

  rngStates(): Record<string, RngState> {
    return { noise: this.rngNoise.getState(), sample: this.rngSample.getState() };
  }

  setRngStates(s: Record<string, RngState>): void {
    this.rngNoise.setState(s.noise);
    this.rngSample.setState(s.sample);
  }

  dispose(): void {
    this.core.dispose();
  }
}
