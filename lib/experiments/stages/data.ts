/**
 * Stage `data`: generate and prepare the default world (or read a real log through an adapter and
 * prepare it). Hash: the source (world config, or adapter + options + every input file's name, size
 * and SHA-256) and the prepare config. Writes data/ (lib/data/dataset format), results/data.json|csv.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import { ConfigError } from '../../util/errors';
import { resolveConfig } from '../../util/config';
import { fileSha256 } from '../../util/hash';
import { readManifest, saveDataset } from '../../data/dataset';
import { generateWorld } from '../../data/world/generateWorld';
import { prepareDataset } from '../../data/prepare/prepareDataset';
import { ADAPTERS } from '../../data/adapters/index';
import { recEnvSpec } from '../../sim/recEnv';
import { toCsv } from '../csv';
import type { ReproducePlan } from '../reproduceConfig';
import { readStageRecord, stageHash } from '../stageCache';
import { note, type PipelineContext } from './context';
import type { Stage } from './stage';
import { preparedSourceKey, usePreparedDataset } from '../preparedSource';
import { withoutDefaultSplitRule } from '../../data/prepare/testSplit';
import { resolvePrepareConfig } from '../../data/prepare/config';
import type { DatasetManifest } from '../../data/prepare/preparedDataset';

export const dataStage: Stage = {
  name: 'data',
  plan(ctx) {
    const { plan } = ctx;
    const recordFile = ctx.stageFile('data');
    const source =
      plan.source.kind === 'world'
        ? { kind: 'world', world: plan.source.world }
        : plan.source.kind === 'prepared'
          ? preparedSourceKey(plan.source.dir)
          : {
            kind: 'adapter',
            adapter: plan.source.adapter,
            options: plan.source.options,
            files: plan.source.files.map((f) => ({ name: path.basename(f), bytes: fs.statSync(f).size, sha256: inputSha256(f, recordFile) })),
          };
    // the default world has two days: the default-split rule cannot change its split (testSplit.ts)
    const config = { source, prepare: plan.source.kind === 'world' ? withoutDefaultSplitRule(plan.prepare, resolvePrepareConfig()) : plan.prepare };
    const hash = stageHash('data', config, {});
    return {
      hash, config, inputs: {},
      outputs: ['data/manifest.json', 'results/data.json', 'results/data.csv'],
      run: async () => {
        let m: DatasetManifest;
        if (plan.source.kind === 'prepared') {
          note(`data: using the prepared folder ${plan.source.dir} (verifying its checksums)...`);
          m = await usePreparedDataset(plan.source.dir, ctx.dataDir);
        } else if (plan.source.kind === 'world') {
          note('data: generating the default world and its two-day log...');
          const g0 = Date.now();
          const { world, log } = generateWorld(plan.source.world, { progress: true });
          const generateSeconds = (Date.now() - g0) / 1000;
          note(`data: ${log.item.length.toLocaleString('en-US')} impressions in ${generateSeconds.toFixed(1)}s; preparing...`);
          const ds = await prepareDataset(log, plan.prepare, { progress: true, sourceInfo: { kind: 'world', config: world.cfg, bias: world.bias, generateSeconds } });
          m = await saveDataset(ctx.dataDir, ds);
        } else {
          const s = plan.source;
          note(`data: reading ${s.files.join(', ')} (${s.adapter})...`);
          const r0 = Date.now();
          const log = await ADAPTERS[s.adapter].read(s.files, { ...s.options, progress: true });
          const readSeconds = (Date.now() - r0) / 1000;
          const ds = await prepareDataset(log, plan.prepare, {
            progress: true,
            sourceInfo: { kind: 'adapter', adapter: s.adapter, files: (source as { files: unknown }).files, options: s.options, adapterStats: log.adapterStats, categoryRaw: log.categoryRaw, readSeconds },
          });
          m = await saveDataset(ctx.dataDir, ds);
        }
        const stats = m.statistics as unknown as Record<string, Record<string, number>>;
        writeJsonAtomic(ctx.resultFile('data.json'), {
          ...ctx.header('data', hash, config),
          source: m.source,
          sizes: m.sizes,
          statistics: stats,
          filter: m.filter,
          days: m.days,
          sourceInfo: m.sourceInfo,
        });
        writeFileAtomic(ctx.resultFile('data.csv'), toCsv((['train', 'test'] as const).map((sp) => ({ split: sp, ...stats[sp] }))));
        return {
          status: 'ran',
          detail: `${m.sizes.nItems} items, ${m.sizes.nUsers} users, ${m.sizes.train.rows}+${m.sizes.test.rows} rows`,
          info: { fileStamps: plan.source.kind === 'adapter' ? plan.source.files.map((f) => ({ ...fileStamp(f), sha256: inputSha256(f, recordFile) })) : [] },
        };
      },
    };
  },
  after(ctx: PipelineContext) {
    const manifest = readManifest(ctx.dataDir);
    ctx.isWorld = manifest.source === 'world';
    checkEnvAgainstData(ctx.plan, manifest.sizes.nItems);
  },
};

/** The env settings must fit the dataset: known keys, and pools no larger than the catalogue. */
function checkEnvAgainstData(plan: ReproducePlan, nItems: number): void {
  resolveConfig('env', recEnvSpec, { ...plan.trainEnv, split: 'train' });
  if (plan.rep.poolSize > nItems) throw new ConfigError('reproduce', 'poolSize', `must be <= the dataset's catalogue (${nItems} items after filtering), got ${plan.rep.poolSize}`);
}

interface FileStamp {
  path: string;
  bytes: number;
  mtimeMs: number;
}

function fileStamp(f: string): FileStamp {
  const st = fs.statSync(f);
  return { path: path.resolve(f), bytes: st.size, mtimeMs: st.mtimeMs };
}

const shaMemo = new Map<string, string>();

/**
 * SHA-256 of an input log, reused from the last data-stage record when the file's path, size and
 * modification time are unchanged (hashing gigabytes on every rerun would dominate a cached rerun).
 */
function inputSha256(f: string, recordFile: string): string {
  const st = fileStamp(f);
  const key = JSON.stringify(st);
  const memo = shaMemo.get(key);
  if (memo) return memo;
  const prev = (readStageRecord(recordFile)?.info?.fileStamps ?? []) as Array<FileStamp & { sha256: string }>;
  const hit = prev.find((p) => p.path === st.path && p.bytes === st.bytes && p.mtimeMs === st.mtimeMs);
  const sha = hit?.sha256 ?? fileSha256(f);
  shaMemo.set(key, sha);
  return sha;
}
