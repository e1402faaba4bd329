/** `hrlmg generate`: generate the default synthetic world, prepare its log and save the dataset. */
import { prepareConfigSpec, PrepareConfig, resolvePrepareConfig } from '../data/prepare';
import { STREAM_AUTO_ROWS } from '../data/stream';
import { generateWorld, resolveWorldConfig, worldConfigSpec, WorldConfig } from '../data/world';
import { defineCommand, status } from './command';
import { prepareToFolder } from './prepareToFolder';
import { formatManifest } from './stats';

export const generateCommand = defineCommand(
  {
    name: 'generate',
    summary: 'generate the default synthetic world (train day 0, test day 1), prepare it and save the dataset',
    usage: 'generate [--out DIR] [world options] [preparation options]',
    description:
      'The world config is recorded in the dataset manifest (sourceInfo.config), so the true user model\n' +
      'can be rebuilt from it later (buildWorld(config) is deterministic).\n' +
      `Logs of ${STREAM_AUTO_ROWS.toLocaleString('en-US')} impressions or more are prepared streaming (same dataset, bounded memory;\n` +
      'see docs/performance.md "Big logs"); --stream forces it for any size.',
    flags: {
      out: { type: 'string', placeholder: 'DIR', default: 'data/world', doc: 'dataset folder to write (replaced atomically)' },
      stream: { type: 'boolean', doc: `prepare streaming, writing histories chunk by chunk (automatic from ${STREAM_AUTO_ROWS.toLocaleString('en-US')} impressions)` },
    },
    specs: [
      { id: 'world', title: 'World options', spec: worldConfigSpec },
      { id: 'prepare', title: 'Preparation options', spec: prepareConfigSpec },
    ],
  },
  async (a) => {
    const out = a.flags.out as string;
    // validate everything before any work
    resolveWorldConfig(a.configs.world as Partial<WorldConfig>);
    resolvePrepareConfig(a.configs.prepare as Partial<PrepareConfig>);
    const t0 = Date.now();
    status('generating the world and its log...');
    const { world, log } = generateWorld(a.configs.world as Partial<WorldConfig>, { progress: true });
    const tGen = (Date.now() - t0) / 1000;
    const stream = a.flags.stream === true || log.item.length >= STREAM_AUTO_ROWS;
    status(`generated ${log.item.length.toLocaleString('en-US')} impressions in ${tGen.toFixed(1)}s; preparing${stream ? ` streaming into ${out}` : ''}...`);
    const prepOpts = { progress: true, sourceInfo: { kind: 'world', config: world.cfg, bias: world.bias, generateSeconds: tGen } };
    const m = await prepareToFolder(log, out, a.configs.prepare as Partial<PrepareConfig>, prepOpts, stream);
    process.stdout.write(formatManifest(m, out) + '\n');
    process.stdout.write(`  total time ${((Date.now() - t0) / 1000).toFixed(1)}s (generation ${tGen.toFixed(1)}s)\n`);
  },
);
