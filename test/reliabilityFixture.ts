/**
 * Shared by the reliability tests: a tiny default-world dataset on disk (so the `train` command can
 * use the ground-truth backend), tiny training options, and child-process helpers for the CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { saveDataset } from '../lib/data/dataset';
import { prepareDataset } from '../lib/data/prepare';
import { generateWorld } from '../lib/data/world';

/** The compiled CLI next to this compiled test, whichever dist-* folder it was built into. */
export const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');

/** Generate + prepare + save a ~2,000-impression world (E = 8, N = 5) into `dir` (about 1-2 s). */
export async function tinyWorldDataset(dir: string): Promise<string> {
  const { world, log } = generateWorld({ trainImpressions: 2000, nItems: 200, seed: 5 });
  const ds = await prepareDataset(log, { embeddingDim: 8, N: 5 }, { sourceInfo: { kind: 'world', config: world.cfg, bias: world.bias } });
  await saveDataset(dir, ds);
  return dir;
}

/**
 * Tiny HRL-MG training options for `hrlmg train`: B = 4 sessions of T = 6 steps per batch, goals
 * every c = 3 steps; `batches` session batches; checkpoint after every batch.
 */
export function tinyTrainArgs(data: string, out: string, o: { batches?: number; method?: string; extra?: string[] } = {}): string[] {
  const method = o.method ?? 'hrl-mg';
  const common = ['--H', '8', '--batchLow', '8', '--warmupLow', '8', '--bufferLow', '300'];
  const high = method === 'hrl-mg' || method === 'hrl' ? ['--c', '3', '--batchHigh', '4', '--warmupHigh', '4', '--bufferHigh', '100'] : [];
  const dnn = method === 'dnn' ? ['--hidden', '8'] : [];
  return [
    'train', '--data', data, '--method', method, '--backend', 'truth', '--out', out,
    '--sessions', String(4 * (o.batches ?? 10)), '--batchSize', '4', '--T', '6', '--poolSize', '30', '--seed', '7',
    '--checkpointEvery', '1', ...common, ...high, ...dnn, ...(o.extra ?? []),
  ];
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export interface Child {
  proc: ChildProcess;
  exit: Promise<Exit>;
}

/** Start the CLI with `args` (HRLMG_QUIET=1). `exit` resolves once the process is gone and reaped. */
export function startCli(args: string[], cwd: string): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, HRLMG_QUIET: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<Exit>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, out, err })));
  return { proc, exit };
}

export async function runCli(args: string[], cwd: string): Promise<Exit> {
  return startCli(args, cwd).exit;
}

/** Every file under `dir` (relative paths, sorted), for byte comparisons. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}
