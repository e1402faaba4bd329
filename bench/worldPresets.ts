/**
 * The planning headroom of each world preset: random, logging, greedy-click, greedy-reward and the
 * planning oracle in the env every agent is evaluated in (RecEnv with the ground-truth backend,
 * 500-item recall pools, test-split session starts, onlineTest pairing: same users, pools and
 * feedback uniforms for every policy), per session length. Prints reward, clicks, orders per
 * session (mean +- 95% CI half-width) and the planning gain = planning / greedy-reward, plus the
 * logging policy's funnel of the generated log (Table 1 targets) and the generation time.
 *
 *   node dist/bench/worldPresets.js [--presets default,in-between,greedy-suffices] [--T 50,300]
 *       [--sessions 256] [--impressions 200000] [--seed 1] [--planning '{"depth":12}']
 *       [--world '{"orderIntent":3}']   (extra world options for every preset: tuning)
 *       [--sweep]                       (the planning oracle's optimality check instead: gain as
 *                                        depth, rollouts, shortlist grow, on the first preset)
 */
import { parseArgs } from 'node:util';
import { initBackend } from '../lib/backend';
import { generateWorld, LoggingPolicy, type World, type WorldConfig } from '../lib/data/world';
import { WORLD_PRESET_NAMES } from '../lib/data/world/worldPresets';
import { prepareDataset } from '../lib/data/prepare';
import { logStats } from '../lib/data/schema';
import { Rng } from '../lib/util/rng';
import { UsageError } from '../lib/util/errors';
import { RecEnv } from '../lib/sim/recEnv';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import { onlineTest, type OnlineResult } from '../lib/eval/onlineTest';
import { GreedyOraclePolicy } from '../lib/eval/oracles';
import { PlanningOraclePolicy, type PlanningOracleConfig } from '../lib/eval/planningOracle';
import { RandomPolicy } from '../lib/agents/randomPolicy';
import { pickRandomRemaining } from '../lib/agents/exploration';
import type { AgentState, Policy } from '../lib/agents/policy';
import type { SessionBatch } from '../lib/agents/mapping/itemIndex';

/** The world's logging policy inside the env's pools: redraw until it hits a remaining candidate (200 tries, then random). */
class LoggingInPool implements Policy {
  readonly name = 'logging';
  private readonly policy: LoggingPolicy;
  constructor(
    private readonly be: TrueModelBackend,
    world: World,
    private readonly rng: Rng,
  ) {
    this.policy = new LoggingPolicy(world);
  }
  select(_s: AgentState, cands: SessionBatch, pools: ReadonlyArray<ArrayLike<number>>): Int32Array {
    const out = new Int32Array(cands.size);
    for (let b = 0; b < cands.size; b++) {
      let pick = -1;
      for (let k = 0; k < 200 && pick < 0; k++) {
        const i = this.be.worldToItem[this.policy.choose(this.be.worldUsers[b], this.be.states[b], [], this.rng)];
        if (i >= 0 && cands.has(b, i)) pick = i;
      }
      if (pick >= 0) cands.remove(b, pick);
      else pick = pickRandomRemaining(cands, b, pools[b], this.rng);
      out[b] = pick;
    }
    return out;
  }
}

const ci = (r: OnlineResult["reward"]): number => r.ci95.halfWidth;
const fmt = (x: number, d = 2): string => x.toFixed(d);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      presets: { type: 'string', default: WORLD_PRESET_NAMES.join(',') },
      T: { type: 'string', default: '50,300' },
      sessions: { type: 'string', default: '256' },
      impressions: { type: 'string', default: '200000' },
      seed: { type: 'string', default: '1' },
      planning: { type: 'string', default: '{}' },
      world: { type: 'string', default: '{}' },
      policies: { type: 'string', default: 'random,logging,greedy-click,greedy-reward,planning' },
      sweep: { type: 'boolean', default: false },
    },
  });
  await initBackend();
  const presets = (values.presets as string).split(',');
  const Ts = (values.T as string).split(',').map(Number);
  const S = Number(values.sessions);
  const planCfg = JSON.parse(values.planning as string) as Partial<PlanningOracleConfig>;
  const extra = JSON.parse(values.world as string) as Partial<WorldConfig>;
  const wanted = new Set((values.policies as string).split(','));
  for (const preset of presets) {
    if (!(WORLD_PRESET_NAMES as readonly string[]).includes(preset)) throw new UsageError(`unknown preset '${preset}' (known: ${WORLD_PRESET_NAMES.join(', ')})`);
    const t0 = Date.now();
    const { world, log } = generateWorld({ preset: preset as WorldConfig['preset'], trainImpressions: Number(values.impressions), seed: Number(values.seed), ...extra });
    const genS = (Date.now() - t0) / 1000;
    const st = logStats(log);
    const ds = await prepareDataset(log, {});
    console.log(`\n## preset ${preset}: log ${st.rows} impressions, click rate ${(100 * st.clickRate).toFixed(2)}%, orders/clicks ${(100 * st.orders / st.clicks).toFixed(2)}% (generated in ${genS.toFixed(1)} s; bias ${fmt(world.bias.clickBias, 3)} / ${fmt(world.bias.orderBias, 3)})`);
    const backend = new TrueModelBackend(world, ds);
    for (const T of Ts) {
      const env = new RecEnv(ds, backend, { batchSize: 64, T, poolSize: 500, seed: 7 });
      const rewards = env.config.rewards;
      if (values.sweep) {
        await sweep(env, backend, T, S, planCfg);
        continue;
      }
      const mk: Record<string, () => Policy> = {
        random: () => new RandomPolicy(new Rng(11)),
        logging: () => new LoggingInPool(backend, world, new Rng(12)),
        'greedy-click': () => new GreedyOraclePolicy(backend, 'greedy-click', rewards),
        'greedy-reward': () => new GreedyOraclePolicy(backend, 'greedy-reward', rewards),
        planning: () => new PlanningOraclePolicy(backend, rewards, T, planCfg),
      };
      const rows: Record<string, OnlineResult> = {};
      console.log(`\nT = ${T}, ${S} sessions, pool 500 | reward | clicks | orders | seconds`);
      console.log('|---|---|---|---|---|');
      for (const name of Object.keys(mk)) {
        if (!wanted.has(name)) continue;
        const r = onlineTest(mk[name](), env, { sessions: S });
        rows[name] = r;
        console.log(`| ${name} | ${fmt(r.reward.mean)} +- ${fmt(ci(r.reward))} | ${fmt(r.clicks.mean)} | ${fmt(r.orders.mean)} | ${r.seconds.toFixed(1)} |`);
      }
      if (rows.planning && rows['greedy-reward']) {
        const g = rows['greedy-reward'], p = rows.planning;
        // Paired per session (same users, pools, uniforms): CI of the mean difference.
        const d = p.perSession.reward.map((x, i) => x - g.perSession.reward[i]);
        const m = d.reduce((a, x) => a + x, 0) / d.length;
        const sd = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (d.length - 1));
        console.log(`planning gain (T=${T}) = ${fmt(p.reward.mean / g.reward.mean, 3)}  (paired difference ${fmt(m)} +- ${fmt(1.96 * sd / Math.sqrt(d.length))}; orders ${fmt(p.orders.mean)} vs ${fmt(g.orders.mean)}, clicks ${fmt(p.clicks.mean)} vs ${fmt(g.clicks.mean)})`);
      }
    }
  }
}

/** Optimality check: the planning gain as the oracle's search grows, one knob at a time. */
async function sweep(env: RecEnv, backend: TrueModelBackend, T: number, S: number, base: Partial<PlanningOracleConfig>): Promise<void> {
  const g = onlineTest(new GreedyOraclePolicy(backend, 'greedy-reward', env.config.rewards), env, { sessions: S });
  console.log(`\nT = ${T}, ${S} sessions: greedy-reward ${fmt(g.reward.mean)}`);
  console.log('| depth | rollouts | shortlist | rolloutPool | baseCoherence | reward | gain | orders | clicks | evals/step | seconds |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const grid: Partial<PlanningOracleConfig>[] = [
    {},
    { depth: 5 }, { depth: 20 }, { depth: 40 },
    { rollouts: 1 }, { rollouts: 6 },
    { shortlist: 3 }, { shortlist: 12 },
    { rolloutPool: 4 }, { rolloutPool: 16 },
    { baseCoherence: [0] }, { baseCoherence: [0, 0.5, 1, 3] },
  ];
  for (const d of grid) {
    const pol = new PlanningOraclePolicy(backend, env.config.rewards, T, { ...base, ...d });
    const r = onlineTest(pol, env, { sessions: S });
    const c = pol.config;
    console.log(`| ${c.depth} | ${c.rollouts} | ${c.shortlist} | ${c.rolloutPool} | ${c.baseCoherence.join(' ')} | ${fmt(r.reward.mean)} | ${fmt(r.reward.mean / g.reward.mean, 3)} | ${fmt(r.orders.mean)} | ${fmt(r.clicks.mean)} | ${Math.round(pol.evaluations / (S * T))} | ${r.seconds.toFixed(1)} |`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
