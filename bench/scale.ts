/**
 * Big logs: time and peak memory of generating + preparing the default world and of reading (and
 * preparing) a large Taobao-format CSV, each case in its own child process.
 *
 *   node dist/bench/scale.js [--cases world:1000000,world:10000000,taobao:5000000]
 *                            [--work /tmp/hrlmg-scale] [--chunk-rows 262144] [--keep]
 *                            [--prepare '{"embSkipWeight":0}']   (preparation config overrides, JSON)
 *
 * Cases: `world:T` = generateWorld({ trainImpressions: T }) then streamPrepareDataset (add `:memory`
 * for the in-memory prepareDataset + saveDataset instead); `taobao:L` = write an L-line synthetic
 * UserBehavior.csv into the work folder (seeded, not timed), read it with the taobao adapter, then
 * streamPrepareDataset (add `:read` to stop after reading).
 *
 * Peak RSS per phase is the kernel's high-water mark (VmHWM in /proc/self/status), reset at the
 * start of each phase by writing 5 to /proc/self/clear_refs, so it catches every short spike
 * (sampling could miss them, and a busy event loop would not sample at all). Where that file is not
 * writable the figure is the peak since the process started (marked "cumulative").
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readTaobao, TAOBAO_WINDOW } from '../lib/data/adapters';
import { saveDataset } from '../lib/data/dataset';
import { PrepareConfig, prepareDataset } from '../lib/data/prepare';
import { DEFAULT_CHUNK_ROWS, streamPrepareDataset } from '../lib/data/stream';
import { generateWorld } from '../lib/data/world';
import { Rng } from '../lib/util/rng';

interface Phase {
  name: string;
  seconds: number;
  /** CPU seconds (user + system) of the process: the wall time is inflated when the machine is shared. */
  cpuSeconds: number;
  peakRssMB: number;
  /** True when the high-water mark could not be reset (peak since process start). */
  cumulative: boolean;
  note?: string;
}

interface CaseResult {
  case: string;
  phases: Phase[];
  info: Record<string, number | string>;
}

// ---- memory probes ---------------------------------------------------------------------------

function vmHwmMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}

function resetHwm(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function phase<T>(phases: Phase[], name: string, fn: () => T | Promise<T>): Promise<T> {
  const reset = resetHwm();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const out = await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  phases.push({ name, seconds, cpuSeconds: (c.user + c.system) / 1e6, peakRssMB: vmHwmMB(), cumulative: !reset });
  return out;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of fs.readdirSync(dir)) n += fs.statSync(path.join(dir, f)).size;
  return n;
}

// ---- a synthetic Taobao UserBehavior.csv -----------------------------------------------------

/**
 * `lines` rows `user_id,item_id,category_id,behavior_type,timestamp` sorted by user then time like
 * the real file: ~100 events a user in sessions of 1-30 events over the official nine-day window,
 * items from a skewed popularity (about lines/10 distinct), behaviours pv 89% / cart 5.5% /
 * fav 3% / buy 2.5%. Written in ~1 MB blocks.
 */
export function writeTaobaoCsv(file: string, lines: number, seed = 1): void {
  const rng = new Rng(seed);
  const nItems = Math.max(1000, Math.floor(lines / 10));
  const nCats = Math.max(50, Math.floor(nItems / 100));
  const [w0, w1] = TAOBAO_WINDOW;
  const fd = fs.openSync(file, 'w');
  let buf: string[] = [];
  let bufLen = 0;
  const flush = (): void => {
    fs.writeSync(fd, buf.join(''));
    buf = [];
    bufLen = 0;
  };
  let written = 0;
  let uid = 1000;
  try {
    while (written < lines) {
      uid += 1 + rng.int(20);
      const nEvents = Math.min(lines - written, 20 + rng.int(160));
      // session start times, sorted
      const nSess = Math.max(1, Math.round(nEvents / (1 + rng.int(30))));
      const starts = Array.from({ length: nSess }, () => w0 + rng.int(w1 - w0 - 7200)).sort((a, b) => a - b);
      let t = starts[0];
      let s = 0;
      for (let e = 0; e < nEvents; e++) {
        if (s + 1 < nSess && e >= ((s + 1) * nEvents) / nSess) {
          s++;
          t = Math.max(t + 3600, starts[s]); // a new session: more than the 30-minute gap later
          if (t >= w1) t = w1 - 1;
        } else if (e > 0) t = Math.min(w1 - 1, t + 5 + rng.int(115));
        const i = Math.floor(nItems * rng.random() ** 2.5); // skewed popularity
        const item = ((i * 2654435761) % 5_000_000) + 1; // scatter raw ids
        const cat = 10_000 + (i % nCats) * 37;
        const x = rng.random();
        const b = x < 0.89 ? 'pv' : x < 0.945 ? 'cart' : x < 0.975 ? 'fav' : 'buy';
        const line = `${uid},${item},${cat},${b},${t}\n`;
        buf.push(line);
        bufLen += line.length;
        if (bufLen >= 1 << 20) flush();
      }
      written += nEvents;
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
}

// ---- cases (run in a child process) ----------------------------------------------------------

async function runCase(spec: string, work: string, chunkRows: number, keep: boolean, prep: Partial<PrepareConfig>): Promise<CaseResult> {
  const [kind, sizeStr, mode] = spec.split(':');
  const size = Number(sizeStr);
  if (!Number.isInteger(size) || size <= 0) throw new Error(`bad case "${spec}" (expected world:N[:memory] or taobao:N[:read])`);
  const phases: Phase[] = [];
  const info: Record<string, number | string> = {};
  const out = path.join(work, `${kind}-${size}${mode ? `-${mode}` : ''}`);
  if (kind === 'world') {
    const { log } = await phase(phases, `generate world (trainImpressions ${size.toLocaleString('en-US')})`, () =>
      generateWorld({ trainImpressions: size }, { progress: true }),
    );
    info.rows = log.item.length;
    info.items = log.items.n;
    info.users = log.nUsers;
    info.sessions = log.nSessions;
    if (mode === 'memory') {
      await phase(phases, 'prepare in memory + saveDataset', async () => saveDataset(out, await prepareDataset(log, prep, { progress: true })));
    } else {
      const m = await phase(phases, `streamPrepareDataset (chunk ${chunkRows} rows)`, () => streamPrepareDataset(log, out, prep, { progress: true, chunkRows }));
      info.cooccurrenceNnz = m.embedding.cooccurrenceNnz;
      info.trainRows = m.sizes.train.rows;
      info.testRows = m.sizes.test.rows;
    }
    info.datasetMB = Math.round(dirBytes(out) / 2 ** 20);
  } else if (kind === 'taobao') {
    const csv = path.join(work, `UserBehavior-${size}.csv`);
    if (!fs.existsSync(csv)) {
      process.stderr.write(`writing ${csv} (${size.toLocaleString('en-US')} lines, not timed)...\n`);
      writeTaobaoCsv(csv + '.tmp', size);
      fs.renameSync(csv + '.tmp', csv);
    }
    info.csvMB = Math.round(fs.statSync(csv).size / 2 ** 20);
    const log = await phase(phases, `read taobao CSV (${size.toLocaleString('en-US')} lines)`, () => readTaobao(csv, { progress: true }));
    info.rows = log.item.length;
    info.items = log.items.n;
    info.users = log.nUsers;
    info.sessions = log.nSessions;
    info.positives = log.adapterStats.positives;
    info.logMB = Math.round(
      (log.user.byteLength + log.session.byteLength + log.item.byteLength + log.feedback.byteLength + log.ts.byteLength + log.sessionStart.byteLength * 3) / 2 ** 20,
    );
    if (mode !== 'read') {
      const m = await phase(phases, `streamPrepareDataset (chunk ${chunkRows} rows)`, () => streamPrepareDataset(log, out, prep, { progress: true, chunkRows }));
      info.cooccurrenceNnz = m.embedding.cooccurrenceNnz;
      info.trainRows = m.sizes.train.rows;
      info.testRows = m.sizes.test.rows;
      info.datasetMB = Math.round(dirBytes(out) / 2 ** 20);
    }
  } else throw new Error(`bad case "${spec}"`);
  if (!keep) fs.rmSync(out, { recursive: true, force: true });
  return { case: spec, phases, info };
}

// ---- parent: one child per case, then the table -----------------------------------------------

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${os.platform()} ${os.release()}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: 'world:1000000,world:10000000,taobao:5000000' },
      work: { type: 'string', default: path.join(os.tmpdir(), 'hrlmg-scale') },
      'chunk-rows': { type: 'string', default: String(DEFAULT_CHUNK_ROWS) },
      keep: { type: 'boolean', default: false },
      prepare: { type: 'string', default: '{}' },
      child: { type: 'string' },
    },
  });
  const work = values.work as string;
  const chunkRows = Number(values['chunk-rows']);
  fs.mkdirSync(work, { recursive: true });
  if (values.child) {
    const r = await runCase(values.child, work, chunkRows, values.keep as boolean, JSON.parse(values.prepare as string));
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    return;
  }
  console.log(`machine: ${machine()}`);
  console.log(`work folder: ${work}; chunk ${chunkRows} rows; preparation overrides ${values.prepare}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const results: CaseResult[] = [];
  for (const spec of (values.cases as string).split(',')) {
    const args = [__filename, '--child', spec, '--work', work, '--chunk-rows', String(chunkRows), '--prepare', values.prepare as string, ...(values.keep ? ['--keep'] : [])];
    const t0 = Date.now();
    const p = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26 });
    const line = p.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (p.status !== 0 || !line) {
      console.log(`case ${spec}: FAILED (exit ${p.status}${p.signal ? `, ${p.signal}` : ''})\n${p.stdout}`);
      continue;
    }
    const r = JSON.parse(line.slice(7)) as CaseResult;
    results.push(r);
    console.log(`case ${spec} (${((Date.now() - t0) / 1000).toFixed(1)} s wall in the child)`);
    for (const ph of r.phases) {
      console.log(`  ${ph.name.padEnd(52)} ${ph.seconds.toFixed(1).padStart(7)} s wall ${ph.cpuSeconds.toFixed(1).padStart(7)} s CPU   peak RSS ${ph.peakRssMB.toFixed(0).padStart(6)} MB${ph.cumulative ? ' (cumulative)' : ''}`);
    }
    console.log(`  ${Object.entries(r.info).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`).join(', ')}\n`);
  }
  console.log('JSON ' + JSON.stringify({ machine: machine(), chunkRows, results }));
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
