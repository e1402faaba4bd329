/**
 * `hrlmg oracles`: the reference table of a default-world dataset against its ground-truth user
 * model: random, the logging policy and the greedy oracles (lib/eval/references.ts REFERENCES),
 * reward, clicks and orders per session (mean ± 95% CI over the test sessions) and the headroom
 * captured h of each, per session length. The sessions, pools and feedback draws are those of
 * `hrlmg evaluate` with the same seed, sessions, batch and pool size. The planning oracle
 * (OPT_IN_REFERENCES, slow) runs only with --with-planning or --references ...,planning, and then
 * the planning gain = planning / greedy-reward is printed per session length.
 */
import * as path from 'node:path';
import { initBackend } from '../backend';
import { writeJsonAtomic } from '../util/atomic';
import { int, numArray, resolveConfig, str, type ConfigOf } from '../util/config';
import { UsageError } from '../util/errors';
import { runMeta } from '../util/versions';
import { loadDataset } from '../data/dataset';
import { ALL_REFERENCES, HEADROOM_DEFINITION, HEADROOM_FLOOR, HEADROOM_ORACLE, OPT_IN_REFERENCES, REFERENCES, onlineReferences, referenceDef } from '../eval/references';
import { planningOracleSpec } from '../eval/planningOracle';
import { headroomCaptured } from '../eval/oracles';
import { defineCommand, status } from './command';
import { formatOnlineTable, onlineTableRow, type OnlineTableRow } from './onlineTable';
import type { OnlineResult } from '../eval/onlineTest';
import { truthBackend } from './userModelOf';

export const oraclesSpec = {
  sessions: int(500, 'online test sessions per session length', { min: 1 }),
  T: numArray([50, 300], 'session lengths (recommendations per session), comma-separated; each <= poolSize', { min: 1, minLength: 1 }),
  seed: int(2019, 'seed of the test sessions (users, pools, feedback draws; the reproduce default evalSeed)', { min: 0, max: 4294967295 }),
  batchSize: int(64, 'parallel sessions per env batch (results depend on it: compare at the same value)', { min: 1 }),
  poolSize: int(500, 'candidate pool (item recall) per session', { min: 1 }),
  references: str('', `comma-separated reference ids (default: ${REFERENCES.map((r) => r.id).join(', ')}; opt-in, slow: ${OPT_IN_REFERENCES.map((r) => r.id).join(', ')})`),
};

/** The planning oracle's search settings as options (its seed is the test seed: --seed). */
const { seed: _planningSeed, ...planningOptions } = planningOracleSpec;
export const oraclesPlanningSpec = planningOptions;
export type OraclesConfig = ConfigOf<typeof oraclesSpec>;

export function resolveOraclesConfig(o: Record<string, unknown>): OraclesConfig {
  return resolveConfig('oracles', oraclesSpec, o, (c) => {
    if (c.T.some((t) => !Number.isInteger(t))) return ['T', `entries must be integers, got ${c.T.join(',')}`];
    if (c.T.some((t) => t > c.poolSize)) return ['T', `entries must be <= poolSize (${c.poolSize}), got ${c.T.join(',')}`];
    return null;
  });
}

/**
 * The reference ids of a config, in table order, with the headroom's floor and oracle always
 * included; `withPlanning` adds the planning oracle (opt-in: slow).
 */
export function referenceIds(c: OraclesConfig, withPlanning = false): string[] {
  const want = c.references.trim() === '' ? REFERENCES.map((r) => r.id) : c.references.split(',').map((s) => s.trim()).filter(Boolean);
  if (withPlanning) want.push('planning');
  for (const id of want) referenceDef(id); // unknown ids fail here
  return ALL_REFERENCES.map((r) => r.id).filter((id) => want.includes(id) || id === HEADROOM_FLOOR || id === HEADROOM_ORACLE);
}

/** Planning gain = planning oracle / greedy-reward oracle, mean reward per session, with the paired 95% CI of the difference. */
export function planningGain(planning: OnlineResult, greedy: OnlineResult): { gain: number; diff: number; diffHalfWidth: number; sessions: number } {
  const p = planning.perSession.reward, g = greedy.perSession.reward;
  if (p.length !== g.length || planning.perSession.user.some((u, i) => u !== greedy.perSession.user[i])) {
    throw new UsageError('planningGain: the planning and greedy-reward results are not paired (other sessions)');
  }
  const n = p.length;
  const d = Array.from(p, (x, i) => x - g[i]);
  const m = d.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1)) : NaN;
  return { gain: planning.reward.mean / greedy.reward.mean, diff: m, diffHalfWidth: (1.96 * sd) / Math.sqrt(n), sessions: n };
}

export const oraclesCommand = defineCommand(
  {
    name: 'oracles',
    summary: 'reference table of a default-world dataset: random, logging policy, greedy oracles on the true user model, with h',
    usage: 'oracles --data DIR [--json FILE] [--sessions N] [--T 50,300] [options]',
    description:
      'Runs the reference policies through the online test against the ground-truth user model (the\n' +
      'oracles read its hidden session state) on the same users, pools and feedback draws, and prints\n' +
      'reward, clicks (incl. orders) and orders per session as mean ± 95% CI half-width over the test\n' +
      `sessions, and the headroom captured: ${HEADROOM_DEFINITION}.\n` +
      'The planning oracle (lib/eval/planningOracle.ts: rollouts on cloned true hidden states) is opt-in,\n' +
      'as it costs ~5-20 ms per session step: --with-planning (or --references ...,planning) adds it and\n' +
      'prints the planning gain = planning / greedy-reward with the paired 95% CI of the difference.',
    flags: {
      'with-planning': { type: 'boolean', doc: 'also run the planning oracle (slow) and print the planning gain' },
      data: { type: 'string', placeholder: 'DIR', default: 'data/world', doc: 'dataset generated from the default world (hrlmg generate)' },
      json: { type: 'string', placeholder: 'FILE', doc: 'also write the table, the full results, the resolved config and versions as JSON' },
    },
    specs: [
      { id: 'oracles', title: 'Test options', spec: oraclesSpec },
      { id: 'planning', title: 'Planning oracle (with --with-planning)', spec: oraclesPlanningSpec },
    ],
  },
  async (a) => {
    const c = resolveOraclesConfig(a.configs.oracles);
    const ids = referenceIds(c, a.flags['with-planning'] === true);
    const dataDir = a.flags.data as string;
    const ds = loadDataset(dataDir);
    const backend = truthBackend(ds, dataDir, 'hrlmg oracles');
    if (c.poolSize > ds.items.n) throw new UsageError(`--poolSize: must be <= the dataset's catalogue (${ds.items.n} items), got ${c.poolSize}`);
    await initBackend();
    const meta = runMeta();
    const t0 = Date.now();
    status(`oracles: ${ids.length} reference policies × T = ${c.T.join(', ')} × ${c.sessions} sessions against the true user model...`);
    const planningConfig = a.configs.planning ?? {};
    const refs = onlineReferences(ids, ds, backend, { Ts: c.T, sessions: c.sessions, seed: c.seed, batchSize: c.batchSize, poolSize: c.poolSize, configs: { planning: planningConfig }, progress: true });
    const floor = refs.find((r) => r.id === HEADROOM_FLOOR)!;
    const ceil = refs.find((r) => r.id === HEADROOM_ORACLE)!;
    const rows: OnlineTableRow[] = [];
    c.T.forEach((_T, k) => {
      for (const r of refs) rows.push(onlineTableRow(r.label, true, r.online[k], headroomCaptured(r.online[k].reward.mean, floor.online[k].reward.mean, ceil.online[k].reward.mean)));
    });
    const planning = refs.find((r) => r.id === 'planning');
    const gains = planning ? c.T.map((T, k) => ({ T, ...planningGain(planning.online[k], ceil.online[k]) })) : [];
    const seconds = (Date.now() - t0) / 1000;
    const text = [
      `reference policies on ${dataDir} (true user model; ${c.sessions} test sessions per length, seed ${c.seed}, batch ${c.batchSize}, pool ${c.poolSize}):`,
      formatOnlineTable(rows, true, false),
      `h = (policy - random) / (${referenceDef(HEADROOM_ORACLE).label} - random); mean ± 95% CI half-width over sessions; ${seconds.toFixed(1)} s`,
      ...gains.map((g) => `planning gain (T=${g.T}) = ${g.gain.toFixed(3)} (planning - greedy-reward, paired: ${g.diff.toFixed(2)} ± ${g.diffHalfWidth.toFixed(2)} over ${g.sessions} sessions)`),
    ].join('\n');
    process.stdout.write(text + '\n');
    if (typeof a.flags.json === 'string') {
      writeJsonAtomic(a.flags.json, {
        format: 'hrlmg-oracles',
        data: path.resolve(dataDir),
        backend: backend.name,
        seed: c.seed,
        config: c,
        headroom: { definition: HEADROOM_DEFINITION, floor: HEADROOM_FLOOR, oracle: HEADROOM_ORACLE },
        table: rows,
        ...(planning ? { planning: { config: planningConfig, gains } } : {}),
        references: refs,
        meta,
        seconds,
      });
      status(`wrote ${a.flags.json}`);
    }
  },
);
