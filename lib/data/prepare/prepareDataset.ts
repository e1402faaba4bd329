/**
 * Data preparation, the pipeline from an impression log to a PreparedDataset:
 *   a. long-tail filter (counted on the training split), dense re-indexing of items and users;
 *   b. split train/test by day;
 *   c. browsed / clicked / ordered histories of every row (paper Sec. 2.2.1, 2.3.1, 4.1);
 *   d. item embeddings from the training split (PPMI + randomized SVD, Levy & Goldberg 2014);
 *   e. funnel statistics per split (arquero).
 */
import { ConfigError, InputError } from '../../util/errors';
import { Progress } from '../../util/progress';
import { learnItemEmbeddings } from '../embeddings/itemEmbeddings';
import { EventLog, validateLog } from '../schema';
import { applyFilter } from './applyFilter';
import { PrepareConfig, resolvePrepareConfig } from './config';
import { funnelStats } from './funnelStats';
import { computeHistories } from './histories';
import { longTailFilter } from './longTailFilter';
import { newManifest, PreparedDataset } from './preparedDataset';
import { splitDays } from './splitDays';

export interface PrepareOptions {
  /** Show progress bars (also silenced by HRLMG_QUIET=1). Default false. */
  progress?: boolean;
  /** Recorded in the manifest: how the input log was made (world config, adapter + files + options). */
  sourceInfo?: unknown;
}

export async function prepareDataset(log: EventLog, overrides: Partial<PrepareConfig> = {}, opts: PrepareOptions = {}): Promise<PreparedDataset> {
  const cfg = resolvePrepareConfig(overrides);
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (k: string): void => {
    const now = Date.now();
    timings[k] = (now - t) / 1000;
    t = now;
  };
  try {
    validateLog(log);
  } catch (e) {
    throw new InputError(`log (${log.source})`, 0, (e as Error).message);
  }
  lap('validate');

  const bar = opts.progress ? new Progress('filtering', 3, { unit: 'passes' }) : null;
  const days = splitDays(log, cfg);
  const f = longTailFilter(log, cfg, days.sessionSplit);
  bar?.tick(2);
  const sp = applyFilter(log, f, days.sessionSplit);
  bar?.tick();
  bar?.finish();
  if (sp.train.item.length === 0) {
    throw new ConfigError('prepare', 'minItemImpressions', `the long-tail filter left no training rows (${f.report.itemsKept} items, ${f.report.usersKept} users kept)`);
  }
  lap('filter');

  const [hTrain, hTest] = computeHistories([sp.train, sp.test], cfg.N, opts);
  lap('histories');

  const { embeddings, info } = learnItemEmbeddings(sp.train, cfg, opts);
  lap('embeddings');

  const [sTrain, sTest] = await Promise.all([funnelStats(sp.train), funnelStats(sp.test)]);
  lap('statistics');

  return {
    manifest: newManifest({
      source: log.source,
      sourceInfo: opts.sourceInfo,
      config: cfg,
      days,
      items: sp.items,
      nUsers: sp.nUsers,
      train: { rows: sp.train.item.length, sessions: sp.train.nSessions },
      test: { rows: sp.test.item.length, sessions: sp.test.nSessions },
      filter: { ...f.report, sessionsKept: sp.train.nSessions + sp.test.nSessions },
      statistics: { train: sTrain, test: sTest },
      embedding: info,
      timings,
    }),
    items: sp.items,
    embeddings,
    train: { log: sp.train, N: cfg.N, ...hTrain },
    test: { log: sp.test, N: cfg.N, ...hTest },
  };
}
