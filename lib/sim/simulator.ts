/**
 * The learned user simulator (paper section 4.1): a FeedbackNet (LCritic-like network ending in a
 * softmax over skip / click / order) with the item embedding table it reads and its config.
 *
 * The network is trained with class-weighted cross-entropy (orders are ~0.5% of impressions), so its
 * raw output estimates p_w(c|x) ∝ w_c p(c|x). `predict` undoes the weighting (prior correction:
 * p(c|x) ∝ p_w(c|x) / w_c, times a per-class factor a_c fitted after training so that the mean
 * predicted class shares on the held-out sessions match the training day's shares) unless
 * config.calibrate is false, so the environment samples feedback at the logged rates; `predictRaw` gives the network's own output, whose argmax is the
 * cost-sensitive decision the fidelity report also shows.
 *
 * Folder layout (`save`, written atomically): model.json + weights.bin (FeedbackNet's TF.js
 * format), simulator.json (config, class weights, training summary, dataset reference),
 * embeddings.bin (the item table, float32 little-endian [nItems, E]).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FeedbackNet } from '../nn/feedbackNet';
import { writeDirAtomic } from '../util/atomic';
import { InputError, UsageError } from '../util/errors';
import { SimulatorConfig, recordedSimulatorConfig, resolveSimulatorConfig } from './simulatorConfig';
import type { SimDataset } from './types';

export const SIMULATOR_FORMAT = 'hrlmg-simulator';
export const SIMULATOR_FORMAT_VERSION = 1;

/** What the simulator was fitted on (enough to recognise the dataset). */
export interface DatasetRef {
  source: string;
  createdAt: string | null;
  nItems: number;
  nUsers: number;
  N: number;
  E: number;
  trainRows: number;
  /** sha256 of the dataset's embeddings file when the dataset had been saved. */
  embeddingsSha256: string | null;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Calibrated log-loss on the held-out sessions (NaN without validation). */
  valLogLoss: number;
  /** Validation AUC of P(click or order) (click-or-order vs skip) and of P(order) (order vs rest). */
  valAucClick: number;
  valAucOrder: number;
  seconds: number;
}

export interface TrainingSummary {
  rows: number;
  valRows: number;
  classCounts: number[];
  classWeights: number[];
  /** Factor the dataset embeddings were multiplied by in the network's item table. */
  embeddingScale: number;
  /** Dataset embedding columns used (the leading ones; E minus any dropped outcome dimensions). */
  embeddingColumns: number;
  /** Set when the dataset's embeddings leak training outcomes that could not be left out. */
  leakage: string | null;
  epochs: EpochRecord[];
  bestEpoch: number;
  /** Output calibration factors fitted on the validation sessions, and the log-loss after them. */
  classAdjust: number[];
  valLogLossAdjusted: number;
  steps: number;
  seconds: number;
  backend: string;
}

export interface SimulatorMeta {
  format: typeof SIMULATOR_FORMAT;
  formatVersion: number;
  config: Partial<SimulatorConfig>;
  classWeights: number[];
  /** Per-class factors a_c of the output calibration ([1, 1, 1] = prior correction only). */
  classAdjust: number[];
  training: TrainingSummary | null;
  dataset: DatasetRef;
  /** The network's item table: the dataset's E embedding columns, then `features` columns. */
  embeddings: { file: string; shape: [number, number]; features: string[] };
  savedAt: string;
}

export class Simulator {
  constructor(
    readonly net: FeedbackNet,
    /** The network's item table [nItems*(E+features)] (dataset embeddings + item features). */
    readonly embeddings: Float32Array,
    readonly config: SimulatorConfig,
    /** Weights the network was trained with (skip, click, order); [1,1,1] = unweighted. */
    readonly classWeights: number[],
    readonly dataset: DatasetRef,
    public training: TrainingSummary | null = null,
    /** Names of the feature columns appended to the dataset embeddings in the item table. */
    readonly features: string[] = [],
    /** Per-class calibration factors a_c (see the module comment). */
    public classAdjust: number[] = [1, 1, 1],
  ) {
    if (classWeights.length !== 3 || !classWeights.every((w) => w > 0)) throw new UsageError(`Simulator: classWeights must be 3 positive numbers, got [${classWeights}]`);
  }

  get nItems(): number {
    return this.net.table.nItems;
  }

  get N(): number {
    return this.net.cfg.N;
  }

  /** The network's output: class-weighted probabilities [B*3]. */
  predictRaw(browsed: Int32Array, clicked: Int32Array, items: Int32Array): Float32Array {
    return this.net.predict(browsed, clicked, items);
  }

  /** P(skip, click, order) [B*3] for items[b] in the low-level state (browsed, clicked) row b. */
  predict(browsed: Int32Array, clicked: Int32Array, items: Int32Array): Float32Array {
    const p = this.net.predict(browsed, clicked, items);
    if (this.config.calibrate) priorCorrect(p, this.divisors());
    return p;
  }

  /** Divisors of the calibrated output: w_c / a_c. */
  private divisors(): number[] {
    return [0, 1, 2].map((c) => this.classWeights[c] / this.classAdjust[c]);
  }

  /** Predict in chunks of `chunk` rows (bounded memory for whole splits). */
  predictMany(browsed: Int32Array, clicked: Int32Array, items: Int32Array, chunk = 2048, raw = false): Float32Array {
    const N = this.N;
    const n = items.length;
    const out = new Float32Array(n * 3);
    for (let a = 0; a < n; a += chunk) {
      const b = Math.min(n, a + chunk);
      const f = raw ? this.predictRaw.bind(this) : this.predict.bind(this);
      out.set(f(browsed.subarray(a * N, b * N), clicked.subarray(a * N, b * N), items.subarray(a, b)), a * 3);
    }
    return out;
  }

  /** Throw a UsageError if `ds` does not match the simulator (catalogue size, N, embedding size). */
  checkDataset(ds: SimDataset): void {
    const E = this.dataset.E;
    if (ds.items.n !== this.nItems) throw new UsageError(`simulator was fitted on ${this.nItems} items, the dataset has ${ds.items.n}`);
    if (ds.embeddings.length !== this.nItems * E) throw new UsageError(`simulator expects embeddings [${this.nItems}, ${E}], the dataset has ${ds.embeddings.length} values`);
    const rows = ds.train.log.item.length;
    if (rows && ds.train.browsed.length !== rows * this.N) throw new UsageError(`simulator expects histories of N = ${this.N}`);
  }

  meta(): SimulatorMeta {
    return {
      format: SIMULATOR_FORMAT,
      formatVersion: SIMULATOR_FORMAT_VERSION,
      config: recordedSimulatorConfig(this.config),
      classWeights: this.classWeights,
      classAdjust: this.classAdjust,
      training: this.training,
      dataset: this.dataset,
      embeddings: { file: 'embeddings.bin', shape: [this.nItems, this.net.cfg.E], features: this.features },
      savedAt: new Date().toISOString(),
    };
  }

  /** Write the simulator folder `dir` atomically (see the module comment). */
  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, async (tmp) => {
      await this.net.save(tmp); // model.json + weights.bin (replaces tmp's contents atomically)
      const emb = this.embeddings;
      fs.writeFileSync(path.join(tmp, 'embeddings.bin'), new Uint8Array(emb.buffer, emb.byteOffset, emb.byteLength));
      fs.writeFileSync(path.join(tmp, 'simulator.json'), JSON.stringify(this.meta(), null, 2) + '\n');
      for (const f of ['embeddings.bin', 'simulator.json']) {
        const fd = fs.openSync(path.join(tmp, f), 'r');
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      }
    });
  }

  static async load(dir: string): Promise<Simulator> {
    const jf = path.join(dir, 'simulator.json');
    if (!fs.existsSync(jf)) throw new InputError(jf, 0, 'not found (not a simulator folder?)');
    let meta: SimulatorMeta;
    try {
      meta = JSON.parse(fs.readFileSync(jf, 'utf8')) as SimulatorMeta;
    } catch (e) {
      throw new InputError(jf, 0, `not valid JSON (${(e as Error).message})`);
    }
    if (meta.format !== SIMULATOR_FORMAT) throw new InputError(jf, 0, `format is '${meta.format}', expected '${SIMULATOR_FORMAT}'`);
    if (meta.formatVersion !== SIMULATOR_FORMAT_VERSION) throw new InputError(jf, 0, `formatVersion ${meta.formatVersion} is not supported (expected ${SIMULATOR_FORMAT_VERSION})`);
    let config: SimulatorConfig;
    try {
      config = resolveSimulatorConfig(meta.config); // no body = the paper body (simulators saved before the option)
    } catch (e) {
      throw new InputError(jf, 0, `config: ${(e as Error).message}`);
    }
    const [n, E] = meta.embeddings?.shape ?? [0, 0];
    const bf = path.join(dir, meta.embeddings?.file ?? 'embeddings.bin');
    if (!fs.existsSync(bf)) throw new InputError(bf, 0, 'not found');
    const buf = fs.readFileSync(bf);
    if (!(n > 0 && E > 0) || buf.length !== n * E * 4) throw new InputError(bf, 0, `has ${buf.length} bytes, simulator.json says [${n}, ${E}] float32 = ${n * E * 4}`);
    const emb = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    const net = await FeedbackNet.load(dir, emb);
    if (net.cfg.E !== E || net.table.nItems !== n) throw new InputError(path.join(dir, 'model.json'), 0, `network config (E=${net.cfg.E}) does not match embeddings [${n}, ${E}]`);
    if (net.cfg.body !== config.body) {
      net.dispose();
      throw new InputError(path.join(dir, 'model.json'), 0, `network body '${net.cfg.body}' differs from simulator.json's body '${config.body}'`);
    }
    const adj = meta.classAdjust ?? [1, 1, 1];
    if (!Array.isArray(adj) || adj.length !== 3 || !adj.every((x) => typeof x === 'number' && x > 0)) throw new InputError(jf, 0, `classAdjust must be 3 positive numbers, got ${JSON.stringify(adj)}`);
    return new Simulator(net, emb, config, meta.classWeights, meta.dataset, meta.training, meta.embeddings.features ?? [], adj);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** In place: p[b, c] <- (p[b, c] / w_c) / sum_k (p[b, k] / w_k). */
export function priorCorrect(p: Float32Array, w: ArrayLike<number>): Float32Array {
  const i0 = 1 / w[0];
  const i1 = 1 / w[1];
  const i2 = 1 / w[2];
  for (let r = 0; r < p.length; r += 3) {
    const a = p[r] * i0;
    const b = p[r + 1] * i1;
    const c = p[r + 2] * i2;
    const s = a + b + c;
    p[r] = a / s;
    p[r + 1] = b / s;
    p[r + 2] = c / s;
  }
  return p;
}

/**
 * Per-class factors a so that the mean of normalise(p_c * a_c) over the rows of `probs` [n*3]
 * equals `target` (class shares), by iterative proportional fitting (converges in a few rounds).
 */
export function fitClassAdjust(probs: Float32Array, target: number[], rounds = 50): number[] {
  const a = [1, 1, 1];
  const n = probs.length / 3;
  if (n === 0 || target.some((t) => !(t > 0))) return a;
  for (let it = 0; it < rounds; it++) {
    const mean = [0, 0, 0];
    for (let r = 0; r < n; r++) {
      const x = probs[r * 3] * a[0];
      const y = probs[r * 3 + 1] * a[1];
      const z = probs[r * 3 + 2] * a[2];
      const s = x + y + z;
      mean[0] += x / s;
      mean[1] += y / s;
      mean[2] += z / s;
    }
    let worst = 0;
    for (let c = 0; c < 3; c++) {
      mean[c] /= n;
      worst = Math.max(worst, Math.abs(mean[c] / target[c] - 1));
      a[c] *= target[c] / mean[c];
    }
    const k = a[0];
    for (let c = 0; c < 3; c++) a[c] /= k; // skip factor 1
    if (worst < 1e-4) break;
  }
  return a;
}
