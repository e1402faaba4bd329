/**
 * Saving named float32 tensors in TensorFlow.js's artifact layout: a folder with
 *   model.json   { format, generatedBy, modelTopology: null, weightsManifest: [{ paths: ['weights.bin'],
 *                  weights: [{ name, shape, dtype: 'float32' }, ...] }], userDefinedMetadata: {...} }
 *   weights.bin  the tensors' float32 little-endian bytes concatenated in manifest order
 * (readable by tf.io.decodeWeights). The folder is written atomically (writeDirAtomic).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeDirAtomic } from '../util/atomic';
import { InputError } from '../util/errors';

export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface ModelJson {
  format: string;
  generatedBy: string;
  convertedBy: null;
  modelTopology: null;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: 'float32' }[] }[];
  userDefinedMetadata: Record<string, unknown>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export async function saveTensors(dir: string, format: string, tensors: NamedArray[], meta: Record<string, unknown>): Promise<void> {
  if (!LITTLE_ENDIAN) throw new Error('saveTensors: big-endian hosts are not supported');
  const total = tensors.reduce((a, t) => a + t.data.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`saveTensors: '${t.name}' has ${t.data.length} values for shape [${t.shape}]`);
    bin.set(t.data, off);
    off += n;
  }
  const json: ModelJson = {
    format,
    generatedBy: 'hrl-mg-kit',
    convertedBy: null,
    modelTopology: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' })) }],
    userDefinedMetadata: meta,
  };
  await writeDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, 'weights.bin'), new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength));
    fs.writeFileSync(path.join(tmp, 'model.json'), JSON.stringify(json, null, 1) + '\n');
    for (const f of ['weights.bin', 'model.json']) {
      const fd = fs.openSync(path.join(tmp, f), 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
  });
}

export interface LoadedTensors {
  json: ModelJson;
  tensors: Map<string, NamedArray>;
}

/** Read a folder written by `saveTensors`; `format` must match. */
export function loadTensors(dir: string, format: string): LoadedTensors {
  const jf = path.join(dir, 'model.json');
  if (!fs.existsSync(jf)) throw new InputError(jf, 0, 'not found');
  let json: ModelJson;
  try {
    json = JSON.parse(fs.readFileSync(jf, 'utf8')) as ModelJson;
  } catch (e) {
    throw new InputError(jf, 0, `not valid JSON (${(e as Error).message})`);
  }
  if (json.format !== format) throw new InputError(jf, 0, `format is '${json.format}', expected '${format}'`);
  const tensors = new Map<string, NamedArray>();
  for (const group of json.weightsManifest ?? []) {
    const bf = path.join(dir, group.paths[0]);
    const buf = fs.readFileSync(bf);
    const need = group.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0) * 4;
    if (buf.length !== need) throw new InputError(bf, 0, `has ${buf.length} bytes, manifest needs ${need}`);
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    let off = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32') throw new InputError(jf, 0, `weight '${w.name}' has dtype ${w.dtype}, expected float32`);
      const n = w.shape.reduce((x, y) => x * y, 1);
      tensors.set(w.name, { name: w.name, shape: w.shape, data: all.slice(off, off + n) });
      off += n;
    }
  }
  return { json, tensors };
}

/** Take a tensor by name with the expected size, or throw naming the file. */
export function takeTensor(dir: string, loaded: LoadedTensors, name: string, size: number): Float32Array {
  const t = loaded.tensors.get(name);
  if (!t) throw new InputError(path.join(dir, 'model.json'), 0, `missing weight '${name}'`);
  if (t.data.length !== size) throw new InputError(path.join(dir, 'model.json'), 0, `weight '${name}' has ${t.data.length} values, expected ${size}`);
  return t.data;
}

/** Named entries (prefix/name) of a flat vector laid out by `entries`. */
export function flatToNamed(prefix: string, entries: { name: string; shape: number[]; offset: number; size: number }[], flat: Float32Array): NamedArray[] {
  return entries.map((e) => ({ name: `${prefix}/${e.name}`, shape: e.shape, data: flat.subarray(e.offset, e.offset + e.size) }));
}

/** Inverse of `flatToNamed`: gathers prefix/name tensors into one flat vector of length `total`. */
export function namedToFlat(
  dir: string,
  loaded: LoadedTensors,
  prefix: string,
  entries: { name: string; shape: number[]; offset: number; size: number }[],
  total: number,
): Float32Array {
  const out = new Float32Array(total);
  for (const e of entries) out.set(takeTensor(dir, loaded, `${prefix}/${e.name}`, e.size), e.offset);
  return out;
}
