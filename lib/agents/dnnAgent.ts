/**
 * The DNN baseline (section 4.2): "a deep neural network similar to LCritic ... to evaluate the
 * immediate reward of the current state-action pair. It always recommends items with highest
 * immediate reward." A RewardNet over (browsed, clicked) = s^l regresses r_ex of (s^l, item); the
 * policy scores every remaining candidate of each session in one batched call and takes the argmax
 * (ties to the earlier pool position). Training is online from the environment's feedback: a replay
 * buffer of (s^l, item, r_ex), one regression step per update, epsilon-greedy exploration.
 */
import * as path from 'node:path';
import { RewardNet } from '../nn/rewardNet';
import { ExpectedRewardNet } from '../nn/expectedRewardNet';
import { ReplayBuffer } from './replayBuffer';
import { omitNeutral, resolveAgentConfig, type DnnConfig } from './agentConfig';
import { epsilonMask, linearSchedule, pickRandomRemaining } from './exploration';
import type { AgentState } from './policy';
import type { SessionBatch } from './mapping/itemIndex';
import type { ExplorationRates, StepInfo, StepOutcome, TrainableAgent, UpdateInfo } from './agent';
import { agentJson, checkSameAgent, readBytes, readJson, writeBytes, type AgentRuntime } from './agentStore';
import { writeDirAtomic } from '../util/atomic';
import { Rng } from '../util/rng';
import { UsageError } from '../util/errors';

/**
 * Replay columns. objective 'regression' stores r_ex (the layout of kit 0.1.0's checkpoints);
 * 'feedback' stores the feedback class f (0 skip, 1 click, 2 order) in the same slot as a number.
 */
export function dnnFields(N: number) {
  return {
    s1: { len: N, type: 'i32' }, // browsed
    s2: { len: N, type: 'i32' }, // clicked
    item: { len: 1, type: 'i32' },
    r: { len: 1, type: 'f32' }, // r_ex (regression) or the feedback class (feedback)
  } as const;
}
export type DnnFields = ReturnType<typeof dnnFields>;

export class DnnAgent implements TrainableAgent {
  readonly method = 'dnn' as const;
  readonly name = 'dnn';
  readonly config: Readonly<DnnConfig>;
  /** objective 'regression': RewardNet; 'feedback': ExpectedRewardNet (both score the expected reward). */
  readonly net: RewardNet | ExpectedRewardNet;
  replay: ReplayBuffer<DnnFields>;
  readonly nItems: number;
  readonly E: number;
  readonly N: number;
  readonly M = 0;
  exploreSteps = 0;
  private updates = 0;
  private readonly rngEpsilon: Rng;
  private readonly rngSample: Rng;
  private ctx: { t: number; items: Int32Array; randomPick: Uint8Array } | null = null;

  constructor(
    readonly table: Float32Array,
    overrides: Partial<DnnConfig> | Record<string, unknown> = {},
    rng: Rng,
  ) {
    const cfg = resolveAgentConfig('dnn', overrides);
    this.config = cfg;
    if (!(table instanceof Float32Array) || table.length === 0 || table.length % cfg.E !== 0) {
      throw new UsageError(`dnn: item table must be a Float32Array [nItems, E=${cfg.E}], got length ${table?.length}`);
    }
    this.nItems = table.length / cfg.E;
    this.E = cfg.E;
    this.N = cfg.N;
    const netCfg = { E: cfg.E, H: cfg.H, N: cfg.N, hidden: cfg.hidden, lr: cfg.lr, body: cfg.body, rank: cfg.rank };
    const t = scaledTable(table, cfg.embeddingScale);
    this.net = cfg.objective === 'feedback' ? new ExpectedRewardNet(t, netCfg, rng.fork('dnn/init')) : new RewardNet(t, netCfg, rng.fork('dnn/init'));
    this.replay = new ReplayBuffer({ capacity: cfg.bufferLow, fields: dnnFields(cfg.N) });
    this.rngEpsilon = rng.fork('dnn/epsilon');
    this.rngSample = rng.fork('dnn/sample');
  }

  get updateCounts(): { low: number; high: number } {
    return { low: this.updates, high: 0 };
  }

  exploration(): ExplorationRates {
    const c = this.config;
    return { actionNoise: 0, goalNoise: 0, epsilon: linearSchedule(c.epsilon, c.epsilonEnd, c.exploreDecay, this.exploreSteps) };
  }

  /** Greedy over each session's remaining candidates by predicted immediate reward (epsilon-random in training). */
  select(state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, explore: boolean): Int32Array {
    const N = this.N;
    if (!(state.browsed instanceof Int32Array) || state.browsed.length % N !== 0 || state.browsed.length === 0) {
      throw new UsageError(`dnn.select: state.browsed must be an Int32Array [B*N] with N=${N}`);
    }
    const B = state.browsed.length / N;
    if (cands.size !== B || pools.length !== B) throw new UsageError(`dnn.select: ${cands.size} candidate sessions and ${pools.length} pools for B=${B} states`);
    const random = explore ? epsilonMask(B, this.exploration().epsilon, this.rngEpsilon) : new Uint8Array(B);
    // Remaining candidates per session, padded to a common width C by repeating the first one.
    const lists: number[][] = [];
    let C = 0;
    for (let b = 0; b < B; b++) {
      const l: number[] = [];
      if (!random[b]) {
        const p = pools[b];
        for (let j = 0; j < p.length; j++) if (cands.has(b, p[j])) l.push(p[j]);
        if (l.length === 0) throw new UsageError(`dnn.select: session ${b} has no remaining candidate`);
      }
      lists.push(l);
      C = Math.max(C, l.length);
    }
    const items = new Int32Array(B);
    if (C > 0) {
      const flat = new Int32Array(B * C);
      for (let b = 0; b < B; b++) {
        const l = lists[b];
        const fill = l.length ? l[0] : 0;
        for (let k = 0; k < C; k++) flat[b * C + k] = k < l.length ? l[k] : fill;
      }
      const scores = this.net.scoreCandidates(state.browsed, state.clicked, flat); // [B, C]
      for (let b = 0; b < B; b++) {
        const l = lists[b];
        if (!l.length) continue;
        let best = 0;
        for (let k = 1; k < l.length; k++) if (scores[b * C + k] > scores[b * C + best]) best = k;
        items[b] = l[best];
        cands.remove(b, items[b]);
      }
    }
    for (let b = 0; b < B; b++) if (random[b]) items[b] = pickRandomRemaining(cands, b, pools[b], this.rngEpsilon);
    this.ctx = { t: state.t, items: items.slice(), randomPick: random };
    if (explore) this.exploreSteps += B;
    return items;
  }

  observe(o: StepOutcome, store: boolean): StepInfo {
    const ctx = this.ctx;
    if (!ctx || ctx.t !== o.state.t || ctx.items.length !== o.items.length || ctx.items.some((x, b) => x !== o.items[b])) {
      throw new UsageError('dnn.observe: does not answer the last select');
    }
    const B = o.items.length;
    if (store) {
      if (this.net instanceof ExpectedRewardNet) {
        // r_f as the environment pays it (the last reward seen with feedback f; rewards[f] is fixed per env)
        const rf = Array.from(this.net.classRewards);
        for (let b = 0; b < B; b++) rf[o.feedback[b]] = o.reward[b];
        this.net.setClassRewards(rf);
        this.replay.pushBatch({ s1: o.state.browsed, s2: o.state.clicked, item: o.items, r: Float32Array.from(o.feedback) }, B);
      } else {
        this.replay.pushBatch({ s1: o.state.browsed, s2: o.state.clicked, item: o.items, r: o.reward }, B);
      }
    }
    return { t: o.state.t, items: o.items, rEx: o.reward, rIn: null, rLow: o.reward, goalIndex: -1, goals: null, proto: null, randomPick: ctx.randomPick, period: null };
  }

  /**
   * One step on N^l samples: regression on (s^l, item, r_ex) (MSE) or cross-entropy on
   * (s^l, item, f); the loss is reported as the critic loss.
   */
  update(): UpdateInfo {
    if (this.replay.size < this.config.warmupLow) return { low: null, high: null };
    const m = this.replay.sample(this.config.batchLow, this.rngSample);
    const mse = this.net instanceof ExpectedRewardNet ? this.net.trainStep(m.s1, m.s2, m.item, Uint8Array.from(m.r)) : this.net.trainStep(m.s1, m.s2, m.item, m.r);
    this.updates++;
    return { low: { criticLoss: mse, actorLoss: NaN, qMean: NaN, deadFrac: 0 }, high: null };
  }

  /** agent.json's config: options at their neutral value left out (agents saved before them keep loading). */
  private jsonConfig(): Record<string, unknown> {
    return omitNeutral({ ...this.config } as Record<string, unknown>);
  }

  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, async (tmp) => {
      await this.net.save(path.join(tmp, 'dnn'));
      writeBytes(path.join(tmp, 'agent.json'), JSON.stringify(agentJson('dnn', this.jsonConfig(), this.nItems, this.E), null, 2) + '\n');
    });
  }

  async loadWeights(dir: string): Promise<void> {
    checkSameAgent(dir, 'dnn', this.jsonConfig(), this.nItems);
    const saved = this.net instanceof ExpectedRewardNet ? await ExpectedRewardNet.load(path.join(dir, 'dnn'), this.table) : await RewardNet.load(path.join(dir, 'dnn'), this.table);
    try {
      this.net.setWeights(saved.getWeights());
      if (this.net instanceof ExpectedRewardNet && saved instanceof ExpectedRewardNet) this.net.setClassRewards(saved.classRewards);
    } finally {
      saved.dispose();
    }
  }

  async saveCheckpoint(dir: string): Promise<void> {
    await writeDirAtomic(dir, async (tmp) => {
      await this.net.save(path.join(tmp, 'dnn'));
      writeBytes(path.join(tmp, 'agent.json'), JSON.stringify(agentJson('dnn', this.jsonConfig(), this.nItems, this.E), null, 2) + '\n');
      writeBytes(path.join(tmp, 'replay-low.bin'), this.replay.serialize());
      const rt: AgentRuntime = {
        exploreSteps: this.exploreSteps,
        rngs: { dnn: { epsilon: this.rngEpsilon.getState(), sample: this.rngSample.getState() } },
        updates: this.updateCounts,
      };
      writeBytes(path.join(tmp, 'runtime.json'), JSON.stringify(rt) + '\n');
    });
  }

  async loadCheckpoint(dir: string): Promise<void> {
    await this.loadWeights(dir);
    const f = path.join(dir, 'replay-low.bin');
    this.replay = ReplayBuffer.deserialize(readBytes(f), dnnFields(this.N), f);
    const rt = readJson<AgentRuntime>(path.join(dir, 'runtime.json'));
    this.exploreSteps = rt.exploreSteps;
    this.updates = rt.updates.low;
    this.rngEpsilon.setState(rt.rngs.dnn.epsilon);
    this.rngSample.setState(rt.rngs.dnn.sample);
    this.ctx = null;
  }

  weightArrays(): Float32Array[] {
    const w = this.net.getWeights();
    return [w.net, w.adam.m, w.adam.v];
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** The table times `scale` (0 = auto: per-component RMS 1); scale 1 returns `table` itself. */
export function scaledTable(table: Float32Array, scale: number): Float32Array {
  let k = scale;
  if (k === 0) {
    let ss = 0;
    for (let j = 0; j < table.length; j++) ss += table[j] * table[j];
    k = ss > 0 ? 1 / Math.sqrt(ss / table.length) : 1;
  }
  if (k === 1) return table;
  return Float32Array.from(table, (x) => x * k);
}
