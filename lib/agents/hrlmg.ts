/**
 * HRL-MG (Algorithm 2): a high-level agent that emits M goals every c steps from s^h (Eq. 5) and a
 * low-level agent that recommends from s^l (Eq. 9 + the mapping of Eq. 13), rewarded by
 *   r_low = r_ex + alpha * r_in,   r_in = cos(a_t, g^j_t)                        (Eq. 3, 12)
 * where a_t is the EXECUTED item's embedding and g^j the goal of the step's block (floor(c/M) steps).
 * After every period the high level stores (s^h_{t-c}, g^{1:M}, phi'(r_{t-c:t-1}), s^h_t) (Eq. 15).
 *
 * One class, three methods (configured, not copied):
 *   'hrl-mg'  M goals (default 2)
 *   'hrl'     the same with M = 1
 *   'ddpg'    the low level alone: no goals, r_low = r_ex (same low-level code path)
 *
 * Faithful to the paper, LActor sees only s^l: the goals act on it only through r_in. At test time
 * (explore = false) the recommendation therefore depends on the low level alone (Algorithm 3); the
 * goals are still computed every c steps so that traces can show them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeDirAtomic } from '../util/atomic';
import { UsageError } from '../util/errors';
import { Rng } from '../util/rng';
import { linearSchedule } from './exploration';
import { gatherRows } from './batchLayout';
import { LowLevel, lowFields } from './lowLevel';
import { HighLevel, highFields } from './highLevel';
import type { DdpgCoreOptions } from './ddpgCore';
import { ReplayBuffer } from './replayBuffer';
import {
  omitNeutral, resolveAgentConfig, type DdpgAgentConfig, type HrlConfig, type HrlMgConfig,
} from './agentConfig';
import type { AgentState } from './policy';
import type { SessionBatch } from './mapping/itemIndex';
import type { ExplorationRates, PeriodEnd, StepInfo, StepOutcome, TrainableAgent, UpdateInfo } from './agent';
import {
  agentJson, checkSameAgent, coreArrays, loadCoreInto, readBytes, readJson, writeBytes, type AgentRuntime,
} from './agentStore';

export type HierMethod = 'hrl-mg' | 'hrl' | 'ddpg';
type HierConfigOf<K extends HierMethod> = K extends 'hrl-mg' ? HrlMgConfig : K extends 'hrl' ? HrlConfig : DdpgAgentConfig;

interface SelectContext {
  t: number;
  B: number;
  items: Int32Array;
  proto: Float32Array;
  randomPick: Uint8Array;
}

export class HrlMgAgent<K extends HierMethod = HierMethod> implements TrainableAgent {
  readonly name: string;
  readonly config: Readonly<HierConfigOf<K>>;
  readonly nItems: number;
  readonly E: number;
  readonly N: number;
  readonly M: number;
  readonly low: LowLevel;
  /** null for DDPG. */
  readonly high: HighLevel | null;
  exploreSteps = 0;
  private ctx: SelectContext | null = null;
  /** The full high-level config (M = 1 for HRL); null for DDPG. */
  private readonly hcfg: HrlMgConfig | null;

  /**
   * `table`: item embeddings [nItems, E]. `overrides`: the method's config (validated first: a bad
   * value is a ConfigError before any network is built). `rng`: the agent's stream (init, noise, sampling).
   * `core`: options of both levels' DDPG cores (e.g. `{ engine: 'reference' }`).
   */
  constructor(
    readonly method: K,
    readonly table: Float32Array,
    overrides: Partial<HierConfigOf<K>> | Record<string, unknown> = {},
    rng: Rng,
    core: DdpgCoreOptions = {},
  ) {
    if (!(['hrl-mg', 'hrl', 'ddpg'] as string[]).includes(method)) throw new UsageError(`HrlMgAgent: method must be hrl-mg, hrl or ddpg, got '${method}'`);
    const cfg = resolveAgentConfig(method, overrides) as HierConfigOf<K>;
    this.config = cfg;
    if (!(table instanceof Float32Array) || table.length === 0 || table.length % cfg.E !== 0) {
      throw new UsageError(`${method}: item table must be a Float32Array [nItems, E=${cfg.E}], got length ${table?.length}`);
    }
    this.name = method;
    this.nItems = table.length / cfg.E;
    this.E = cfg.E;
    this.N = cfg.N;
    this.low = new LowLevel(table, cfg, rng, core);
    if (method === 'ddpg') {
      this.M = 0;
      this.high = null;
      this.hcfg = null;
    } else {
      const full: HrlMgConfig = method === 'hrl' ? { ...(cfg as unknown as HrlConfig), M: 1 } : (cfg as unknown as HrlMgConfig);
      this.M = full.M;
      this.hcfg = full;
      this.high = new HighLevel(table, full, rng, core);
    }
  }

  get updateCounts(): { low: number; high: number } {
    return { low: this.low.core.updates, high: this.high?.core.updates ?? 0 };
  }

  /** Exploration rates at the current training step (linear decay over exploreDecay transitions). */
  exploration(): ExplorationRates {
    const c = this.config;
    const s = this.exploreSteps;
    const d = c.exploreDecay;
    const hc = this.hcfg;
    return {
      actionNoise: linearSchedule(c.actionNoise, c.actionNoiseEnd, d, s),
      goalNoise: hc ? linearSchedule(hc.goalNoise, hc.goalNoiseEnd, d, s) : 0,
      epsilon: linearSchedule(c.epsilon, c.epsilonEnd, d, s),
    };
  }

  private batchOf(state: AgentState, where: string): number {
    const N = this.N;
    for (const k of ['browsed', 'clicked', 'ordered'] as const) {
      const h = state[k];
      if (!(h instanceof Int32Array) || h.length === 0 || h.length % N !== 0) {
        throw new UsageError(`${this.name}.${where}: state.${k} must be an Int32Array [B*N] with N=${N}, got length ${h?.length}`);
      }
    }
    const B = state.browsed.length / N;
    if (state.clicked.length !== B * N || state.ordered.length !== B * N) throw new UsageError(`${this.name}.${where}: state histories differ in length`);
    return B;
  }

  /**
   * Algorithm 2 lines 9-14 for B lock-step sessions: goals when due (t ≡ 0 mod c), then the
   * low level's item per session via Algorithm 1 (picked items are removed from `cands`).
   */
  select(state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, explore: boolean): Int32Array {
    const B = this.batchOf(state, 'select');
    if (cands.size !== B) throw new UsageError(`${this.name}.select: ${cands.size} candidate sessions for B=${B} states`);
    const rates = this.exploration();
    const hl = this.high;
    if (hl) {
      if (state.t === 0 || hl.periods.B !== B) hl.periods.begin(B);
      if (hl.periods.needGoals(state.t)) {
        hl.periods.setGoals(state.t, hl.goals(state, B, explore, rates.goalNoise), state.clicked, state.ordered); // Eq. (5)
      }
    }
    const ch = this.low.choose(state, B, cands, pools, explore, rates.actionNoise, rates.epsilon);
    this.ctx = { t: state.t, B, items: ch.items.slice(), proto: ch.proto, randomPick: ch.randomPick };
    if (explore) this.exploreSteps += B;
    return ch.items;
  }

  /** Algorithm 2 lines 17, 19-21: rewards of the step, D^l transitions, D^h transitions at period ends. */
  observe(o: StepOutcome, store: boolean): StepInfo {
    const ctx = this.ctx;
    if (!ctx || ctx.t !== o.state.t || ctx.B !== o.items.length) {
      throw new UsageError(`${this.name}.observe: does not answer the last select (t=${ctx?.t}, B=${ctx?.B}; got t=${o.state.t}, B=${o.items.length})`);
    }
    for (let b = 0; b < ctx.B; b++) {
      if (o.items[b] !== ctx.items[b]) throw new UsageError(`${this.name}.observe: items[${b}] = ${o.items[b]} is not what select returned (${ctx.items[b]})`);
    }
    if (o.reward.length !== ctx.B) throw new UsageError(`${this.name}.observe: reward length ${o.reward.length} != B=${ctx.B}`);
    const t = o.state.t;
    const B = ctx.B;
    const aEmb = gatherRows(this.table, this.E, o.items); // executed actions a_t [B, E]
    let rIn: Float32Array | null = null;
    let rLow = o.reward;
    let goalIdx = -1;
    let goals: Float32Array | null = null;
    let period: PeriodEnd | null = null;
    const hl = this.high;
    if (hl) {
      const alpha = this.hcfg!.alpha;
      goals = hl.periods.goals;
      goalIdx = hl.periods.goalIndex(t);
      rIn = hl.periods.internal(t, aEmb); // Eq. (12)
      rLow = new Float32Array(B);
      for (let b = 0; b < B; b++) rLow[b] = o.reward[b] + alpha * rIn[b]; // Eq. (3)
      const end = hl.periods.record(t, o.reward, o.done, o.next.clicked, o.next.ordered);
      if (end) {
        const stored = store && end.transition !== null;
        if (stored) hl.store(end.transition!); // Algorithm 2 line 20
        period = { steps: end.steps, stored, phi0: end.phi0, phi: end.phi, reward: end.reward };
      }
    }
    if (store) this.low.store(o.state, o.next, aEmb, rLow, o.reward, rIn, o.done); // Algorithm 2 line 17
    return { t, items: o.items, rEx: o.reward, rIn, rLow, goalIndex: goalIdx, goals, proto: ctx.proto, randomPick: ctx.randomPick, period };
  }

  /** Algorithm 2 lines 22-27: one update of each warm level (each samples its own minibatch). */
  update(): UpdateInfo {
    const high = this.high ? this.high.update() : null;
    const low = this.low.update();
    return { low, high };
  }

  private jsonConfig(): Record<string, unknown> {
    return omitNeutral({ ...this.config } as Record<string, unknown>); // agents saved by kit 0.1.0 keep loading
  }

  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, async (tmp) => {
      await this.low.core.save(path.join(tmp, 'low'));
      if (this.high) await this.high.core.save(path.join(tmp, 'high'));
      writeBytes(path.join(tmp, 'agent.json'), JSON.stringify(agentJson(this.method, this.jsonConfig(), this.nItems, this.E), null, 2) + '\n');
    });
  }

  /** Load networks saved by `save`/`saveCheckpoint` into this agent (config must match). */
  async loadWeights(dir: string): Promise<void> {
    checkSameAgent(dir, this.method, this.jsonConfig(), this.nItems);
    await loadCoreInto(this.low.core, path.join(dir, 'low'), this.table);
    if (this.high) await loadCoreInto(this.high.core, path.join(dir, 'high'), this.table);
  }

  private runtime(): AgentRuntime {
    const rngs: AgentRuntime['rngs'] = { low: this.low.rngStates() };
    if (this.high) rngs.high = this.high.rngStates();
    return { exploreSteps: this.exploreSteps, rngs, updates: this.updateCounts };
  }

  async saveCheckpoint(dir: string): Promise<void> {
    await writeDirAtomic(dir, async (tmp) => {
      await this.low.core.save(path.join(tmp, 'low'));
      if (this.high) await this.high.core.save(path.join(tmp, 'high'));
      writeBytes(path.join(tmp, 'agent.json'), JSON.stringify(agentJson(this.method, this.jsonConfig(), this.nItems, this.E), null, 2) + '\n');
      writeBytes(path.join(tmp, 'replay-low.bin'), this.low.replay.serialize());
      if (this.high) writeBytes(path.join(tmp, 'replay-high.bin'), this.high.replay.serialize());
      writeBytes(path.join(tmp, 'runtime.json'), JSON.stringify(this.runtime()) + '\n');
    });
  }

  async loadCheckpoint(dir: string): Promise<void> {
    await this.loadWeights(dir);
    const c = this.config;
    this.low.replay = ReplayBuffer.deserialize(readBytes(path.join(dir, 'replay-low.bin')), lowFields(c.N, c.E), path.join(dir, 'replay-low.bin'));
    if (this.high) {
      const f = path.join(dir, 'replay-high.bin');
      this.high.replay = ReplayBuffer.deserialize(readBytes(f), highFields(c.N, this.M, c.E), f);
    }
    const rt = readJson<AgentRuntime>(path.join(dir, 'runtime.json'));
    this.exploreSteps = rt.exploreSteps;
    this.low.setRngStates(rt.rngs.low);
    if (this.high) this.high.setRngStates(rt.rngs.high);
    this.ctx = null;
  }

  weightArrays(): Float32Array[] {
    return [...coreArrays(this.low.core), ...(this.high ? coreArrays(this.high.core) : [])];
  }

  dispose(): void {
    this.low.dispose();
    this.high?.dispose();
  }
}

/** True when `dir` holds a checkpoint (not just saved networks). */
export function isCheckpointDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'runtime.json'));
}
