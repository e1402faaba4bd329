/**
 * The method registry (lib/agents/methods.ts): a method added only there, here a tiny test-only
 * linear reward model registered from this file, is built and loaded by the factory, guarded
 * against divergence, and a tiny in-process reproduce trains it, tests it online and offline,
 * plots it and summarises it, beside the built-in methods, without any other change.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { int, num, resolveConfig } from '../lib/util/config';
import { Rng } from '../lib/util/rng';
import { writeDirAtomic } from '../lib/util/atomic';
import { agentJson, checkSameAgent, readJson } from '../lib/agents/agentStore';
import { epsilonMask, pickRandomRemaining } from '../lib/agents/exploration';
import { createAgent, loadAgent } from '../lib/agents/factory';
import { mainMethods, methodIds, methodOf, registerMethod, type MethodDef } from '../lib/agents/methods';
import type { ExplorationRates, StepInfo, StepOutcome, TrainableAgent, UpdateInfo } from '../lib/agents/agent';
import type { AgentState } from '../lib/agents/policy';
import type { SessionBatch } from '../lib/agents/mapping/itemIndex';
import { DivergenceGuard, weightArrayNames } from '../lib/reliability/divergence';
import { resolvePlan } from '../lib/experiments/reproduceConfig';
import { reproduce } from '../lib/experiments/reproduce';

const ID = 'test-linear';
const spec = {
  E: int(50, 'item embedding dimension', { min: 1 }),
  N: int(10, 'history length', { min: 1 }),
  lr: num(0.05, 'SGD step of the linear reward model', { gt: 0 }),
  epsilon: num(0.2, 'probability of a random remaining candidate (training only)', { min: 0, max: 1 }),
};
type Cfg = { E: number; N: number; lr: number; epsilon: number };

/** Greedy on a linear model of the immediate reward, r ~ w . e(item), fitted by SGD on what it saw. */
class LinearAgent implements TrainableAgent {
  readonly method = ID;
  readonly name = ID;
  readonly config: Readonly<Cfg>;
  readonly nItems: number;
  readonly E: number;
  readonly N: number;
  readonly M = 0;
  exploreSteps = 0;
  updates = 0;
  w: Float32Array;
  private last: { t: number; items: Int32Array; randomPick: Uint8Array } | null = null;
  private seen: { items: Int32Array; r: Float32Array } | null = null;

  constructor(readonly table: Float32Array, overrides: object, private readonly rng: Rng) {
    this.config = resolveConfig(`agent(${ID})`, spec, overrides) as Cfg;
    this.E = this.config.E;
    this.N = this.config.N;
    this.nItems = table.length / this.E;
    this.w = new Float32Array(this.E);
  }
  get updateCounts() {
    return { low: this.updates, high: 0 };
  }
  exploration(): ExplorationRates {
    return { actionNoise: 0, goalNoise: 0, epsilon: this.config.epsilon };
  }
  private score(item: number): number {
    let s = 0;
    for (let k = 0; k < this.E; k++) s += this.table[item * this.E + k] * this.w[k];
    return s;
  }
  select(state: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>, explore: boolean): Int32Array {
    const B = cands.size;
    const random = explore ? epsilonMask(B, this.config.epsilon, this.rng) : new Uint8Array(B);
    const items = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      if (random[b]) {
        items[b] = pickRandomRemaining(cands, b, pools[b], this.rng);
        continue;
      }
      let best = -1;
      let bestScore = -Infinity;
      for (let j = 0; j < pools[b].length; j++) {
        const it = pools[b][j];
        if (!cands.has(b, it)) continue;
        const s = this.score(it);
        if (s > bestScore) [best, bestScore] = [it, s];
      }
      cands.remove(b, best);
      items[b] = best;
    }
    this.last = { t: state.t, items, randomPick: random };
    return items;
  }
  observe(o: StepOutcome, store: boolean): StepInfo {
    if (store) {
      this.seen = { items: o.items, r: o.reward };
      this.exploreSteps += o.items.length;
    }
    return { t: o.state.t, items: o.items, rEx: o.reward, rIn: null, rLow: o.reward, goalIndex: -1, goals: null, proto: null, randomPick: this.last!.randomPick, period: null };
  }
  update(): UpdateInfo {
    if (!this.seen) return { low: null, high: null };
    let mse = 0;
    const { items, r } = this.seen;
    for (let b = 0; b < items.length; b++) {
      const err = r[b] - this.score(items[b]);
      mse += (err * err) / items.length;
      for (let k = 0; k < this.E; k++) this.w[k] += this.config.lr * err * this.table[items[b] * this.E + k];
    }
    this.seen = null;
    this.updates++;
    return { low: { criticLoss: mse, actorLoss: NaN, qMean: NaN, deadFrac: 0 }, high: null };
  }
  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, async (tmp) => {
      fs.writeFileSync(path.join(tmp, 'agent.json'), JSON.stringify(agentJson(ID, { ...this.config }, this.nItems, this.E), null, 2) + '\n');
      fs.writeFileSync(path.join(tmp, 'w.json'), JSON.stringify({ w: [...this.w], updates: this.updates }));
    });
  }
  async loadWeights(dir: string): Promise<void> {
    checkSameAgent(dir, ID, { ...this.config }, this.nItems);
    const j = readJson<{ w: number[]; updates: number }>(path.join(dir, 'w.json'));
    this.w = Float32Array.from(j.w);
    this.updates = j.updates;
  }
  async saveCheckpoint(dir: string): Promise<void> {
    await this.save(dir);
  }
  async loadCheckpoint(dir: string): Promise<void> {
    await this.loadWeights(dir);
  }
  weightArrays(): Float32Array[] {
    return [this.w];
  }
  dispose(): void {}
}

const def: MethodDef = {
  id: ID,
  label: 'TestLinear',
  summary: 'test only: greedy on a linear model of the immediate reward',
  spec,
  resolve: (o) => resolveConfig(`agent(${ID})`, spec, o) as unknown as Record<string, unknown>,
  create: (table, config, rng) => new LinearAgent(table, config, rng),
  weightNames: () => ['linear reward weights'],
  guard: { lowLevel: 'linear reward model', lossOnly: true },
  stepCost: () => 0.1,
  // between DDPG and HRL in the main comparison
  mainRank: 2.5,
};
const unregister = registerMethod(def);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hrlmg-registry-'));
after(() => {
  unregister();
  fs.rmSync(work, { recursive: true, force: true });
});

test('registry: built-ins in their order, a registered method everywhere the registry is read', async () => {
  assert.deepEqual(methodIds().slice(0, 4), ['hrl-mg', 'hrl', 'ddpg', 'dnn']);
  assert.deepEqual(mainMethods().map((m) => m.id), ['dnn', 'ddpg', ID, 'hrl', 'hrl-mg']);
  assert.throws(() => registerMethod(def), /already registered/);
  assert.throws(() => methodOf('nope'), /unknown method 'nope' \(known: hrl-mg, hrl, ddpg, dnn, test-linear\)/);
  assert.throws(() => createAgent(ID, new Float32Array(40), { E: 4, lr: -1 }), /agent\(test-linear\)\.lr/);
  const table = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
  const a = createAgent(ID, table, { E: 4, N: 3 }, new Rng(1));
  assert.ok(a instanceof LinearAgent);
  (a as LinearAgent).w.set([1, 2, 3, 4]);
  const dir = path.join(work, 'agent');
  await a.save(dir);
  const b = await loadAgent(dir, table);
  assert.deepEqual([...b.weightArrays()[0]], [1, 2, 3, 4]);
  assert.deepEqual(weightArrayNames(b), ['linear reward weights']);
  // the guard reads the registry entry: a loss-only level named as the method says
  const guard = new DivergenceGuard(b);
  assert.throws(() => guard.onUpdate({ low: { criticLoss: NaN, actorLoss: NaN, qMean: NaN, deadFrac: 0 }, high: null }), /linear reward model/);
});

test('registry: a tiny reproduce trains, tests, plots and summarises a method added only to the registry', { timeout: 600000 }, async () => {
  const out = path.join(work, 'reproduce');
  const plan = resolvePlan({
    quick: true,
    out,
    options: { seeds: [0], workers: 1, sweeps: false, png: false, gapSessions: 0, trainSteps: 60, evalSessions: 8, offlineSessions: 20, longT: 40 },
  });
  assert.ok(plan.agents[ID], 'the plan resolves the registered method config');
  const r = await reproduce(plan, { print: () => {} });
  const train = r.results.train!;
  assert.deepEqual(train.runs.map((x) => x.variant), ['dnn', 'ddpg', ID, 'hrl', 'hrl-mg']);
  const mine = train.runs.find((x) => x.variant === ID)!;
  assert.equal(mine.label, 'TestLinear');
  assert.equal(mine.steps, 60);
  assert.ok(fs.existsSync(path.join(out, 'runs', `${ID}-s0`, 'agent', 'w.json')), 'saved by the agent');
  const runRes = JSON.parse(fs.readFileSync(path.join(out, 'runs', `${ID}-s0`, 'result.json'), 'utf8')) as { method: string; updates: { low: number } };
  assert.equal(runRes.method, ID, 'trained by the crash-safe runner (result.json)');
  assert.ok(runRes.updates.low > 0);
  const ev = r.results.evaluate!;
  assert.equal(ev.online.filter((x) => x.variant === ID).length, 4, '{simulator, truth} x {short, long}');
  assert.equal(ev.offline.filter((x) => x.variant === ID).length, 1);
  for (const f of ['fig7-offline', 'fig8-online']) {
    const html = fs.readFileSync(path.join(out, 'figures', `${f}.html`), 'utf8');
    assert.match(html, /TestLinear/, `${f} plots the method`);
  }
  const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
  assert.match(md, /^\| TestLinear \|/m, 'summary tables list the method');
  assert.match(md, /Methods: DNN, DDPG, TestLinear, HRL, HRL-MG\./);
  assert.ok(r.claims.some((c) => c.id === `offline-map-vs-${ID}`), 'HRL-MG is compared with it');
  // worker threads load the built-in methods only: refused up front, naming the fix
  await assert.rejects(reproduce({ ...plan, rep: { ...plan.rep, workers: 2 } }, { print: () => {} }), /--workers 1/);
});
