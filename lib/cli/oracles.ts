/**
 * `hrlmg oracles`: the reference table of a default-world dataset against its ground-truth user
 * model: random, the logging policy and the greedy oracles (lib/eval/references.ts REFERENCES),
 * reward, clicks and orders per session (mean ± 95% CI over the test sessions) and the headroom
 * captured h of each, per session length. The sessions, pools and feedback draws are those of
 * `hrlmg evaluate` with the same seed, sessions, batch and pool size.
 */
import * as path from 'node:path';
import { initBackend } from '../backend';
import { writeJsonAtomic } from '../util/atomic';
import { int, numArray, resolveConfig, str, type ConfigOf } from '../util/config';
import { UsageError } from '../util/errors';
import { runMeta } from '../util/versions';
import { loadDataset } from '../data/dataset';
import { HEADROOM_DEFINITION, HEADROOM_FLOOR, HEADROOM_ORACLE, REFERENCES, onlineReferences, referenceDef } from '../eval/references';
import { headroomCaptured } from '../eval/oracles';
import { defineCommand, status } from './command';
import { formatOnlineTable, onlineTableRow, type OnlineTableRow } from './onlineTable';
import { truthBackend } from './userModelOf';

export const oraclesSpec = {
  sessions: int(500, 'online test sessions per session length', { min: 1 }),
  T: numArray([50, 300], 'session lengths (recommendations per session), comma-separated; each <= poolSize', { min: 1, minLength: 1 }),
  seed: int(2019, 'seed of the test sessions (users, pools, feedback draws; the reproduce default evalSeed)', { min: 0, max: 4294967295 }),
  batchSize: int(64, 'parallel sessions per env batch (results depend on it: compare at the same value)', { min: 1 }),
  poolSize: int(500, 'candidate pool (item recall) per session', { min: 1 }),
  references: str('', `comma-separated reference ids (default: all of ${REFERENCES.map((r) => r.id).join(', ')})`),
};
export type OraclesConfig = ConfigOf<typeof oraclesSpec>;

export function resolveOraclesConfig(o: Record<string, unknown>): OraclesConfig {
  return resolveConfig('oracles', oraclesSpec, o, (c) => {
    if (c.T.some((t) => !Number.isInteger(t))) return ['T', `entries must be integers, got ${c.T.join(',')}`];
    if (c.T.some((t) => t > c.poolSize)) return ['T', `entries must be <= poolSize (${c.poolSize}), got ${c.T.join(',')}`];
    return null;
  });
}

/** The reference ids of a config, with the headroom's floor and oracle always included. */
export function referenceIds(c: OraclesConfig): string[] {
  const want = c.references.trim() === '' ? REFERENCES.map((r) => r.id) : c.references.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of want) referenceDef(id); // unknown ids fail here
  return REFERENCES.map((r) => r.id).filter((id) => want.includes(id) || id === HEADROOM_FLOOR || id === HEADROOM_ORACLE);
}

export const oraclesCommand = defineCommand(
  {
    name: 'oracles',
    summary: 'reference table of a default-world dataset: random, logging policy, greedy oracles on the true user model, with h',
    usage: 'oracles --data DIR [--json FILE] [--sessions N] [--T 50,300] [options]',
    description:
      'Runs every reference policy through the online test against the ground-truth user model (the\n' +
      'oracles read its hidden session state) on the same users, pools and feedback draws, and prints\n' +
      'reward, clicks (incl. orders) and orders per session as mean ± 95% CI half-width over the test\n' +
      `sessions, and the headroom captured: ${HEADROOM_DEFINITION}.`,
    flags: {
      data: { type: 'string', placeholder: 'DIR', default: 'data/world', doc: 'dataset generated from the default world (hrlmg generate)' },
      json: { type: 'string', placeholder: 'FILE', doc: 'also write the table, the full results, the resolved config and versions as JSON' },
    },
    specs: [{ id: 'oracles', title: 'Test options', spec: oraclesSpec }],
  },
  async (a) => {
    const c = resolveOraclesConfig(a.configs.oracles);
    const ids = referenceIds(c);
    const dataDir = a.flags.data as string;
    const ds = loadDataset(dataDir);
    const backend = truthBackend(ds, dataDir, 'hrlmg oracles');
    if (c.poolSize > ds.items.n) throw new UsageError(`--poolSize: must be <= the dataset's catalogue (${ds.items.n} items), got ${c.poolSize}`);
    await initBackend();
    const meta = runMeta();
    const t0 = Date.now();
    status(`oracles: ${ids.length} reference policies × T = ${c.T.join(', ')} × ${c.sessions} sessions against the true user model...`);
    const refs = onlineReferences(ids, ds, backend, { Ts: c.T, sessions: c.sessions, seed: c.seed, batchSize: c.batchSize, poolSize: c.poolSize, progress: true });
    const floor = refs.find((r) => r.id === HEADROOM_FLOOR)!;
    const ceil = refs.find((r) => r.id === HEADROOM_ORACLE)!;
    const rows: OnlineTableRow[] = [];
    c.T.forEach((_T, k) => {
      for (const r of refs) rows.push(onlineTableRow(r.label, true, r.online[k], headroomCaptured(r.online[k].reward.mean, floor.online[k].reward.mean, ceil.online[k].reward.mean)));
    });
    const seconds = (Date.now() - t0) / 1000;
    const text = [
      `reference policies on ${dataDir} (true user model; ${c.sessions} test sessions per length, seed ${c.seed}, batch ${c.batchSize}, pool ${c.poolSize}):`,
      formatOnlineTable(rows, true, false),
      `h = (policy - random) / (${referenceDef(HEADROOM_ORACLE).label} - random); mean ± 95% CI half-width over sessions; ${seconds.toFixed(1)} s`,
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
        references: refs,
        meta,
        seconds,
      });
      status(`wrote ${a.flags.json}`);
    }
  },
);
