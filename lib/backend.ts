/**
 * Picks TensorFlow.js's backend once per process: tfjs-node (native TensorFlow) when it is
 * installed and loads, else WebAssembly, else the pure-JS cpu backend. Every result file records
 * `backendInfo()`, because numbers (and speed) differ between backends.
 *
 * Force a backend with HRLMG_BACKEND=tensorflow|wasm|cpu.
 *
 * Note: danfojs-node depends on '@tensorflow/tfjs-node', which this kit's package.json aliases to
 * plain '@tensorflow/tfjs' (tfjs-node cannot download libtensorflow offline). So requiring
 * '@tensorflow/tfjs-node' succeeding proves nothing: we check that the native 'tensorflow'
 * backend actually registered.
 */
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The backend that runs every tensor op in this process. */
  backend: BackendName;
  /** Why this backend (what was tried and failed). */
  note: string;
  tfjsVersion: string;
  node: string;
  platform: string;
  cpu: string;
  cores: number;
}

let info: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;

function tryLoadNative(): string | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
  } catch (e) {
    return `tfjs-node not loadable (${(e as Error).message.split('\n')[0]})`;
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    return 'tfjs-node not installed (the package found is the plain-tfjs alias danfojs needs)';
  }
  return null;
}

async function trySet(name: BackendName): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Initialise the backend (idempotent; concurrent callers share one initialisation). */
export function initBackend(): Promise<BackendInfo> {
  if (info) return Promise.resolve(info);
  if (!pending) pending = doInit();
  return pending;
}

async function doInit(): Promise<BackendInfo> {
  const forced = process.env.HRLMG_BACKEND as BackendName | undefined;
  if (forced && !['tensorflow', 'wasm', 'cpu'].includes(forced)) {
    throw new Error(`HRLMG_BACKEND must be tensorflow, wasm or cpu, got '${forced}'`);
  }
  const notes: string[] = [];
  const order: BackendName[] = forced ? [forced] : ['tensorflow', 'wasm', 'cpu'];
  let chosen: BackendName | null = null;
  for (const name of order) {
    if (name === 'tensorflow') {
      const why = tryLoadNative();
      if (why) {
        notes.push(why);
        continue;
      }
    }
    if (name === 'wasm') {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-backend-wasm');
      } catch (e) {
        notes.push(`wasm backend not loadable (${(e as Error).message.split('\n')[0]})`);
        continue;
      }
    }
    if (await trySet(name)) {
      chosen = name;
      break;
    }
    notes.push(`${name} failed to initialise`);
  }
  if (!chosen) throw new Error(`no TensorFlow.js backend could be initialised: ${notes.join('; ')}`);
  const cpus = os.cpus();
  info = {
    backend: chosen,
    note: notes.length ? notes.join('; ') : 'first choice',
    tfjsVersion: tf.version_core,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
  };
  return info;
}

/** The backend in use; throws if `initBackend()` has not completed. */
export function backendInfo(): BackendInfo {
  if (!info) throw new Error('backendInfo(): call `await initBackend()` first');
  return info;
}
