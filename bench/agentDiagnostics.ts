/**
 * Why does a trained DDPG / HRL / HRL-MG agent (not) learn? Runs the agent's test-time policy
 * (Algorithm 3, no exploration) on the default world's TRUE user model and reports, per agent:
 *
 *   critic vs returns   mean Q(s_t, a_t) at the executed items against the discounted Monte-Carlo
 *                       return G_t = sum_k gamma^k r_low(t+k) of the same sessions (truncated at T,
 *                       as in training); all steps and the early ones (t < T/2, less truncation)
 *   critic vs truth     at every --every-th step, Q(s, a_i) for every remaining pool item against
 *                       the true one-step expected reward E[r | u, s, i] (the greedy-reward
 *                       oracle's score): Spearman, overlap of the top 10, and the true E[r] of the
 *                       critic's argmax next to the oracle's best, the pool mean (random) and the
 *                       item the agent actually executed
 *   actor vs critic     rank (1 = best) under Q of the item Eq. (13) maps the proto-action to,
 *                       Q at that item against max_i Q(s, a_i), Q(s, proto) itself (the critic away
 *                       from every item), cos(proto, critic's best item)
 *   saturation          proto-actions (and goals): norm, share of saturated coordinates, distinct
 *                       sign patterns (bench/saturation.ts)
 *   goals (HRL/HRL-MG)  mean r_in = cos(a_t, g_t) of the executed items against the pool mean
 *                       (a random item) and the pool max
 *   headroom            with --eval: h short/long against random and the greedy-reward oracle
 *
 *   node dist/bench/agentDiagnostics.js --agent runs/ddpg-s0/agent --data data/world [--sessions 64]
 *     [--T 50] [--every 5] [--seed 2019] [--eval] [--json FILE]
 *   (--agent may be given several times)
 */
import * as fs from 'node:fs';
import { initBackend } from '../lib/backend';
import { loadDataset } from '../lib/data/dataset';
import { loadAgent } from '../lib/agents/factory';
import { HrlMgAgent } from '../lib/agents/hrlmg';
import { ExactIndex } from '../lib/agents/mapping/exactIndex';
import { RecEnv } from '../lib/sim/recEnv';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { worldOfDataset } from '../lib/data/world/worldOfDataset';
import { spearman } from '../lib/eval/rankCorrelation';
import { internalReward } from '../lib/agents/internalReward';
import { Rng } from '../lib/util/rng';
import type { AgentState } from '../lib/agents/policy';
import type { SimDataset } from '../lib/sim/types';
import { saturationStats, type SaturationStats } from './saturation';
import { headroom, DEFAULT_HEADROOM } from './headroom';

interface Options {
  agents: string[];
  data: string;
  sessions: number;
  T: number;
  every: number;
  seed: number;
  eval: boolean;
  json: string | null;
}

function parse(argv: string[]): Options {
  const o: Options = { agents: [], data: 'data/world', sessions: 64, T: 50, every: 5, seed: 2019, eval: false, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--agent') (o.agents.push(v), i++);
    else if (a === '--data') (o.data = v, i++);
    else if (a === '--sessions') (o.sessions = Number(v), i++);
    else if (a === '--T') (o.T = Number(v), i++);
    else if (a === '--every') (o.every = Number(v), i++);
    else if (a === '--seed') (o.seed = Number(v), i++);
    else if (a === '--json') (o.json = v, i++);
    else if (a === '--eval') o.eval = true;
    else throw new Error(`agentDiagnostics: unknown argument ${a}`);
  }
  if (o.agents.length === 0) throw new Error('usage: agentDiagnostics.js --agent DIR [--agent DIR ...] --data DIR [--sessions n] [--T n] [--every n] [--seed n] [--eval] [--json FILE]');
  for (const k of ['sessions', 'T', 'every'] as const) if (!(Number.isInteger(o[k]) && o[k] >= 1)) throw new Error(`agentDiagnostics: --${k} must be an integer >= 1`);
  return o;
}

const mean = (x: number[]): number => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : NaN);

export interface Diagnosis {
  agent: string;
  method: string;
  config: Record<string, unknown>;
  sessions: number;
  T: number;
  critic: { qExecuted: number; mcReturn: number; qExecutedEarly: number; mcReturnEarly: number; corrQG: number };
  ranking: { spearman: number; top10Overlap: number; erCriticBest: number; erOracleBest: number; erPoolMean: number; erExecuted: number; erEq13: number; scans: number };
  actor: { eq13RankUnderQ: number; eq13RankPct: number; qEq13: number; qMaxPool: number; qProto: number; cosProtoCriticBest: number; eq13IsCriticBest: number };
  saturation: { low: SaturationStats; high: SaturationStats | null };
  goals: { rInExecuted: number; rInPoolMean: number; rInPoolMax: number } | null;
  sessionReward: number;
  headroom?: ReturnType<typeof headroom>;
}

function pearson(x: number[], y: number[]): number {
  const mx = mean(x), my = mean(y);
  let a = 0, b = 0, c = 0;
  for (let i = 0; i < x.length; i++) {
    a += (x[i] - mx) * (y[i] - my);
    b += (x[i] - mx) ** 2;
    c += (y[i] - my) ** 2;
  }
  return b > 0 && c > 0 ? a / Math.sqrt(b * c) : NaN;
}

export function diagnose(agentDir: string, agent: HrlMgAgent, ds: SimDataset, backend: TrueModelBackend, o: Options): Diagnosis {
  const B = 64, P = 500, E = agent.E, N = agent.N;
  const env = new RecEnv(ds, backend, { batchSize: B, T: o.T, poolSize: P, seed: o.seed, split: 'test' });
  const rw = env.config.rewards;
  const index = new ExactIndex(ds.embeddings, E);
  const users = env.sampleUsers(o.sessions);
  const gamma = agent.config.gamma;
  const low = agent.low;
  const qExec: number[] = [], G: number[] = [], qExecE: number[] = [], GE: number[] = [];
  const sp: number[] = [], top10: number[] = [], erCrit: number[] = [], erOr: number[] = [], erMean: number[] = [], erExec: number[] = [], erEq: number[] = [];
  const rankEq: number[] = [], rankPct: number[] = [], qEq: number[] = [], qMax: number[] = [], qProto: number[] = [], cosPB: number[] = [], eqBest: number[] = [];
  const rInExec: number[] = [], rInMean: number[] = [], rInMax: number[] = [];
  const protos: Float32Array[] = [], goalsAll: Float32Array[] = [];
  let reward = 0;
  const probs = new Float64Array(3);
  const unit = index.unit;
  const batchUsers = new Int32Array(B);
  for (let s0 = 0; s0 < o.sessions; s0 += B) {
    const n = Math.min(B, o.sessions - s0);
    for (let b = 0; b < B; b++) batchUsers[b] = users[s0 + (b < n ? b : b % n)];
    let obs = env.reset(batchUsers);
    const pools = Array.from({ length: B }, (_, b) => obs.pool.subarray(b * P, (b + 1) * P));
    const cands = index.sessions(pools);
    const rLow: number[][] = Array.from({ length: B }, () => []);
    const qAt: number[][] = Array.from({ length: B }, () => []);
    for (let t = 0; t < o.T; t++) {
      const state: AgentState = { t, browsed: obs.browsed.slice(), clicked: obs.clicked.slice(), ordered: obs.ordered.slice() };
      const proto = low.proto(state, B); // [B, E] (the actor is deterministic: select computes the same)
      protos.push(proto.subarray(0, n * E).slice());
      const eq13 = new Int32Array(B);
      for (let b = 0; b < B; b++) eq13[b] = cands.nearest(b, proto, b * E, 1)[0]; // Eq. (13)
      const scan = t % o.every === 0;
      // the goals of this step are set inside select (t = 0 mod c): scan after select for goals
      let rows: Int32Array | null = null, items: Int32Array | null = null, q: Float32Array | null = null;
      if (scan) {
        const rr: number[] = [], ii: number[] = [];
        for (let b = 0; b < n; b++) for (let j = 0; j < P; j++) if (obs.remaining[b * P + j]) (rr.push(b), ii.push(obs.pool[b * P + j]));
        rows = Int32Array.from(rr);
        items = Int32Array.from(ii);
        q = low.qOfItems(state, rows, items);
        const qp = low.core.q(state.browsed, state.clicked, proto);
        for (let b = 0; b < n; b++) qProto.push(qp[b]);
      }
      const picked = agent.select(state, cands, pools, false);
      if (agent.high && agent.high.periods.goals) {
        const g = agent.high.periods.goals; // [M, B, E]
        if (agent.high.periods.goalsSetAt === t) goalsAll.push(g.slice());
      }
      if (scan && rows && items && q) {
        const gi = agent.high ? agent.high.periods.goalIndex(t) : -1;
        const goals = agent.high ? agent.high.periods.goals : null;
        let j0 = 0;
        for (let b = 0; b < n; b++) {
          let j1 = j0;
          while (j1 < rows.length && rows[j1] === b) j1++;
          const its = items.subarray(j0, j1), qs = Array.from(q.subarray(j0, j1));
          const st = backend.states[b], wu = backend.worldUsers[b];
          const er = Array.from(its, (it) => {
            const p = backend.model.probs(wu, st, backend.itemToWorld[it], probs);
            return rw.skip * p[0] + rw.click * p[1] + rw.order * p[2];
          });
          sp.push(spearman(qs, er));
          const ordQ = qs.map((_, i) => i).sort((a, c) => qs[c] - qs[a]);
          const ordR = er.map((_, i) => i).sort((a, c) => er[c] - er[a]);
          const setR = new Set(ordR.slice(0, 10));
          top10.push(ordQ.slice(0, 10).filter((i) => setR.has(i)).length / 10);
          erCrit.push(er[ordQ[0]]);
          erOr.push(er[ordR[0]]);
          erMean.push(mean(er));
          const posOf = (it: number): number => its.indexOf(it);
          erExec.push(er[posOf(picked[b])]);
          const pe = posOf(eq13[b]);
          erEq.push(er[pe]);
          const rank = ordQ.indexOf(pe) + 1;
          rankEq.push(rank);
          rankPct.push(rank / its.length);
          qEq.push(qs[pe]);
          qMax.push(qs[ordQ[0]]);
          eqBest.push(rank === 1 ? 1 : 0);
          const bestIt = its[ordQ[0]];
          cosPB.push(internalReward(proto.subarray(b * E, (b + 1) * E), unit.subarray(bestIt * E, (bestIt + 1) * E)));
          if (goals && gi >= 0) {
            const g = goals.subarray((gi * B + b) * E, (gi * B + b + 1) * E);
            const cs = Array.from(its, (it) => internalReward(unit.subarray(it * E, (it + 1) * E), g));
            rInMean.push(mean(cs));
            rInMax.push(Math.max(...cs));
          }
          j0 = j1;
        }
      }
      const qe = low.qOfItems(state, Int32Array.from({ length: B }, (_, b) => b), picked);
      const r = env.step(picked);
      const info = agent.observe({ state, items: picked, reward: r.reward, feedback: r.feedback, next: { t: t + 1, browsed: r.obs.browsed.slice(), clicked: r.obs.clicked.slice(), ordered: r.obs.ordered.slice() }, done: t === o.T - 1 }, false);
      for (let b = 0; b < n; b++) {
        rLow[b].push(info.rLow[b]);
        qAt[b].push(qe[b]);
        reward += r.reward[b];
        if (info.rIn) rInExec.push(info.rIn[b]);
      }
      obs = r.obs;
    }
    for (let b = 0; b < n; b++) {
      let g = 0;
      const ret = new Array<number>(o.T);
      for (let t = o.T - 1; t >= 0; t--) ret[t] = g = rLow[b][t] + gamma * g;
      for (let t = 0; t < o.T; t++) {
        qExec.push(qAt[b][t]);
        G.push(ret[t]);
        if (t < o.T / 2) (qExecE.push(qAt[b][t]), GE.push(ret[t]));
      }
    }
  }
  const cat = (xs: Float32Array[]): Float32Array => {
    const out = new Float32Array(xs.reduce((a, x) => a + x.length, 0));
    let off = 0;
    for (const x of xs) (out.set(x, off), off += x.length);
    return out;
  };
  const P1 = cat(protos), Gs = cat(goalsAll);
  const bound = agent.config.bound;
  return {
    agent: agentDir,
    method: agent.method,
    config: agent.config as unknown as Record<string, unknown>,
    sessions: o.sessions,
    T: o.T,
    critic: { qExecuted: mean(qExec), mcReturn: mean(G), qExecutedEarly: mean(qExecE), mcReturnEarly: mean(GE), corrQG: pearson(qExec, G) },
    ranking: { spearman: mean(sp.filter(Number.isFinite)), top10Overlap: mean(top10), erCriticBest: mean(erCrit), erOracleBest: mean(erOr), erPoolMean: mean(erMean), erExecuted: mean(erExec), erEq13: mean(erEq), scans: sp.length },
    actor: { eq13RankUnderQ: mean(rankEq), eq13RankPct: mean(rankPct), qEq13: mean(qEq), qMaxPool: mean(qMax), qProto: mean(qProto), cosProtoCriticBest: mean(cosPB), eq13IsCriticBest: mean(eqBest) },
    saturation: { low: saturationStats(P1, P1.length / E, E, bound), high: Gs.length ? saturationStats(Gs, Gs.length / E, E, bound) : null },
    goals: agent.high ? { rInExecuted: mean(rInExec), rInPoolMean: mean(rInMean), rInPoolMax: mean(rInMax) } : null,
    sessionReward: reward / o.sessions,
  };
}

const f = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

export function printDiagnosis(d: Diagnosis): void {
  const c = d.critic, r = d.ranking, a = d.actor, s = d.saturation;
  console.log(`## ${d.method}  (${d.agent}; ${d.sessions} test sessions of T = ${d.T} on the true user model; session reward ${f(d.sessionReward, 2)})`);
  console.log(`critic vs returns : mean Q(s,a_exec) ${f(c.qExecuted)} vs Monte-Carlo G ${f(c.mcReturn)} (ratio ${f(c.qExecuted / c.mcReturn, 2)}); t < T/2: ${f(c.qExecutedEarly)} vs ${f(c.mcReturnEarly)}; corr(Q, G) ${f(c.corrQG)}`);
  console.log(`critic vs truth   : Spearman(Q, true E[r]) over the pool ${f(r.spearman)}; top-10 overlap ${f(r.top10Overlap)}; true E[r] of critic argmax ${f(r.erCriticBest)} | oracle best ${f(r.erOracleBest)} | pool mean ${f(r.erPoolMean)} | executed ${f(r.erExecuted)} | Eq.13 item ${f(r.erEq13)}  (${r.scans} scans)`);
  console.log(`actor vs critic   : rank of the Eq.13 item under Q ${f(a.eq13RankUnderQ, 1)} (percentile ${f(100 * a.eq13RankPct, 1)}%); it is the critic's best in ${f(100 * a.eq13IsCriticBest, 1)}%; Q(Eq.13 item) ${f(a.qEq13)} vs max_pool Q ${f(a.qMaxPool)} vs Q(s, proto) ${f(a.qProto)}; cos(proto, critic best) ${f(a.cosProtoCriticBest)}`);
  console.log(`saturation        : low norm ${f(s.low.norm, 2)}, saturated ${f(100 * s.low.saturated, 1)}%, ${s.low.patterns} sign patterns` + (s.high ? `; goals norm ${f(s.high.norm, 2)}, saturated ${f(100 * s.high.saturated, 1)}%, ${s.high.patterns} patterns` : ''));
  if (d.goals) console.log(`goals             : r_in executed ${f(d.goals.rInExecuted)} vs random pool item ${f(d.goals.rInPoolMean)} (gap ${f(d.goals.rInExecuted - d.goals.rInPoolMean)}) vs pool max ${f(d.goals.rInPoolMax)}`);
  if (d.headroom) console.log(`headroom          : short ${f(d.headroom.short.policy, 2)} (h ${f(d.headroom.short.h, 2)}; random ${f(d.headroom.short.random, 2)}, oracle ${f(d.headroom.short.oracle, 2)}); long ${f(d.headroom.long.policy, 2)} (h ${f(d.headroom.long.h, 2)}; random ${f(d.headroom.long.random, 2)}, oracle ${f(d.headroom.long.oracle, 2)})`);
  console.log('');
}

/** Dataset + true-model backend of a default-world data folder. */
export function truthOf(data: string): { ds: ReturnType<typeof loadDataset>; backend: TrueModelBackend } {
  const ds = loadDataset(data, { verify: false });
  return { ds, backend: new TrueModelBackend(worldOfDataset(ds), ds) };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  await initBackend();
  const { ds, backend } = truthOf(o.data);
  const all: Diagnosis[] = [];
  for (const dir of o.agents) {
    const agent = await loadAgent(dir, ds.embeddings, new Rng(0));
    try {
      if (!(agent instanceof HrlMgAgent)) throw new Error(`${dir}: ${agent.method} has no actor-critic (diagnostics are for ddpg, hrl, hrl-mg)`);
      const d = diagnose(dir, agent, ds, backend, o);
      if (o.eval) d.headroom = headroom(agent, ds, backend, DEFAULT_HEADROOM);
      printDiagnosis(d);
      all.push(d);
    } finally {
      agent.dispose();
    }
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(all, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  });
}
