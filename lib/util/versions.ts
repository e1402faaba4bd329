/**
 * What every result records about the run: resolved config, seed, backend and versions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendInfo, BackendInfo } from '../backend';

export interface RunMeta {
  kit: string;
  versions: Record<string, string>;
  backend: BackendInfo;
  startedAt: string;
}

function pkgVersion(name: string): string {
  try {
    const p = require.resolve(`${name}/package.json`, { paths: [path.join(__dirname, '..', '..', '..')] });
    return JSON.parse(fs.readFileSync(p, 'utf8')).version as string;
  } catch {
    return 'not installed';
  }
}

/** The kit's own version (package.json at the repository root). */
export function kitVersion(): string {
  for (const up of ['../../..', '../..']) {
    const p = path.join(__dirname, up, 'package.json');
    if (fs.existsSync(p)) return JSON.parse(fs.readFileSync(p, 'utf8')).version as string;
  }
  return 'unknown';
}

/** Metadata stamped into every result file. Requires the backend to be initialised. */
export function runMeta(): RunMeta {
  return {
    kit: kitVersion(),
    versions: {
      node: process.version,
      '@tensorflow/tfjs': pkgVersion('@tensorflow/tfjs'),
      '@tensorflow/tfjs-backend-wasm': pkgVersion('@tensorflow/tfjs-backend-wasm'),
      'danfojs-node': pkgVersion('danfojs-node'),
      arquero: pkgVersion('arquero'),
    },
    backend: backendInfo(),
    startedAt: new Date().toISOString(),
  };
}
