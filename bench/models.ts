/**
 * Models that see the user (issue 11): the DNN baseline and the learned simulator measured against
 * the default world's true user model and its greedy oracles.
 *
 *   node dist/lib/cli/main.js generate --out data/world
 *   node dist/bench/models.js [--data data/world] [--seeds 0,1,2] [--sessions 6400] [--bodies interact,paper]
 *                             [--evalSessions 200] [--evalSeed 2019] [--parts speed,refs,truth,sim] [--json FILE]
 *                             [--dnn '{"lr":0.003}']   (DNN config overrides, all rows)
 *
 * Parts:
 *  - speed  online-test speed of the DNN's candidate scoring per body: one lock-step of B = 256
 *           sessions x 500 candidates (scoreCandidates), median of --speedReps interleaved
 *           repetitions; ratio to 'paper'.
 *  - refs   random, greedy-click and greedy-reward oracles on the true model (short and long).
 *  - truth  DNN trained against the true model (--seeds, trainer budget --sessions, B 64, T 50),
 *           online-tested on the true model: reward mean and 95% CI over seeds, h.
 *  - sim    simulator fitted on the training day (per body, seed 1), its fidelity report on the
 *           test day (AUCs, log-loss, correlations with the true P(click) and P(order) along
 *           logging-policy rollouts, the frequency baseline, the Bayes ceiling), then the DNN
 *           trained on that simulator (--seeds) and online-tested on the TRUE model.
 * h = (policy - random) / (greedy-reward oracle - random), per session length (lib/eval/oracles.ts).
 */
import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import { initBackend } from '../lib/backend';
import { createAgent } from '../lib/agents/factory';
import { RandomPolicy } from '../lib/agents/randomPolicy';
import { train, trainEnvFactory } from '../lib/agents/trainer';
import type { DnnAgent } from '../lib/agents/dnnAgent';
import { loadDataset } from '../lib/data/dataset';
import { evaluate } from '../lib/eval/evaluate';
import { confidenceInterval95 } from '../lib/eval/metrics';
import { GreedyOraclePolicy, headroomCaptured } from '../lib/eval/oracles';
import type { Policy } from '../lib/agents/policy';
import { worldOfDataset } from '../lib/data/world/worldOfDataset';
import { fitSimulator } from '../lib/sim/fitSimulator';
import { fidelityReport } from '../lib/sim/fidelity';
import { SimulatorBackend } from '../lib/sim/simulatorBackend';
import { TrueModelBackend } from '../lib/sim/trueModelBackend';
import type { UserBackend } from '../lib/sim/userBackend';
import { PAPER_REWARDS } from '../lib/data/world/rollout';
import { Rng } from '../lib/util/rng';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: 'data/world' },
    seeds: { type: 'string', default: '0,1,2' },
    sessions: { type: 'string', default: '6400' },
    bodies: { type: 'string', default: 'interact,paper' },
    evalSessions: { type: 'string', default: '200' },
    evalSeed: { type: 'string', default: '2019' },
    evalBatch: { type: 'string', default: '64' },
    simEpochs: { type: 'string', default: '4' },
    speedReps: { type: 'string', default: '5' },
    parts: { type: 'string', default: 'speed,refs,truth,sim' },
    json: { type: 'string' },
    dnn: { type: 'string', default: '{}' },
  },
});
const seeds = a.seeds!.split(',').map(Number);
const bodies = a.bodies!.split(',') as ('paper' | 'interact')[];
const parts = new Set(a.parts!.split(','));
const trainSessions = Number(a.sessions);
const evalCfg = { seed: Number(a.evalSeed), onlineSessions: Number(a.evalSessions), batchSize: Number(a.evalBatch), shortT: 50, longT: 300, poolSize: 500, online: true, offline: false };
const dnnOverrides = JSON.parse(a.dnn!) as Record<string, unknown>;
const out: Record<string, unknown> = { args: a };

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

async function main(): Promise<void> {
  const info = await initBackend();
  out.backend = info.backend;
  const ds = loadDataset(a.data!, { verify: false });
  const world = worldOfDataset(ds);
  const truth = (): TrueModelBackend => new TrueModelBackend(world, ds);
  const online = async (p: Policy, be: UserBackend): Promise<{ short: number[]; long: number[] }> => {
    const r = await evaluate(p, ds, be, evalCfg);
    return { short: r.online!.short.perSession.reward, long: r.online!.long.perSession.reward };
  };
  const mean = (x: number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
  const rows: { name: string; short: number[]; long: number[]; perSeed: boolean }[] = [];
  let ref: { random: { short: number; long: number }; oracle: { short: number; long: number } } | null = null;

  if (parts.has('speed')) {
    const speed: Record<string, number> = {};
    const B = 256, C = 500, N = ds.train.browsed.length / ds.train.log.item.length;
    const r = new Rng(5);
    const hist = () => Int32Array.from({ length: B * N }, () => r.int(ds.items.n + 1));
    const h1 = hist(), h2 = hist();
    const cands = Int32Array.from({ length: B * C }, () => r.int(ds.items.n));
    // interleaved repetitions (body A, body B, A, B...): a shared machine's load hits both alike
    const ags = bodies.map((body) => createAgent('dnn', ds.embeddings, { body }, new Rng(0)) as DnnAgent);
    const ts: number[][] = bodies.map(() => []);
    for (const ag of ags) ag.net.scoreCandidates(h1, h2, cands); // warm-up
    for (let k = 0; k < Number(a.speedReps); k++) {
      ags.forEach((ag, i) => {
        const t0 = process.hrtime.bigint();
        ag.net.scoreCandidates(h1, h2, cands);
        ts[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
      });
    }
    bodies.forEach((body, i) => {
      ts[i].sort((x, y) => x - y);
      speed[body] = ts[i][ts[i].length >> 1];
      ags[i].dispose();
    });
    out.speed = speed;
    console.log(`\nDNN candidate scoring, one online step at B = ${B} x ${C} candidates (median of ${a.speedReps}, ms):`);
    for (const b of bodies) console.log(`  ${b.padEnd(9)} ${f(speed[b], 1)} ms   ratio to paper ${f(speed[b] / (speed.paper ?? speed[b]), 2)}`);
  }

  if (parts.has('refs') || parts.has('truth') || parts.has('sim')) {
    const rnd = await online(new RandomPolicy(new Rng(Number(a.evalSeed)).fork('random')), truth());
    rows.push({ name: 'random remaining candidate', ...rnd, perSeed: false });
    for (const kind of ['greedy-click', 'greedy-reward'] as const) {
      const be = truth();
      const o = await online(new GreedyOraclePolicy(be, kind, PAPER_REWARDS), be);
      rows.push({ name: `oracle ${kind}`, ...o, perSeed: false });
    }
    ref = { random: { short: mean(rows[0].short), long: mean(rows[0].long) }, oracle: { short: mean(rows[2].short), long: mean(rows[2].long) } };
    out.refs = ref;
  }

  const trainDnn = async (body: string, backend: UserBackend, seed: number): Promise<{ short: number; long: number; seconds: number }> => {
    const agent = createAgent('dnn', ds.embeddings, { ...dnnOverrides, body }, new Rng(seed).fork('agent/dnn'));
    try {
      const res = await train(agent, trainEnvFactory(ds, backend, { batchSize: 64, T: 50, poolSize: 500 }), { seed, sessions: trainSessions, progress: false });
      const r = await online(agent, truth());
      return { short: mean(r.short), long: mean(r.long), seconds: res.seconds };
    } finally {
      agent.dispose();
    }
  };

  if (parts.has('truth')) {
    for (const body of bodies) {
      const per = [];
      for (const s of seeds) {
        per.push(await trainDnn(body, truth(), s));
        console.error(`  DNN(${body}) on truth seed ${s}: short ${f(per.at(-1)!.short)} long ${f(per.at(-1)!.long)} (${f(per.at(-1)!.seconds, 0)} s)`);
      }
      rows.push({ name: `DNN (${body}) trained on the true model`, short: per.map((p) => p.short), long: per.map((p) => p.long), perSeed: true });
    }
  }

  if (parts.has('sim')) {
    const fid: Record<string, unknown> = {};
    for (const body of bodies) {
      const sim = await fitSimulator(ds, { body, epochs: Number(a.simEpochs) }, { progress: false });
      const rep = fidelityReport(sim, ds, { world });
      fid[body] = {
        training: sim.training,
        test: { simulator: pickFig(rep.simulator), baseline: pickFig(rep.baseline) },
        truthGap: rep.truthGap,
        bayes: rep.bayes,
      };
      const g = rep.truthGap!;
      console.log(`\nSimulator (${body}) fidelity (fit ${f(sim.training!.seconds, 0)} s; test day ${rep.dataset.rows} rows; rollout ${g.steps} logging-policy steps):`);
      console.log('  figure                        simulator  freq.baseline  truth');
      const line = (n: string, x: number, y: number, z = NaN): void => console.log(`  ${n.padEnd(28)} ${f(x, 4).padStart(9)}  ${f(y, 4).padStart(13)}  ${f(z, 4).padStart(6)}`);
      line('test-day AUC click', rep.simulator.aucClick, rep.baseline.aucClick, rep.bayes?.aucClick ?? NaN);
      line('test-day AUC order', rep.simulator.aucOrder, rep.baseline.aucOrder, rep.bayes?.aucOrder ?? NaN);
      line('test-day log-loss', rep.simulator.logLoss, rep.baseline.logLoss, rep.bayes?.logLoss ?? NaN);
      line('rollout corr P(click)', g.simulator.corrClick, g.baseline.corrClick, 1);
      line('rollout corr P(order)', g.simulator.corrOrder, g.baseline.corrOrder, 1);
      line('rollout MAE P(click)', g.simulator.maeClick, g.baseline.maeClick, 0);
      line('rollout MAE P(order)', g.simulator.maeOrder, g.baseline.maeOrder, 0);
      line('rollout AUC click', g.simulator.aucClick, g.baseline.aucClick, g.truth.aucClick);
      line('rollout AUC order', g.simulator.aucOrder, g.baseline.aucOrder, g.truth.aucOrder);
      line('rollout log-loss', g.simulator.logLoss, g.baseline.logLoss, g.truth.logLoss);
      const per = [];
      for (const s of seeds) {
        per.push(await trainDnn(body, new SimulatorBackend(sim), s));
        console.error(`  DNN(${body}) on simulator(${body}) seed ${s}: short ${f(per.at(-1)!.short)} long ${f(per.at(-1)!.long)} (${f(per.at(-1)!.seconds, 0)} s)`);
      }
      rows.push({ name: `DNN (${body}) trained on the simulator (${body})`, short: per.map((p) => p.short), long: per.map((p) => p.long), perSeed: true });
      sim.dispose();
    }
    out.fidelity = fid;
  }

  if (ref) {
    const table: Record<string, unknown>[] = [];
    console.log(`\nOnline test on the TRUE model: ${a.evalSessions} test sessions (seed ${a.evalSeed}), pools 500; DNN budget ${trainSessions} training sessions (B 64, T 50), seeds ${a.seeds}`);
    console.log('  policy                                          short T=50: mean [95% CI]   h     long T=300: mean [95% CI]   h');
    for (const r of rows) {
      const cs = confidenceInterval95(r.short), cl = confidenceInterval95(r.long);
      const hs = headroomCaptured(cs.mean, ref.random.short, ref.oracle.short), hl = headroomCaptured(cl.mean, ref.random.long, ref.oracle.long);
      console.log(`  ${r.name.padEnd(46)} ${f(cs.mean).padStart(7)} [${f(cs.lo)}, ${f(cs.hi)}]  ${f(hs).padStart(5)}   ${f(cl.mean).padStart(7)} [${f(cl.lo)}, ${f(cl.hi)}]  ${f(hl).padStart(5)}`);
      table.push({ policy: r.name, ciOver: r.perSeed ? 'seeds' : 'sessions', short: { ...cs, h: hs, values: r.perSeed ? r.short : undefined }, long: { ...cl, h: hl, values: r.perSeed ? r.long : undefined } });
    }
    console.log('  (CI over sessions for random and the oracles, over seeds for the DNN rows)');
    out.table = table;
  }
  if (a.json) fs.writeFileSync(a.json, JSON.stringify(out, null, 2) + '\n');
}

function pickFig(m: { aucClick: number; aucOrder: number; logLoss: number; eceClick: number; eceOrder: number }) {
  return { aucClick: m.aucClick, aucOrder: m.aucOrder, logLoss: m.logLoss, eceClick: m.eceClick, eceOrder: m.eceOrder };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
