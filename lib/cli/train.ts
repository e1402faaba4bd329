/**
 * `hrlmg train`: crash-safe training of one agent (lib/reliability/trainRun.ts). Checkpoints every
 * --checkpointEvery session batches; the same command after a crash (kill, Ctrl-C) resumes from the
 * newest checkpoint and ends with exactly the results of an uninterrupted run. One process per
 * output folder (lock); a diverging run stops with a message naming the network and update step.
 */
import { hrlmgSpec } from '../agents/agentConfig';
import { methodIds, methods } from '../agents/methods';
import type { Spec } from '../util/config';
import { divergenceSpec } from '../reliability/divergence';
import { runTrainerSpec, runTraining, trainEnvSpec, type TrainRunOptions } from '../reliability/trainRun';
import { UsageError } from '../util/errors';
import { defineCommand, status } from './command';

const DEFAULT_SIM = 'runs/simulator';

/**
 * One --help section per method with options that HRL-MG's (the 'agent' section) lacks, each with
 * only the keys no earlier section has (one flag per key), e.g. the DNN's hidden and lr.
 */
function methodSections(): { id: string; title: string; spec: Spec }[] {
  const seen = new Set(Object.keys(hrlmgSpec));
  const out: { id: string; title: string; spec: Spec }[] = [];
  for (const m of methods()) {
    const own = Object.keys(m.spec).filter((k) => !seen.has(k));
    if (!own.length) continue;
    const shared = Object.keys(m.spec)
      .filter((k) => k in hrlmgSpec)
      .map((k) => (m.spec[k].default === hrlmgSpec[k as keyof typeof hrlmgSpec].default ? k : `${k} (default ${JSON.stringify(m.spec[k].default)})`));
    out.push({ id: m.id, title: `${m.label}-only options (the ${m.label} also takes ${shared.join(', ')})`, spec: Object.fromEntries(own.map((k) => [k, m.spec[k]])) });
    for (const k of own) seen.add(k);
  }
  return out;
}
const METHOD_SECTIONS = methodSections();

export const trainCommand = defineCommand(
  {
    name: 'train',
    summary: `train an agent (${methodIds().join(', ')}) crash-safely: checkpoints, automatic resume, divergence guard, folder lock`,
    usage: 'train --data DIR --method NAME --backend sim|truth [--sim DIR] --out DIR [options]',
    description:
      'Writes OUT/{run.json, checkpoints/, agent/, train-log.json, result.json}. Rerun the SAME command after a\n' +
      'crash or Ctrl-C: it resumes from the newest checkpoint and ends with exactly the results of an\n' +
      'uninterrupted run; on a finished run it only reports. A different configuration in OUT is refused\n' +
      '(--fresh discards it; --per-run gives every configuration its own subfolder). E and N default to the\n' +
      "dataset's. Agent options a method does not have (e.g. --M with ddpg) are errors.",
    flags: {
      data: { type: 'string', placeholder: 'DIR', default: 'data/world', doc: 'prepared dataset folder (hrlmg generate / prepare)' },
      method: { type: 'string', placeholder: 'NAME', doc: `${methodIds().join(' | ')} (required)` },
      backend: { type: 'string', placeholder: 'KIND', default: 'sim', doc: 'user model during training: sim (learned simulator, --sim) or truth (the default world\'s ground truth)' },
      sim: { type: 'string', placeholder: 'DIR', doc: `simulator folder for --backend sim (default ${DEFAULT_SIM})` },
      out: { type: 'string', placeholder: 'DIR', doc: 'run folder (required); with --per-run the parent of the run\'s subfolder' },
      'per-run': { type: 'boolean', doc: 'write into OUT/<method>-s<seed>-<config hash>/ (concurrent configurations never share a folder)' },
      fresh: { type: 'boolean', doc: 'discard what OUT holds (checkpoints, results) and start over' },
      'wait-lock': { type: 'string', placeholder: 'SECONDS', default: '0', doc: 'if another run holds OUT, wait up to this long instead of failing at once' },
      'keep-checkpoints': { type: 'string', placeholder: 'K', default: '2', doc: 'newest checkpoints kept (>= 1)' },
    },
    specs: [
      { id: 'trainer', title: 'Trainer options (budget, seed, checkpoints)', spec: runTrainerSpec },
      { id: 'env', title: 'Training environment options', spec: trainEnvSpec },
      { id: 'agent', title: 'Agent options (hrl-mg; hrl has all but M, ddpg the low-level ones)', spec: hrlmgSpec },
      ...METHOD_SECTIONS,
      { id: 'divergence', title: 'Divergence guard', spec: divergenceSpec },
    ],
  },
  async (a) => {
    const method = a.flags.method;
    if (typeof method !== 'string') throw new UsageError(`--method is required: ${methodIds().join(', ')} (see hrlmg train --help)`);
    const out = a.flags.out;
    if (typeof out !== 'string' || out === '') throw new UsageError('--out DIR is required (see hrlmg train --help)');
    const backend = a.flags.backend as string;
    const simFlag = a.flags.sim as string | undefined;
    const waitLock = nonNegative('wait-lock', a.flags['wait-lock'] as string, false);
    const keep = nonNegative('keep-checkpoints', a.flags['keep-checkpoints'] as string, true);
    if (keep < 1) throw new UsageError(`--keep-checkpoints: must be >= 1, got ${keep}`);
    const opts: TrainRunOptions = {
      data: a.flags.data as string,
      method: method as TrainRunOptions['method'],
      backend: backend as TrainRunOptions['backend'],
      sim: backend === 'sim' ? (simFlag ?? DEFAULT_SIM) : simFlag,
      out,
      agent: Object.assign({}, a.configs.agent, ...METHOD_SECTIONS.map((x) => a.configs[x.id])),
      trainer: a.configs.trainer,
      env: a.configs.env,
      divergence: a.configs.divergence,
      perRun: a.flags['per-run'] === true,
      fresh: a.flags.fresh === true,
      waitLockMs: waitLock * 1000,
      keepCheckpoints: keep,
      command: `hrlmg train ${process.argv.slice(3).join(' ')}`.trim(),
      log: status,
    };
    // No signal handlers on purpose: a JS handler would only run between batches (training is a
    // synchronous loop), so Ctrl-C would wait for the batch. The default action stops the process at
    // once; its lock is then stale (dead pid) and the next run breaks it and resumes.
    const r = await runTraining(opts);
    const f = r.result.final;
    const lines = [
      `run ${r.out}: ${r.status === 'complete' ? 'already complete' : r.status === 'resumed' ? `resumed from session batch ${r.resumedFrom}, complete` : 'complete'}`,
      `  ${r.result.method}: ${r.result.budget.episodes} session batches (${r.result.budget.sessions} sessions, ${r.result.budget.steps} lock-step steps); updates low ${r.result.updates.low}, high ${r.result.updates.high}`,
      f ? `  last log entry: session reward ${fmt(f.sessionReward)}, clicks ${fmt(f.sessionClicks)}, orders ${fmt(f.sessionOrders)} per session` : '  no log entry',
      `  weights sha256 ${r.result.weights.sha256} (${r.result.weights.arrays} arrays, ${r.result.weights.values} values)`,
      r.status === 'complete' ? '' : `  trained ${r.seconds.toFixed(1)} s in this process; files: agent/, train-log.json, result.json, checkpoints/`,
    ];
    process.stdout.write(lines.filter(Boolean).join('\n') + '\n');
  },
);

function fmt(x: number | null): string {
  return x === null ? '-' : x.toFixed(3);
}

function nonNegative(name: string, v: string, integer: boolean): number {
  const x = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(x) || x < 0 || (integer && !Number.isInteger(x))) throw new UsageError(`--${name}: expected a non-negative ${integer ? 'integer' : 'number'}, got "${v}"`);
  return x;
}
