/**
 * The dataset folder layout of lib/data/dataset.ts (manifest.json + one raw little-endian file per
 * column, file order = the manifest's file list order), written column by column through
 * ColumnWriters into a folder (the temporary folder of writeDirAtomic).
 *
 * The column list mirrors dataset.ts `columnSpecs` (not exported there); test/streamingPrepare.test.ts
 * checks that both produce the same files and manifest entries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../util/errors';
import { DatasetManifest, ManifestFile } from '../prepare/preparedDataset';
import { ColumnArray, ColumnWriter } from './columnWriter';

type DType = ManifestFile['dtype'];

const DTYPES: Record<DType, { ext: string; ctor: new (n: number) => ColumnArray }> = {
  float64: { ext: 'f64', ctor: Float64Array },
  float32: { ext: 'f32', ctor: Float32Array },
  int32: { ext: 'i32', ctor: Int32Array },
  uint8: { ext: 'u8', ctor: Uint8Array },
};

const EXTRA_NAME = /^[A-Za-z0-9_-]+$/;

export const SPLIT_NAMES = ['train', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** Per-split column names (without the `train.` / `test.` prefix) and their dtypes, in file order. */
export const SPLIT_COLUMNS = [
  ['user', 'int32'],
  ['session', 'int32'],
  ['item', 'int32'],
  ['feedback', 'uint8'],
  ['ts', 'float64'],
  ['sessionStart', 'int32'],
  ['sessionUser', 'int32'],
  ['sessionDay', 'int32'],
  ['browsed', 'int32'],
  ['clicked', 'int32'],
  ['ordered', 'int32'],
] as const satisfies readonly (readonly [string, DType])[];

export type SplitColumn = (typeof SPLIT_COLUMNS)[number][0];

/** Column names and dtypes of a dataset with these item attributes, in file order. */
export function datasetColumns(itemExtra: string[]): { name: string; dtype: DType }[] {
  for (const k of itemExtra) if (!EXTRA_NAME.test(k)) throw new UsageError(`saveDataset: item attribute name "${k}" must match ${EXTRA_NAME}`);
  return [
    { name: 'items.rawId', dtype: 'float64' },
    { name: 'items.category', dtype: 'int32' },
    { name: 'items.price', dtype: 'float32' },
    ...itemExtra.map((k) => ({ name: `items.extra.${k}`, dtype: 'float32' as const })),
    { name: 'users.rawId', dtype: 'float64' },
    { name: 'embeddings', dtype: 'float32' },
    ...SPLIT_NAMES.flatMap((sp) => SPLIT_COLUMNS.map(([c, dtype]) => ({ name: `${sp}.${c}`, dtype }))),
  ];
}

/** The shape of each column once the sizes are known (as dataset.ts defines them). */
function shapeOf(name: string, sz: DatasetManifest['sizes']): number[] {
  const [head, col] = name.split('.');
  if (head === 'items') return [sz.nItems];
  if (head === 'users') return [sz.nUsers];
  if (head === 'embeddings') return [sz.nItems, sz.embeddingDim];
  const { rows, sessions } = sz[head as SplitName];
  if (col === 'sessionStart') return [sessions + 1];
  if (col === 'sessionUser' || col === 'sessionDay') return [sessions];
  if (col === 'browsed' || col === 'clicked' || col === 'ordered') return [rows, sz.N];
  return [rows];
}

/** Writers for every column of a dataset folder; `finish` checks the sizes and writes manifest.json. */
export class DatasetWriter {
  private readonly writers = new Map<string, ColumnWriter>();
  private readonly order: { name: string; dtype: DType }[];

  constructor(
    readonly dir: string,
    itemExtra: string[],
  ) {
    this.order = datasetColumns(itemExtra);
    try {
      for (const c of this.order) this.writers.set(c.name, new ColumnWriter(path.join(dir, `${c.name}.${DTYPES[c.dtype].ext}`), DTYPES[c.dtype].ctor));
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Append elements to column `name` (e.g. 'train.browsed', 'items.price'). */
  append(name: string, a: ColumnArray): void {
    const w = this.writers.get(name);
    if (!w) throw new Error(`DatasetWriter: no column ${name}`);
    w.append(a);
  }

  /**
   * Close every column, check each holds exactly what `manifest.sizes` implies, and write
   * manifest.json with the file list. Returns the manifest as written.
   */
  finish(manifest: DatasetManifest): DatasetManifest {
    const files: ManifestFile[] = [];
    for (const c of this.order) {
      const w = this.writers.get(c.name)!;
      const shape = shapeOf(c.name, manifest.sizes);
      const n = shape.reduce((a, b) => a * b, 1);
      if (w.length !== n) throw new Error(`streaming preparation: column ${c.name} got ${w.length} values, its shape [${shape}] needs ${n} (a bug)`);
      const sha256 = w.finish();
      files.push({ name: c.name, file: path.basename(w.file), dtype: c.dtype, shape, bytes: w.bytes, sha256 });
    }
    const written: DatasetManifest = { ...manifest, files };
    const fd = fs.openSync(path.join(this.dir, 'manifest.json'), 'w');
    try {
      fs.writeSync(fd, JSON.stringify(written, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return written;
  }

  /** Close every open file (after a failure). Never throws. */
  abort(): void {
    for (const w of this.writers.values()) w.abort();
  }
}
