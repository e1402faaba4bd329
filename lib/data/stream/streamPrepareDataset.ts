/**
 * Streaming data preparation: the same dataset folder as `saveDataset(dir, await prepareDataset(log))`
 * (same files, bytes, checksums and manifest statistics; only createdAt and timings differ), in
 * memory O(items + users + sessions + co-occurrence nnz + one chunk) instead of O(rows * N).
 *
 *   passes 1-4 (streamFilter): day split and long-tail filter by counting;
 *   pass 5, chunk by chunk (whole users): filter + re-index the rows, compute their browsed /
 *     clicked / ordered histories (computeHistories on the chunk: a user's histories only depend on
 *     that user's rows), append every column to its file in the temporary folder (sha256 computed
 *     as the bytes go out), accumulate funnel statistics and item co-occurrence;
 *   then PPMI + SVD on the sparse co-occurrence, the item and user tables, manifest.json, and the
 *     folder is renamed into place (writeDirAtomic: on any failure nothing is left behind).
 */
import { writeDirAtomic } from '../../util/atomic';
import { ConfigError, InputError, UsageError } from '../../util/errors';
import { filterItems } from '../prepare/applyFilter';
import { PrepareConfig, resolvePrepareConfig } from '../prepare/config';
import { computeHistories } from '../prepare/histories';
import { PrepareOptions } from '../prepare/prepareDataset';
import { DatasetManifest, newManifest } from '../prepare/preparedDataset';
import { SPLIT_TRAIN } from '../prepare/splitDays';
import { EventLog, validateLog } from '../schema';
import { CooccurrenceAccumulator } from './cooccurrenceAccumulator';
import { DatasetWriter, SPLIT_NAMES } from './datasetWriter';
import { checkEmbeddingDim, embeddingsFromCooccurrence } from './embeddingsFromCooccurrence';
import { FunnelAccumulator } from './funnelAccumulator';
import { eventLogSource, LogChunk, LogSource } from './logSource';
import { forEachChunk, streamFilter, StreamFilterResult } from './streamFilter';

/**
 * The CLI (generate, prepare) prepares logs of at least this many rows streaming: from here the
 * in-memory path's histories alone (rows * N * 12 bytes) pass ~240 MB at N = 10.
 */
export const STREAM_AUTO_ROWS = 2_000_000;

/** Default rows per chunk: ~160 bytes a row of transient memory at N = 10 (about 40 MB). */
export const DEFAULT_CHUNK_ROWS = 1 << 18;

export interface StreamPrepareOptions extends PrepareOptions {
  /** Rows per chunk (whole users, so a chunk exceeds it only when one user does). */
  chunkRows?: number;
  /** Training rows buffered between two folds of the co-occurrence matrix (default 2^21). */
  cooccurrenceBatchRows?: number;
}


function isLog(x: EventLog | LogSource): x is EventLog {
  return (x as EventLog).sessionStart instanceof Int32Array && (x as EventLog).item instanceof Int32Array;
}

/** One split's share of a chunk, filtered and re-indexed. */
interface SplitPiece {
  /** For the files: filtered user, split-global session index, filtered item. */
  user: Int32Array;
  session: Int32Array;
  item: Int32Array;
  feedback: Uint8Array;
  ts: Float64Array;
  sessionStart: Int32Array; // [sessions] split-global first row of each session
  sessionUser: Int32Array; // [sessions] filtered user
  sessionDay: Int32Array; // [sessions]
  /** For computeHistories / co-occurrence: the same rows as a small log (chunk-local users and rows). */
  log: EventLog;
}

/**
 * Cut a chunk into its train and test pieces. `next` holds the split-global row and session counters
 * (advanced here); users are re-based to `uBase` in the pieces' logs.
 */
function splitChunk(c: LogChunk, f: StreamFilterResult, next: { rows: number; sessions: number }[], source: string): SplitPiece[] {
  const split = f.days.sessionSplit;
  const rows = [0, 0];
  const sessions = [0, 0];
  let uBase = -1;
  let uLast = -1;
  for (let k = 0; k < c.nSessions; k++) {
    const sp = split[c.session0 + k];
    const u = f.userMap[c.sessionUser[k]];
    if (sp < 0 || u < 0) continue;
    let n = 0;
    for (let r = c.sessionStart[k]; r < c.sessionStart[k + 1]; r++) n += f.keepItem[c.item[r]];
    if (n === 0) continue;
    rows[sp] += n;
    sessions[sp]++;
    if (uBase < 0) uBase = u;
    uLast = u;
  }
  const nLocalUsers = uBase < 0 ? 0 : uLast - uBase + 1;
  const pieces = [0, 1].map((sp): SplitPiece => {
    const R = rows[sp];
    const S = sessions[sp];
    const log: EventLog = {
      source,
      items: { n: f.nItems, rawId: new Float64Array(0), category: new Int32Array(0), nCategories: 0, price: new Float32Array(0), extra: {} },
      nUsers: nLocalUsers,
      userRawId: new Float64Array(0),
      user: new Int32Array(R),
      session: new Int32Array(R),
      item: new Int32Array(R),
      feedback: new Uint8Array(R),
      ts: new Float64Array(R),
      nSessions: S,
      sessionStart: new Int32Array(S + 1),
      sessionUser: new Int32Array(S),
      sessionDay: new Int32Array(S),
    };
    return {
      user: new Int32Array(R),
      session: new Int32Array(R),
      item: log.item,
      feedback: log.feedback,
      ts: log.ts,
      sessionStart: new Int32Array(S),
      sessionUser: new Int32Array(S),
      sessionDay: log.sessionDay,
      log,
    };
  });
  const w = [0, 0]; // rows written per piece
  const ns = [0, 0]; // sessions written per piece
  for (let k = 0; k < c.nSessions; k++) {
    const sp = split[c.session0 + k];
    const u = f.userMap[c.sessionUser[k]];
    if (sp < 0 || u < 0) continue;
    const p = pieces[sp];
    const w0 = w[sp];
    const sGlobal = next[sp].sessions + ns[sp];
    for (let r = c.sessionStart[k]; r < c.sessionStart[k + 1]; r++) {
      const i = f.itemMap[c.item[r]];
      if (i < 0) continue;
      const j = w[sp]++;
      p.user[j] = u;
      p.session[j] = sGlobal;
      p.item[j] = i;
      p.feedback[j] = c.feedback[r];
      p.ts[j] = c.ts[r];
      p.log.user[j] = u - uBase;
      p.log.session[j] = ns[sp];
    }
    if (w[sp] === w0) continue;
    const s = ns[sp]++;
    p.sessionStart[s] = next[sp].rows + w0;
    p.sessionUser[s] = u;
    p.sessionDay[s] = c.sessionDay[k];
    p.log.sessionStart[s] = w0;
    p.log.sessionUser[s] = u - uBase;
  }
  for (const sp of [0, 1]) {
    pieces[sp].log.sessionStart[ns[sp]] = w[sp];
    next[sp].rows += w[sp];
    next[sp].sessions += ns[sp];
  }
  return pieces;
}

/**
 * Prepare `input` (an in-memory EventLog, or any LogSource) straight into the dataset folder `dir`
 * (replaced atomically). Returns the manifest as written, like saveDataset.
 */
export async function streamPrepareDataset(
  input: EventLog | LogSource,
  dir: string,
  overrides: Partial<PrepareConfig> = {},
  opts: StreamPrepareOptions = {},
): Promise<DatasetManifest> {
  const cfg = resolvePrepareConfig(overrides);
  const chunkRows = opts.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) throw new UsageError(`streamPrepareDataset: chunkRows must be a positive integer, got ${chunkRows}`);
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (k: string): void => {
    const now = Date.now();
    timings[k] = (now - t) / 1000;
    t = now;
  };
  let src: LogSource;
  if (isLog(input)) {
    try {
      validateLog(input);
    } catch (e) {
      throw new InputError(`log (${input.source})`, 0, (e as Error).message);
    }
    src = eventLogSource(input);
  } else src = input;
  lap('validate');

  const passes = { chunkRows, progress: opts.progress, label: 'prepare', totalPasses: 5 };
  const f = await streamFilter(src, cfg, passes);
  if (f.train.rows === 0) {
    throw new ConfigError('prepare', 'minItemImpressions', `the long-tail filter left no training rows (${f.report.itemsKept} items, ${f.report.usersKept} users kept)`);
  }
  checkEmbeddingDim(cfg.embeddingDim, f.nItems);
  const items = filterItems(src.items, f.keepItem, f.itemMap, f.nItems);
  const userRawId = new Float64Array(f.nUsers);
  for (let u = 0; u < src.nUsers; u++) if (f.userMap[u] >= 0) userRawId[f.userMap[u]] = src.userRawId[u];
  lap('filter');

  let manifest: DatasetManifest | null = null;
  await writeDirAtomic(dir, async (tmp) => {
    const out = new DatasetWriter(tmp, Object.keys(items.extra));
    try {
      const N = cfg.N;
      const cooc = new CooccurrenceAccumulator(f.nItems, {
        window: cfg.embWindow,
        feedbackWeight: [cfg.embSkipWeight, 1, cfg.embOrderWeight],
        distance: cfg.embDistance,
        batchRows: opts.cooccurrenceBatchRows,
      });
      const funnel = [new FunnelAccumulator(f.nUsers, f.nItems), new FunnelAccumulator(f.nUsers, f.nItems)];
      const next = [
        { rows: 0, sessions: 0 },
        { rows: 0, sessions: 0 },
      ];
      let tCooc = 0;
      await forEachChunk(src, passes, 5, 'writing', (c) => {
        const pieces = splitChunk(c, f, next, src.source);
        const hist = computeHistories(pieces.map((p) => p.log), N);
        for (const sp of [0, 1]) {
          const p = pieces[sp];
          const name = SPLIT_NAMES[sp];
          out.append(`${name}.user`, p.user);
          out.append(`${name}.session`, p.session);
          out.append(`${name}.item`, p.item);
          out.append(`${name}.feedback`, p.feedback);
          out.append(`${name}.ts`, p.ts);
          out.append(`${name}.sessionStart`, p.sessionStart);
          out.append(`${name}.sessionUser`, p.sessionUser);
          out.append(`${name}.sessionDay`, p.sessionDay);
          out.append(`${name}.browsed`, hist[sp].browsed);
          out.append(`${name}.clicked`, hist[sp].clicked);
          out.append(`${name}.ordered`, hist[sp].ordered);
          funnel[sp].addRows(p.user, p.item, p.feedback);
          funnel[sp].addSessions(p.sessionDay);
        }
        const t0 = Date.now();
        const tr = pieces[SPLIT_TRAIN].log;
        cooc.add({ item: tr.item, feedback: tr.feedback, sessionStart: tr.sessionStart, nSessions: tr.nSessions });
        tCooc += Date.now() - t0;
      });
      for (const sp of [0, 1]) {
        const want = sp === SPLIT_TRAIN ? f.train : f.test;
        if (next[sp].rows !== want.rows || next[sp].sessions !== want.sessions) {
          throw new Error(`streamPrepareDataset: pass 5 wrote ${next[sp].rows} rows / ${next[sp].sessions} sessions of ${SPLIT_NAMES[sp]}, passes 1-4 counted ${want.rows} / ${want.sessions} (the source changed between passes?)`);
        }
        out.append(`${SPLIT_NAMES[sp]}.sessionStart`, Int32Array.of(next[sp].rows));
      }
      lap('rows');
      // seconds per step, without overlap: rows = pass 5 minus its co-occurrence folds
      timings.rows -= tCooc / 1000;
      const t0 = Date.now() - tCooc;
      const csr = cooc.toCsr();
      timings.cooccurrence = (Date.now() - t0) / 1000;
      t = Date.now();
      const { embeddings, info } = embeddingsFromCooccurrence(csr, cooc.outcomes, items, cfg, { progress: opts.progress, t0 });
      lap('embeddings');

      out.append('items.rawId', items.rawId);
      out.append('items.category', items.category);
      out.append('items.price', items.price);
      for (const k of Object.keys(items.extra)) out.append(`items.extra.${k}`, items.extra[k]);
      out.append('users.rawId', userRawId);
      out.append('embeddings', embeddings);
      timings.save = (Date.now() - t) / 1000;
      manifest = out.finish(
        newManifest({
          source: src.source,
          sourceInfo: opts.sourceInfo,
          config: cfg,
          days: f.days,
          items,
          nUsers: f.nUsers,
          train: f.train,
          test: f.test,
          filter: f.report,
          statistics: { train: funnel[0].result(), test: funnel[1].result() },
          embedding: info,
          timings,
        }),
      );
    } catch (e) {
      out.abort();
      throw e;
    }
  });
  return manifest as unknown as DatasetManifest;
}
