/**
 * `hrlmg reproduce`: the kit's main job: the paper's experiments end to end (data, simulator,
 * DNN / DDPG / HRL / HRL-MG per seed, online and offline tests, alpha and M sweeps, figures,
 * summary), resumable stage by stage. See lib/experiments/reproduce.ts for the stages and layout.
 */
import { ADAPTERS } from '../data/adapters/index';
import { UsageError } from '../util/errors';
import { QUICK_PRESET, readConfigFile, reproduceSpec, resolvePlan, type ReproducePlan } from '../experiments/reproduceConfig';
import type { CommandDef, ParsedArgs } from './args';
import { reproduce } from '../experiments/reproduce';
import { defineCommand } from './command';
import { reproduceAreaSpecs, sectionsOf } from './reproduceOptions';

const FLAGS = {
  out: { type: 'string', placeholder: 'DIR', default: 'runs/reproduce', doc: 'output folder (created; reused to resume)' },
  quick: { type: 'boolean', doc: 'tiny world and budget: the whole pipeline in a few minutes (a smoke test, not evidence)' },
  adapter: { type: 'string', placeholder: 'NAME', doc: `read a real log instead of the default world: ${Object.keys(ADAPTERS).join(' | ')}` },
  input: { type: 'string', placeholder: 'FILE[,FILE2]', doc: 'the adapter\'s input file(s), comma-separated, in its order' },
  data: { type: 'string', placeholder: 'DIR', doc: 'start from a prepared dataset folder (hrlmg prepare / generate, or <out>/data of a run): no raw file is read' },
  config: { type: 'string', placeholder: 'FILE', doc: 'JSON file with per-area settings (see above)' },
  force: { type: 'boolean', doc: 'ignore cached results: rerun every stage' },
} as const;
const AREA_SPECS = reproduceAreaSpecs(Object.keys(FLAGS));

/** The quick preset's reproduce options, wrapped for the help text. */
function quickLines(): string[] {
  const words = Object.entries(QUICK_PRESET.reproduce ?? {}).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`);
  const lines: string[] = [];
  let cur = '  ';
  for (const w of words) {
    if (cur.length + w.length > 110) {
      lines.push(cur.trimEnd());
      cur = '  ';
    }
    cur += w + ' ';
  }
  lines.push(cur.trimEnd());
  return lines;
}

export const REPRODUCE_DEF: CommandDef = {
  name: 'reproduce',
  summary: 'reproduce the paper\'s experiments (Figures 6-12): data, simulator, 4 methods x seeds, tests, sweeps, figures, summary',
  usage: 'reproduce [--quick] [--out DIR] [--adapter NAME --input FILES | --data DIR] [--config FILE] [options]',
  description: [
    'Stages: data -> simulator -> train -> evaluate -> sweep -> figures -> summary. Each stage (and each run inside',
    'it) is cached under the output folder with the hash of its resolved config and inputs: a rerun skips what is',
    'done ("skip: ... (cached)"), a changed setting reruns what it affects. Results: <out>/summary.md,',
    '<out>/results/*.json|csv, <out>/figures/*.html|png. Default data: the synthetic default world (with its',
    'ground-truth user model as a second online test); --adapter/--input use a real log instead.',
    '',
    '--quick: the same pipeline on a tiny world and budget (a few minutes); its reproduce options:',
    ...quickLines(),
    '  and world nItems=500, prepare embeddingDim=16, simulator/agents H=16 with small batches and warm-ups.',
    '  Options given explicitly win.',
    '',
    '--config FILE: JSON with sections reproduce, world, prepare, adapter, simulator, agents {all, dnn, ddpg, hrl,',
    'hrl-mg}, trainer {logEvery}, env (rewards, recall shares), evaluate {minPositives}, fidelity {maxRows};',
    'keys are those of the other commands\' options (e.g. hrlmg generate --help). Precedence: defaults < --quick <',
    'file < command line. Adapters: ' + Object.keys(ADAPTERS).join(', ') + '.',
    '',
    'Every world, adapter, preparation, simulator and agent option is also an option here (listed below): a key only',
    'one area has is given plain (--testDays 120,121), a key several areas share with its area (--world.seed 3,',
    '--simulator.H 32, --agents.H 32). Agent options apply to every method that has the key (per method: --config).',
    '--data DIR starts from a prepared folder (its preparation is recorded in it: no world, adapter or',
    'preparation options then).',
  ].join('\n'),
  flags: FLAGS,
  specs: [{ id: 'reproduce', title: 'Reproduce options', spec: reproduceSpec }, ...AREA_SPECS.map((a) => ({ id: a.id, title: a.title, spec: a.spec }))],
};

/** The resolved plan of parsed `reproduce` arguments (all validation happens here, before any work). */
export function planFromArgs(a: ParsedArgs): ReproducePlan {
  const adapter = a.flags.adapter as string | undefined;
  const input = a.flags.input as string | undefined;
  if (adapter !== undefined && (input === undefined || input.trim() === '')) throw new UsageError('--adapter needs --input FILE[,FILE2] (see hrlmg reproduce --help)');
  return resolvePlan({
    options: a.configs.reproduce,
    quick: a.flags.quick === true,
    file: typeof a.flags.config === 'string' ? readConfigFile(a.flags.config) : undefined,
    out: a.flags.out as string,
    adapter,
    input: input?.split(',').map((f) => f.trim()),
    data: typeof a.flags.data === 'string' ? a.flags.data : undefined,
    cli: sectionsOf(AREA_SPECS, a.configs),
  });
}

export const reproduceCommand = defineCommand(REPRODUCE_DEF, async (a) => {
  await reproduce(planFromArgs(a), { force: a.flags.force === true });
});
