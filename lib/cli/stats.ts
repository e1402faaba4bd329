/** `hrlmg stats DIR`: the statistics of a prepared dataset, read from its manifest. */
import { loadDataset, readManifest } from '../data/dataset';
import { DatasetManifest } from '../data/prepare/preparedDataset';
import { FunnelStats } from '../data/prepare/funnelStats';
import { defineCommand } from './command';

const int = (x: number): string => x.toLocaleString('en-US');
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/**
 * Day indices as ranges, for any log length: [0, 1, 2, 5, 7, 8, 9] -> "0-2, 5, 7-9" (a long log's
 * 150 training days are "0-131", not 132 numbers).
 */
export function formatDayRanges(days: readonly number[]): string {
  const d = [...new Set(days)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < d.length; ) {
    let j = i;
    while (j + 1 < d.length && d[j + 1] === d[j] + 1) j++;
    parts.push(j === i ? `${d[i]}` : `${d[i]}-${d[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** "day 9" / "days 0-8" */
function daysLabel(days: readonly number[]): string {
  return `${days.length === 1 ? 'day' : 'days'} ${formatDayRanges(days)}`;
}

/** A readable summary of a dataset manifest (used by stats, generate and prepare). */
export function formatManifest(m: DatasetManifest, dir: string): string {
  const rows: [string, (s: FunnelStats) => string][] = [
    ['impressions', (s) => int(s.impressions)],
    ['clicks (incl. orders)', (s) => int(s.clicks)],
    ['orders', (s) => int(s.orders)],
    ['click rate', (s) => pct(s.clickRate)],
    ['orders per click', (s) => pct(s.orderPerClick)],
    ['users', (s) => int(s.users)],
    ['sessions', (s) => int(s.sessions)],
    ['items shown', (s) => int(s.items)],
    ['days', (s) => int(s.days)],
  ];
  const cells = rows.map(([label, f]) => [label, f(m.statistics.train), f(m.statistics.test)]);
  const head = ['', `train (${daysLabel(m.days.train)})`, `test (${daysLabel(m.days.test)})`];
  const w = [0, 1, 2].map((c) => Math.max(head[c].length, ...cells.map((r) => r[c].length)));
  const line = (r: string[]): string => `  ${r[0].padEnd(w[0])}  ${r[1].padStart(w[1])}  ${r[2].padStart(w[2])}`;
  const sz = m.sizes;
  const f = m.filter;
  const e = m.embedding;
  return [
    `Dataset ${dir}`,
    `  source ${m.source}, created ${m.createdAt}, kit ${m.kitVersion}`,
    '',
    line(head),
    ...cells.map(line),
    '',
    `  items ${int(sz.nItems)} (${int(sz.nCategories)} categories${sz.itemExtra.length ? `; attributes ${sz.itemExtra.join(', ')}` : ''}), users ${int(sz.nUsers)}, history length N = ${sz.N}`,
    `  long-tail filter: kept ${int(f.rowsKept)}/${int(f.rowsIn)} rows, ${int(f.itemsKept)}/${int(f.itemsIn)} items, ${int(f.usersKept)}/${int(f.usersIn)} users (${int(f.coldUsersKept)} test-only), ${int(f.sessionsKept)}/${int(f.sessionsIn)} sessions`,
    `  embeddings: ${e.dim}-dim ${e.method} (window ${m.config.embWindow}, co-occurrence nnz ${int(e.cooccurrenceNnz)}, PPMI nnz ${int(e.ppmiNnz)}, ${int(e.fallbackItems)} fallback items, ${e.normalize} rows)`,
    `  preparation time: ${Object.entries(m.timings).map(([k, v]) => `${k} ${v.toFixed(2)}s`).join(', ')}`,
  ].join('\n');
}

export const statsCommand = defineCommand(
  {
    name: 'stats',
    summary: 'print the statistics of a prepared dataset (from its manifest.json)',
    usage: 'stats DIR [--verify] [--json]',
    positionals: [{ name: 'DIR', doc: 'a prepared dataset folder (written by generate or prepare)' }],
    flags: {
      verify: { type: 'boolean', doc: 'also load every column and check sizes, checksums and shapes' },
      json: { type: 'boolean', doc: 'print the manifest (without the file list) as JSON instead of a table' },
    },
  },
  async (a) => {
    const dir = a.positionals[0];
    const m = a.flags.verify ? loadDataset(dir).manifest : readManifest(dir);
    if (a.flags.json) {
      const { files: _files, ...rest } = m;
      process.stdout.write(JSON.stringify(rest, null, 2) + '\n');
      return;
    }
    process.stdout.write(formatManifest(m, dir) + '\n');
    if (a.flags.verify) process.stdout.write(`  verified: ${m.files.length} files, sizes and sha256 checksums match\n`);
  },
);
