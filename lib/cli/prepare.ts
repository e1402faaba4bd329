/** `hrlmg prepare`: read a real log through an adapter, prepare it and save the dataset. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADAPTER_SPEC, ADAPTERS, AdapterOptions, resolveAdapterOptions } from '../data/adapters';
import { prepareConfigSpec, PrepareConfig, resolvePrepareConfig } from '../data/prepare';
import { STREAM_AUTO_ROWS } from '../data/stream';
import { InputError, UsageError } from '../util/errors';
import { defineCommand, status } from './command';
import { prepareToFolder } from './prepareToFolder';
import { formatManifest } from './stats';

export const prepareCommand = defineCommand(
  {
    name: 'prepare',
    summary: 'read a real log (taobao, jd, retailrocket, yoochoose, otto) through its adapter, prepare it and save the dataset',
    usage: 'prepare --adapter NAME --input FILE[,FILE2] [--out DIR] [adapter options] [preparation options]',
    description: 'Adapters:\n' + Object.entries(ADAPTERS)
      .map(([k, a]) => `  ${k.padEnd(13)} files: ${a.files.join(',')}\n  ${' '.repeat(13)} ${a.description}`)
      .join('\n') +
      `\nLogs of ${STREAM_AUTO_ROWS.toLocaleString('en-US')} impressions or more (after negatives) are prepared streaming (same dataset,\n` +
      'bounded memory; see docs/performance.md "Big logs"); --stream forces it for any size.',
    flags: {
      adapter: { type: 'string', placeholder: 'NAME', doc: `which adapter: ${Object.keys(ADAPTERS).join(' | ')} (required)` },
      input: { type: 'string', placeholder: 'FILE[,FILE2]', doc: 'input file(s), comma-separated, in the adapter\'s order (required)' },
      out: { type: 'string', placeholder: 'DIR', doc: 'dataset folder to write (default data/<adapter>; replaced atomically)' },
      stream: { type: 'boolean', doc: `prepare streaming, writing histories chunk by chunk (automatic from ${STREAM_AUTO_ROWS.toLocaleString('en-US')} impressions)` },
    },
    specs: [
      { id: 'adapter', title: 'Adapter options', spec: ADAPTER_SPEC },
      { id: 'prepare', title: 'Preparation options', spec: prepareConfigSpec },
    ],
  },
  async (a) => {
    const name = a.flags.adapter;
    if (typeof name !== 'string') throw new UsageError('--adapter is required (see hrlmg prepare --help)');
    const adapter = ADAPTERS[name];
    if (!adapter) throw new UsageError(`unknown adapter "${name}" (known: ${Object.keys(ADAPTERS).join(', ')})`);
    if (typeof a.flags.input !== 'string' || a.flags.input.trim() === '') throw new UsageError('--input is required (see hrlmg prepare --help)');
    const files = a.flags.input.split(',').map((f) => f.trim());
    if (files.length !== adapter.files.length) {
      throw new UsageError(`adapter ${name} needs ${adapter.files.length} input file(s) (${adapter.files.join(', ')}), got ${files.length}`);
    }
    for (const f of files) if (!fs.existsSync(f) || !fs.statSync(f).isFile()) throw new InputError(f, 0, 'no such file');
    const out = typeof a.flags.out === 'string' ? a.flags.out : path.join('data', name);
    const adapterOpts = resolveAdapterOptions(a.configs.adapter as Partial<AdapterOptions>);
    resolvePrepareConfig(a.configs.prepare as Partial<PrepareConfig>);
    const t0 = Date.now();
    status(`reading ${files.join(', ')} (${name})...`);
    const log = await adapter.read(files, adapterOpts);
    const tRead = (Date.now() - t0) / 1000;
    const stream = a.flags.stream === true || log.item.length >= STREAM_AUTO_ROWS;
    status(`read ${log.item.length.toLocaleString('en-US')} impressions in ${tRead.toFixed(1)}s; preparing${stream ? ` streaming into ${out}` : ''}...`);
    const prepOpts = {
      progress: true,
      sourceInfo: {
        kind: 'adapter',
        adapter: name,
        files: files.map((f) => ({ path: path.resolve(f), bytes: fs.statSync(f).size })),
        options: adapterOpts,
        adapterStats: log.adapterStats,
        categoryRaw: log.categoryRaw,
        readSeconds: tRead,
      },
    };
    const m = await prepareToFolder(log, out, a.configs.prepare as Partial<PrepareConfig>, prepOpts, stream);
    process.stdout.write(formatManifest(m, out) + '\n');
    process.stdout.write(`  total time ${((Date.now() - t0) / 1000).toFixed(1)}s (reading ${tRead.toFixed(1)}s)\n`);
  },
);
