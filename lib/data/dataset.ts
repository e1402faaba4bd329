/**
 * Saving and loading a PreparedDataset: a folder data/<name>/ with
 *   manifest.json   source, configs, sizes, statistics, embedding info, kit version, created time,
 *                   and the file list (column name, dtype, shape, byte size, sha256);
 *   <column>.<f64|f32|i32|u8>  one raw little-endian typed array per column, e.g. train.browsed.i32.
 * Written atomically (built in a temporary sibling folder, then renamed into place). Loading reads
 * the binary columns straight into typed arrays (no text parsing) and checks sizes, checksums and
 * shapes: any problem is an InputError naming the file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeDirAtomic } from '../util/atomic';
import { InputError, UsageError } from '../util/errors';
import { DATASET_FORMAT, DATASET_FORMAT_VERSION, DatasetManifest, ManifestFile, PreparedDataset, SplitData } from './prepare/preparedDataset';
import { EventLog, ItemTable, validateLog } from './schema';

type DType = ManifestFile['dtype'];
type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;

const DTYPES: Record<DType, { ext: string; bytes: number; ctor: new (n: number) => TypedArray }> = {
  float64: { ext: 'f64', bytes: 8, ctor: Float64Array },
  float32: { ext: 'f32', bytes: 4, ctor: Float32Array },
  int32: { ext: 'i32', bytes: 4, ctor: Int32Array },
  uint8: { ext: 'u8', bytes: 1, ctor: Uint8Array },
};

const LITTLE_ENDIAN = os.endianness() === 'LE';

interface ColumnSpec {
  name: string;
  dtype: DType;
  shape: number[];
}

const EXTRA_NAME = /^[A-Za-z0-9_-]+$/;
const SPLITS = ['train', 'test'] as const;

/** The columns a dataset of these sizes consists of, in file order. */
function columnSpecs(sz: DatasetManifest['sizes']): ColumnSpec[] {
  const cols: ColumnSpec[] = [
    { name: 'items.rawId', dtype: 'float64', shape: [sz.nItems] },
    { name: 'items.category', dtype: 'int32', shape: [sz.nItems] },
    { name: 'items.price', dtype: 'float32', shape: [sz.nItems] },
    ...sz.itemExtra.map((k): ColumnSpec => ({ name: `items.extra.${k}`, dtype: 'float32', shape: [sz.nItems] })),
    { name: 'users.rawId', dtype: 'float64', shape: [sz.nUsers] },
    { name: 'embeddings', dtype: 'float32', shape: [sz.nItems, sz.embeddingDim] },
  ];
  for (const sp of SPLITS) {
    const { rows, sessions } = sz[sp];
    cols.push(
      { name: `${sp}.user`, dtype: 'int32', shape: [rows] },
      { name: `${sp}.session`, dtype: 'int32', shape: [rows] },
      { name: `${sp}.item`, dtype: 'int32', shape: [rows] },
      { name: `${sp}.feedback`, dtype: 'uint8', shape: [rows] },
      { name: `${sp}.ts`, dtype: 'float64', shape: [rows] },
      { name: `${sp}.sessionStart`, dtype: 'int32', shape: [sessions + 1] },
      { name: `${sp}.sessionUser`, dtype: 'int32', shape: [sessions] },
      { name: `${sp}.sessionDay`, dtype: 'int32', shape: [sessions] },
      { name: `${sp}.browsed`, dtype: 'int32', shape: [rows, sz.N] },
      { name: `${sp}.clicked`, dtype: 'int32', shape: [rows, sz.N] },
      { name: `${sp}.ordered`, dtype: 'int32', shape: [rows, sz.N] },
    );
  }
  return cols;
}

/** The array behind a column name (read lazily, so a failure surfaces inside the atomic write). */
function columnArray(ds: PreparedDataset, name: string): TypedArray {
  const [head, ...rest] = name.split('.');
  if (head === 'items') {
    if (rest[0] === 'extra') return ds.items.extra[rest.slice(1).join('.')];
    return ds.items[rest[0] as 'rawId' | 'category' | 'price'];
  }
  if (head === 'users') return ds.train.log.userRawId;
  if (head === 'embeddings') return ds.embeddings;
  const split = ds[head as 'train' | 'test'];
  const k = rest[0];
  if (k === 'browsed' || k === 'clicked' || k === 'ordered') return split[k];
  return split.log[k as 'user' | 'session' | 'item' | 'feedback' | 'ts' | 'sessionStart' | 'sessionUser' | 'sessionDay'];
}

function fileName(c: ColumnSpec): string {
  return `${c.name}.${DTYPES[c.dtype].ext}`;
}

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes of a typed array in little-endian order (a byte-swapped copy on big-endian hosts). */
function leBytes(a: TypedArray): Uint8Array {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN || a.BYTES_PER_ELEMENT === 1) return b;
  return swapBytes(Uint8Array.from(b), a.BYTES_PER_ELEMENT);
}

function swapBytes(b: Uint8Array, w: number): Uint8Array {
  for (let i = 0; i < b.length; i += w) b.subarray(i, i + w).reverse();
  return b;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

function writeFileSynced(file: string, data: Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, Math.min(data.length - off, 1 << 30));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Save a prepared dataset into folder `dir` (replacing an existing one only once the new one is
 * complete). Returns the manifest as written (with the file list).
 */
export async function saveDataset(dir: string, ds: PreparedDataset): Promise<DatasetManifest> {
  const sz = ds.manifest.sizes;
  for (const k of sz.itemExtra) if (!EXTRA_NAME.test(k)) throw new UsageError(`saveDataset: item attribute name "${k}" must match ${EXTRA_NAME}`);
  const specs = columnSpecs(sz);
  let written: DatasetManifest | null = null;
  await writeDirAtomic(dir, (tmp) => {
    const files: ManifestFile[] = [];
    for (const c of specs) {
      const a = columnArray(ds, c.name);
      const { ctor } = DTYPES[c.dtype];
      if (!(a instanceof ctor) || a.length !== count(c.shape)) {
        throw new UsageError(`saveDataset: column ${c.name} must be a ${ctor.name} of ${count(c.shape)} (shape [${c.shape}]), got ${a?.constructor?.name} of ${a?.length}`);
      }
      const bytes = leBytes(a);
      const file = fileName(c);
      writeFileSynced(path.join(tmp, file), bytes);
      files.push({ name: c.name, file, dtype: c.dtype, shape: c.shape, bytes: bytes.length, sha256: sha256(bytes) });
    }
    written = { ...ds.manifest, files };
    writeFileSynced(path.join(tmp, 'manifest.json'), Buffer.from(JSON.stringify(written, null, 2) + '\n'));
  });
  return written as unknown as DatasetManifest;
}

/** 1-based line of a JSON.parse error ("... at position N"), 0 when unknown. */
function jsonErrorLine(text: string, e: Error): number {
  const m = /position (\d+)/.exec(e.message);
  if (!m) return 0;
  return text.slice(0, Number(m[1])).split('\n').length;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Read and check manifest.json of a dataset folder (cheap: no binary files are read). */
export function readManifest(dir: string): DatasetManifest {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(dir)) throw new InputError(dir, 0, 'dataset folder does not exist');
  if (!fs.existsSync(file)) throw new InputError(file, 0, 'missing: not a prepared dataset folder (run `generate` or `prepare` first)');
  if (!fs.statSync(file).isFile()) throw new InputError(file, 0, 'must be a file, found a folder or special file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, 0, `cannot be read: ${(e as Error).message}`);
  }
  let m: DatasetManifest;
  try {
    m = JSON.parse(text) as DatasetManifest;
  } catch (e) {
    throw new InputError(file, jsonErrorLine(text, e as Error), `not valid JSON: ${(e as Error).message}`);
  }
  const bad = (problem: string): never => {
    throw new InputError(file, 0, problem);
  };
  if (m === null || typeof m !== 'object') bad('must be a JSON object');
  if (m.format !== DATASET_FORMAT) bad(`format must be "${DATASET_FORMAT}", got ${JSON.stringify(m.format)}`);
  if (m.formatVersion !== DATASET_FORMAT_VERSION) bad(`formatVersion ${JSON.stringify(m.formatVersion)} is not supported (this kit reads ${DATASET_FORMAT_VERSION})`);
  const sz = m.sizes;
  if (!sz || typeof sz !== 'object') bad('sizes missing');
  for (const k of ['nItems', 'nCategories', 'nUsers', 'N', 'embeddingDim'] as const) if (!isCount(sz[k])) bad(`sizes.${k} must be a non-negative integer`);
  for (const sp of SPLITS) {
    if (!sz[sp] || !isCount(sz[sp].rows) || !isCount(sz[sp].sessions)) bad(`sizes.${sp} must have integer rows and sessions`);
  }
  if (!Array.isArray(sz.itemExtra) || !sz.itemExtra.every((k) => typeof k === 'string' && EXTRA_NAME.test(k))) bad('sizes.itemExtra must be a list of attribute names');
  if (!Array.isArray(m.files)) bad('files must be a list');
  if (!m.statistics || typeof m.statistics !== 'object') bad('statistics missing');
  return m;
}

function readColumn(dir: string, manifestFile: string, entry: ManifestFile | undefined, c: ColumnSpec, verify: boolean): TypedArray {
  if (!entry) throw new InputError(manifestFile, 0, `files: no entry for column ${c.name}`);
  if (entry.dtype !== c.dtype || JSON.stringify(entry.shape) !== JSON.stringify(c.shape)) {
    throw new InputError(manifestFile, 0, `files: column ${c.name} is ${entry.dtype} [${entry.shape}], sizes imply ${c.dtype} [${c.shape}]`);
  }
  const { bytes: w, ctor } = DTYPES[c.dtype];
  const n = count(c.shape);
  if (entry.bytes !== n * w) throw new InputError(manifestFile, 0, `files: column ${c.name} lists ${entry.bytes} bytes, shape [${c.shape}] needs ${n * w}`);
  if (typeof entry.file !== 'string' || path.basename(entry.file) !== entry.file) throw new InputError(manifestFile, 0, `files: bad file name for column ${c.name}`);
  const file = path.join(dir, entry.file);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new InputError(file, 0, 'missing (listed in manifest.json)');
  }
  if (size !== n * w) throw new InputError(file, 0, `has ${size} bytes, manifest.json says ${n * w} (truncated or corrupt)`);
  const a = new ctor(n);
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const fd = fs.openSync(file, 'r');
  try {
    let off = 0;
    while (off < b.length) {
      const got = fs.readSync(fd, b, off, Math.min(b.length - off, 1 << 30), off);
      if (got === 0) throw new InputError(file, 0, `ended after ${off} of ${b.length} bytes`);
      off += got;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (verify && sha256(b) !== entry.sha256) throw new InputError(file, 0, 'checksum (sha256) differs from manifest.json: the file is corrupt');
  if (!LITTLE_ENDIAN && w > 1) swapBytes(b, w);
  return a;
}

export interface LoadOptions {
  /** Check every file's sha256 (default true; false skips it for speed). */
  verify?: boolean;
}

/** Load a dataset saved by saveDataset; any missing, truncated, corrupt or inconsistent file is an InputError. */
export function loadDataset(dir: string, opts: LoadOptions = {}): PreparedDataset {
  const verify = opts.verify ?? true;
  const manifest = readManifest(dir);
  const manifestFile = path.join(dir, 'manifest.json');
  const sz = manifest.sizes;
  const entries = new Map<string, ManifestFile>();
  for (const f of manifest.files) if (f && typeof f.name === 'string') entries.set(f.name, f);
  const col: Record<string, TypedArray> = {};
  for (const c of columnSpecs(sz)) col[c.name] = readColumn(dir, manifestFile, entries.get(c.name), c, verify);

  const items: ItemTable = {
    n: sz.nItems,
    rawId: col['items.rawId'] as Float64Array,
    category: col['items.category'] as Int32Array,
    nCategories: sz.nCategories,
    price: col['items.price'] as Float32Array,
    extra: Object.fromEntries(sz.itemExtra.map((k) => [k, col[`items.extra.${k}`] as Float32Array])),
  };
  const userRawId = col['users.rawId'] as Float64Array;
  const fileOf = (name: string): string => path.join(dir, entries.get(name)!.file);
  for (let i = 0; i < sz.nItems; i++) {
    const k = items.category[i];
    if (!(k >= 0 && k < sz.nCategories)) throw new InputError(fileOf('items.category'), 0, `item ${i} has category ${k} outside [0, ${sz.nCategories})`);
  }
  const split = (sp: 'train' | 'test'): SplitData => {
    const log: EventLog = {
      source: manifest.source,
      items,
      nUsers: sz.nUsers,
      userRawId,
      user: col[`${sp}.user`] as Int32Array,
      session: col[`${sp}.session`] as Int32Array,
      item: col[`${sp}.item`] as Int32Array,
      feedback: col[`${sp}.feedback`] as Uint8Array,
      ts: col[`${sp}.ts`] as Float64Array,
      nSessions: sz[sp].sessions,
      sessionStart: col[`${sp}.sessionStart`] as Int32Array,
      sessionUser: col[`${sp}.sessionUser`] as Int32Array,
      sessionDay: col[`${sp}.sessionDay`] as Int32Array,
    };
    try {
      validateLog(log);
    } catch (e) {
      throw new InputError(path.join(dir, `${sp}.*`), 0, (e as Error).message);
    }
    const h = { browsed: col[`${sp}.browsed`] as Int32Array, clicked: col[`${sp}.clicked`] as Int32Array, ordered: col[`${sp}.ordered`] as Int32Array };
    for (const k of ['browsed', 'clicked', 'ordered'] as const) {
      const a = h[k];
      for (let j = 0; j < a.length; j++) {
        if (a[j] < 0 || a[j] > sz.nItems) throw new InputError(fileOf(`${sp}.${k}`), 0, `entry ${j} = ${a[j]} outside [0, ${sz.nItems}] (item index + 1)`);
      }
    }
    return { log, N: sz.N, ...h };
  };
  return { manifest, items, embeddings: col.embeddings as Float32Array, train: split('train'), test: split('test') };
}
