/**
 * `hrlmg evaluate`: the paper's tests of a saved agent (lib/eval/evaluate.ts): online short (T = 50)
 * and long (T = 300) against the learned simulator or the default world's ground truth, and the
 * offline re-ranking test. Against the ground truth the random policy and the greedy-reward oracle
 * run on the same sessions and the table carries the headroom captured h; against the simulator h
 * is not defined (the oracle reads the true user model, a simulator's rewards are on its own scale)
 * and the random policy on the simulator is shown as the floor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../util/atomic';
import { bool, int, resolveConfig, type ConfigOf } from '../util/config';
import { UsageError } from '../util/errors';
import { loadDataset } from '../data/dataset';
import { readAgentJson } from '../agents/agentStore';
import { loadAgent } from '../agents/factory';
import { evaluate } from '../eval/evaluate';
import { HEADROOM_DEFINITION, HEADROOM_FLOOR, HEADROOM_ORACLE, evaluateReferences, hasTruth, headroomOf, type Headroom } from '../eval/references';
import { defineCommand, status } from './command';
import { formatOnlineTable, formatStat, onlineTableRow, type OnlineTableRow } from './onlineTable';
import { openUserModel } from './userModelOf';

const DEFAULT_SIM = 'runs/simulator';

export const evaluateCommandSpec = {
  seed: int(2019, 'seed of the test sessions (users, pools, feedback draws) and of the offline random order (the reproduce default evalSeed)', { min: 0, max: 4294967295 }),
  sessions: int(500, 'online test sessions per session length', { min: 1 }),
  batchSize: int(64, 'parallel sessions per env batch and per offline policy call (results depend on it: compare at the same value)', { min: 1 }),
  shortT: int(50, 'short online sessions: recommendations per session (paper: 50)', { min: 1 }),
  longT: int(300, 'long online sessions: recommendations per session (paper: 300)', { min: 1 }),
  poolSize: int(500, 'online candidate pool (item recall) per session; >= longT', { min: 1 }),
  online: bool(true, 'run the online tests (short and long)'),
  offline: bool(true, 'run the offline re-ranking test'),
  offlineSessions: int(0, 'offline: at most this many eligible test sessions (seeded sample; 0 = all)', { min: 0 }),
};
export type EvaluateCommandConfig = ConfigOf<typeof evaluateCommandSpec>;

/** The saved agent's folder: DIR itself (agent.json) or DIR/agent (a `train` or reproduce run folder). */
export function agentFolder(dir: string): string {
  if (!fs.existsSync(dir)) throw new UsageError(`--agent ${dir}: no such folder`);
  if (fs.existsSync(path.join(dir, 'agent.json'))) return dir;
  if (fs.existsSync(path.join(dir, 'agent', 'agent.json'))) return path.join(dir, 'agent');
  throw new UsageError(`--agent ${dir}: no saved agent (agent.json) in it or in its agent/ subfolder (train one with hrlmg train)`);
}

export const evaluateCommand = defineCommand(
  {
    name: 'evaluate',
    summary: 'online (short, long) and offline tests of a saved agent, against the simulator or the true user model, with h',
    usage: 'evaluate --agent DIR --data DIR --backend sim|truth [--sim DIR] [--json FILE] [options]',
    description:
      'DIR of --agent is a saved agent (agent.json) or a run folder holding agent/ (hrlmg train --out, reproduce runs/<run>).\n' +
      'With --backend truth (default-world datasets) the random policy and the greedy-reward oracle run on the\n' +
      `same sessions and the table carries the headroom captured: ${HEADROOM_DEFINITION}.\n` +
      'With --backend sim, h is not defined (the oracle reads the true user model); the random policy on the\n' +
      'simulator is shown as the floor. Same seed, sessions, batch and pool size: the numbers of hrlmg oracles.',
    flags: {
      agent: { type: 'string', placeholder: 'DIR', doc: 'saved agent folder or run folder (required)' },
      data: { type: 'string', placeholder: 'DIR', default: 'data/world', doc: 'prepared dataset folder the agent was trained on' },
      backend: { type: 'string', placeholder: 'KIND', default: 'sim', doc: "online user model: sim (learned simulator, --sim) or truth (the default world's ground truth)" },
      sim: { type: 'string', placeholder: 'DIR', doc: `simulator folder for --backend sim (default ${DEFAULT_SIM})` },
      json: { type: 'string', placeholder: 'FILE', doc: 'also write the table, the full results, the resolved config, seed, backend and versions as JSON' },
    },
    specs: [{ id: 'evaluate', title: 'Test options', spec: evaluateCommandSpec }],
  },
  async (a) => {
    const c = resolveConfig('evaluate', evaluateCommandSpec, a.configs.evaluate, (x) =>
      x.online && x.poolSize < Math.max(x.shortT, x.longT) ? ['poolSize', `must be >= longT and shortT (${Math.max(x.shortT, x.longT)})`] : null,
    );
    if (typeof a.flags.agent !== 'string' || a.flags.agent === '') throw new UsageError('--agent DIR is required (see hrlmg evaluate --help)');
    const agentDir = agentFolder(a.flags.agent);
    const saved = readAgentJson(agentDir);
    const dataDir = a.flags.data as string;
    const kind = a.flags.backend as string;
    const simFlag = a.flags.sim as string | undefined;
    const ds = loadDataset(dataDir);
    const um = await openUserModel(kind, ds, dataDir, kind === 'sim' ? (simFlag ?? DEFAULT_SIM) : simFlag);
    const agent = await loadAgent(agentDir, ds.embeddings);
    try {
      const overrides = {
        seed: c.seed, onlineSessions: c.sessions, batchSize: c.batchSize, shortT: c.shortT, longT: c.longT, poolSize: c.poolSize,
        online: c.online, offline: c.offline, offlineMaxSessions: c.offlineSessions,
      };
      status(`evaluate: ${saved.method} agent of ${agentDir} against the ${um.backend.name} backend...`);
      const rec = await evaluate(agent, ds, um.backend, overrides, { progress: true });
      const truth = hasTruth(um.backend);
      const refIds = truth ? [HEADROOM_FLOOR, HEADROOM_ORACLE] : [HEADROOM_FLOOR];
      const refs = c.online ? await evaluateReferences(refIds, ds, um.backend, overrides, { progress: true }) : [];
      const rows: OnlineTableRow[] = [];
      const headroom: Record<string, Headroom> = {};
      if (rec.online) {
        for (const length of ['short', 'long'] as const) {
          const r = rec.online[length];
          const online = (id: string) => refs.find((x) => x.id === id)!.record.online![length];
          if (truth) headroom[length] = headroomOf(r, online(HEADROOM_FLOOR), online(HEADROOM_ORACLE));
          rows.push(onlineTableRow(`${saved.method}`, false, r, truth ? headroom[length].h : null));
          for (const ref of refs) {
            const rr = ref.record.online![length];
            rows.push(onlineTableRow(ref.label, true, rr, truth ? headroomOf(rr, online(HEADROOM_FLOOR), online(HEADROOM_ORACLE)).h : null));
          }
        }
      }
      const lines = [`${saved.method} agent (${agentDir}) on ${dataDir}, user model ${um.backend.name}${um.sim ? ` (${um.sim})` : ''}, seed ${c.seed}:`];
      if (rec.online) {
        lines.push(`online test: ${c.sessions} sessions per length, batch ${c.batchSize}, pool ${c.poolSize}; mean ± 95% CI half-width over sessions`, formatOnlineTable(rows, truth));
        lines.push(truth ? `h = (policy - random) / (greedy-reward oracle - random)` : 'h: not defined against the learned simulator (the oracle reads the true user model); use --backend truth on a default-world dataset');
      }
      const off = rec.offline;
      if (off) {
        const m = off.metrics;
        const ks = Object.keys(m.policy.ndcg);
        const cells = (x: typeof m.policy): string => [`MAP ${formatStat({ mean: x.map.mean, halfWidth: x.map.ci95.halfWidth }, 4)}`, ...ks.map((k) => `NDCG@${k} ${formatStat({ mean: x.ndcg[k].mean, halfWidth: x.ndcg[k].ci95.halfWidth }, 4)}`)].join(', ');
        lines.push(`offline test (${off.counts.evaluated} test-day sessions re-ranked):`, `  ${saved.method}: ${cells(m.policy)}`, `  logged order: ${cells(m.logged)}`, `  random order: ${cells(m.random)}`);
      }
      lines.push(`${rec.seconds.toFixed(1)} s (agent), ${refs.reduce((s, r) => s + r.record.seconds, 0).toFixed(1)} s (references)`);
      process.stdout.write(lines.join('\n') + '\n');
      if (typeof a.flags.json === 'string') {
        writeJsonAtomic(a.flags.json, {
          format: 'hrlmg-evaluate',
          agent: { dir: path.resolve(agentDir), method: saved.method, config: saved.config },
          data: path.resolve(dataDir),
          backend: um.kind,
          userModel: um.backend.name,
          simulator: um.sim,
          seed: c.seed,
          config: c,
          evaluateConfig: rec.config,
          headroom: truth && rec.online ? { definition: HEADROOM_DEFINITION, floor: HEADROOM_FLOOR, oracle: HEADROOM_ORACLE, ...headroom } : null,
          headroomNote: truth ? null : 'h is not defined against the learned simulator: the oracle reads the true user model and simulator rewards are on another scale',
          table: rows,
          online: rec.online,
          offline: rec.offline,
          references: refs.map((r) => ({ id: r.id, label: r.label, online: r.record.online })),
          meta: rec.meta,
          seconds: rec.seconds,
        });
        status(`wrote ${a.flags.json}`);
      }
    } finally {
      agent.dispose();
      um.dispose();
    }
  },
);
