/**
 * The LCritic-like body shared by the learned user simulator (FeedbackNet) and the DNN baseline
 * (RewardNet): an encoder over two histories gives s [batch, H] (Eq. 8), then for a recommended
 * item embedding e:
 *   hid = ReLU(s Ws + e We + b)    [rows, hidden]      (as Eq. 10, with e in place of the action)
 *   out = hid Wo + bo              [rows, D]           (the configurable head: logits / regression)
 * For C candidates per user the encoder and s Ws run once per user and only the item part runs per
 * candidate (`scoreCandidates`).
 *
 * body 'interact' (docs/deviations.md): the same encoder and layers, plus a per-user item head
 * that makes the item interact with each history position and with the state directly:
 *   out += [e | e P] Q_b,   Q_b = [ H~_b^T Dr + mat(s Qe) ; (H~_b P)^T G + mat(s Qp) ]   [E+K, D]
 * i.e. out_d += sum_j (e . h~_j) Dr_jd + sum_j (e P . h~_j P) G_jd + e^T Qe_d(s) + (e P)^T Qp_d(s):
 * item-history dot products (raw and in a learned K-dim metric P), one weight per history
 * position (browsed then clicked, 2N positions; padding = 0), and a state-item bilinear term.
 * h~_j = h_j / mean_i ||e_i||^2 (a constant of the table), so the raw dot products are cosine-like
 * whatever the table's scale. Dr, G, Qe, Qp start at 0: the body starts as the paper body.
 * Linear in e, the head folds into one matrix per user, Q_b = Qe_b + P Qp_b [E, D]; cost per
 * candidate: one [E] x [E, D] product (D = 1 or 3), small beside the hidden layer.
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet, torchUniform } from './params';
import { Encoder } from './encoder';
import { Dense } from './dense';
import { Adam, AdamState } from './adam';
import { EmbeddingTable, embedHistory } from './history';
import type { Engine, EngineName } from './engine/engine';
import { saveTensors, loadTensors, flatToNamed, namedToFlat } from './checkpoint';
import { ConfigOf, int, num, oneOf, resolveConfig } from '../util/config';
import { Rng } from '../util/rng';
import { InputError, UsageError } from '../util/errors';

export const STATE_ITEM_BODIES = ['paper', 'interact'] as const;
export type StateItemBody = (typeof STATE_ITEM_BODIES)[number];

export const stateItemSpec = {
  E: int(50, 'item embedding dimension', { min: 1 }),
  H: int(64, 'GRU hidden size = state size', { min: 1 }),
  N: int(10, 'history length (items per history, left-padded with 0)', { min: 1 }),
  hidden: int(64, 'size of the dense hidden layer after the encoder', { min: 1 }),
  lr: num(1e-3, 'Adam learning rate', { gt: 0 }),
  adamBeta1: num(0.9, 'Adam beta1', { min: 0, lt: 1 }),
  adamBeta2: num(0.999, 'Adam beta2', { min: 0, lt: 1 }),
  adamEps: num(1e-8, 'Adam epsilon', { gt: 0 }),
  body: oneOf<StateItemBody>('paper', STATE_ITEM_BODIES, "state x item layer: 'paper' = ReLU(s Ws + e We + b) (additive, as LCritic Eq. 10); 'interact' adds a per-user item head: item-history dot products and a state-item bilinear term (see the module comment)"),
  rank: int(16, "body 'interact': size K of the learned item metric P [E, K]", { min: 1 }),
};
export type StateItemConfig = ConfigOf<typeof stateItemSpec>;

export interface StateItemWeights {
  net: Float32Array;
  adam: AdamState;
}

export abstract class StateItemNet {
  readonly cfg: StateItemConfig;
  readonly table: EmbeddingTable;
  readonly params: ParamSet;
  readonly enc: Encoder;
  readonly ws: Dense;
  readonly we: Dense;
  readonly out: Dense;
  readonly opt: Adam;
  /** body 'interact': 1 / mean squared norm of the table's rows (history rows are scaled by it). */
  private histScale = 1;
  /** Inside read() (no gradient): the interact head may run in JS. */
  private reading = false;
  private disposed = false;

  protected constructor(
    readonly kind: string,
    readonly outDim: number,
    table: Float32Array,
    config: Partial<StateItemConfig>,
    rng: Rng,
    engine?: Engine | EngineName,
  ) {
    this.cfg = resolveConfig(kind, stateItemSpec, config);
    const c = this.cfg;
    this.table = new EmbeddingTable(table, c.E);
    this.params = new ParamSet(true, engine);
    this.enc = new Encoder(this.params, 'enc', c.E, c.H, rng);
    this.ws = new Dense(this.params, 'ws', c.H, c.hidden, rng, { bias: false });
    this.we = new Dense(this.params, 'we', c.E, c.hidden, rng);
    this.out = new Dense(this.params, 'out', c.hidden, outDim, rng);
    if (c.body === 'interact') {
      // after the paper tensors: a paper body keeps its layout and its initial weights
      const K = c.rank, D = outDim;
      const zero = { kind: 'const', value: 0 } as const;
      this.params.add('ix/P', [c.E, K], torchUniform(c.E), rng);
      this.params.add('ix/Dr', [2 * c.N, D], zero, rng);
      this.params.add('ix/G', [2 * c.N, D], zero, rng);
      this.params.add('ix/Qe', [c.H, c.E * D], zero, rng);
      this.params.add('ix/Qp', [c.H, K * D], zero, rng);
      let ss = 0;
      for (let j = 0; j < table.length; j++) ss += table[j] * table[j];
      this.histScale = ss > 0 ? this.table.nItems / ss : 1;
    }
    this.params.seal();
    this.opt = new Adam(this.params, { lr: c.lr, beta1: c.adamBeta1, beta2: c.adamBeta2, eps: c.adamEps });
  }

  protected batchOf(hist1: Int32Array, what: string): number {
    if (!(hist1 instanceof Int32Array)) throw new UsageError(`${what}: expected an Int32Array [batch * N]`);
    const batch = hist1.length / this.cfg.N;
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`${what}: length ${hist1.length} is not a positive multiple of N=${this.cfg.N}`);
    return batch;
  }

  /** Candidates per user of an item array [batch * C]. */
  protected perUser(items: Int32Array, batch: number, what: string): number {
    if (!(items instanceof Int32Array)) throw new UsageError(`${what}: expected an Int32Array of item indices`);
    const C = items.length / batch;
    if (!Number.isInteger(C) || C < 1) throw new UsageError(`${what}: length ${items.length} is not a positive multiple of batch ${batch}`);
    return C;
  }

  /**
   * Output rows [batch * C, D] for C items per user (items: item indices [batch * C], row-major by
   * user). Call inside tf.tidy / a gradient function.
   */
  protected forward(hist1: Int32Array, hist2: Int32Array, items: Int32Array, batch: number, C: number): tf.Tensor2D {
    const c = this.cfg;
    const x1 = embedHistory(this.table, hist1, batch, c.N, `${this.kind}.hist1`, this.params.engine);
    const x2 = embedHistory(this.table, hist2, batch, c.N, `${this.kind}.hist2`, this.params.engine);
    const e = tf.tensor2d(this.table.rows(items, `${this.kind}.items`), [batch * C, c.E]); // [batch*C, E]
    const s = this.enc.apply(x1, x2); // [batch, H]
    const sp = this.ws.apply(s); // [batch, hidden], once per user
    const ep = this.we.apply(e); // [batch*C, hidden]
    const hid =
      C === 1
        ? tf.relu(tf.add(ep, sp))
        : tf.reshape(tf.relu(tf.add(tf.reshape(ep, [batch, C, c.hidden]), tf.expandDims(sp, 1))), [batch * C, c.hidden]);
    const out = this.out.apply(hid as tf.Tensor2D); // [batch*C, D]
    return c.body === 'interact' ? (tf.add(out, this.interactTerm(hist1, hist2, items, s, e, batch, C)) as tf.Tensor2D) : out;
  }

  /**
   * body 'interact': the per-user item head [batch*C, D] (module comment). s [batch, H],
   * e [batch*C, E]. Plain tfjs ops (autodiff).
   */
  private interactTerm(hist1: Int32Array, hist2: Int32Array, items: Int32Array, s: tf.Tensor2D, e: tf.Tensor2D, batch: number, C: number): tf.Tensor2D {
    const c = this.cfg;
    const E = c.E, N2 = 2 * c.N, K = c.rank, D = this.outDim;
    const v = (name: string) => this.params.refView(name) as tf.Tensor2D;
    const Hh = tf.tensor3d(this.historyRows(hist1, hist2, batch), [batch, N2, E]); // [batch, 2N, E], scaled
    const HrT = tf.reshape(tf.transpose(Hh, [0, 2, 1]), [batch * E, N2]); // [batch*E, 2N]
    const Qe = tf.add(tf.reshape(tf.matMul(HrT, v('ix/Dr')), [batch, E, D]), tf.reshape(tf.matMul(s, v('ix/Qe')), [batch, E, D])); // [batch, E, D]
    const HP = tf.reshape(tf.matMul(tf.reshape(Hh, [batch * N2, E]), v('ix/P')), [batch, N2, K]); // [batch, 2N, K]
    const HPT = tf.reshape(tf.transpose(HP, [0, 2, 1]), [batch * K, N2]); // [batch*K, 2N]
    const Qp = tf.add(tf.reshape(tf.matMul(HPT, v('ix/G')), [batch, K, D]), tf.reshape(tf.matMul(s, v('ix/Qp')), [batch, K, D])); // [batch, K, D]
    // linear in e: [e | e P] [Qe ; Qp] = e (Qe + P Qp), one [E, D] matrix per user
    const PQp = tf.transpose(tf.reshape(tf.matMul(v('ix/P'), tf.reshape(tf.transpose(Qp, [1, 0, 2]), [K, batch * D])), [E, batch, D]), [1, 0, 2]); // [batch, E, D]
    const Q = tf.add(Qe, PQp); // [batch, E, D]
    if (this.reading && C > 1) return tf.tensor2d(this.headScores(Q.dataSync() as Float32Array, items, batch, C), [batch * C, D]);
    return tf.reshape(tf.matMul(tf.reshape(e, [batch, C, E]), Q), [batch * C, D]) as tf.Tensor2D;
  }

  /**
   * e_i Q_b for every candidate, in JS (no gradient: read() only): the batched [C, E] x [E, D]
   * products are slow on the tfjs backends, a plain loop over the table rows is not.
   */
  private headScores(Q: Float32Array, items: Int32Array, batch: number, C: number): Float32Array {
    const E = this.cfg.E, D = this.outDim;
    const t = this.table.data;
    const out = new Float32Array(batch * C * D);
    for (let b = 0; b < batch; b++) {
      const q = b * E * D;
      for (let k = 0; k < C; k++) {
        const r = b * C + k;
        const o = items[r] * E;
        for (let d = 0; d < D; d++) {
          let acc = 0;
          for (let j = 0; j < E; j++) acc += t[o + j] * Q[q + j * D + d];
          out[r * D + d] = acc;
        }
      }
    }
    return out;
  }

  /** Embeddings of both histories' positions, [batch, 2N, E] flat (browsed then clicked; padding = 0). */
  private historyRows(hist1: Int32Array, hist2: Int32Array, batch: number): Float32Array {
    const N = this.cfg.N, E = this.cfg.E;
    const data = this.table.data;
    const out = new Float32Array(batch * 2 * N * E);
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < 2; h++) {
        const src = h === 0 ? hist1 : hist2;
        for (let j = 0; j < N; j++) {
          const it = src[b * N + j] - 1; // index + 1, 0 = padding
          if (it < 0) continue;
          if (it >= this.table.nItems) throw new UsageError(`${this.kind}.hist${h + 1}[${b * N + j}] = ${it + 1}: item index outside [1, ${this.table.nItems}]`);
          const o = ((b * 2 + h) * N + j) * E;
          for (let k = 0; k < E; k++) out[o + k] = data[it * E + k] * this.histScale;
        }
      }
    }
    return out;
  }

  /** Run `f` (returning a tensor) and read it back without leaking. */
  protected read(f: () => tf.Tensor): Float32Array {
    this.checkAlive();
    this.reading = true;
    try {
      const t = tf.tidy(f);
      const d = t.dataSync() as Float32Array;
      t.dispose();
      return d;
    } finally {
      this.reading = false;
    }
  }

  /** One Adam step on `lossFn`; returns the loss before the step. */
  protected step(lossFn: () => tf.Scalar): number {
    this.checkAlive();
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossFn, this.params.vars);
      this.opt.apply(this.params.vars.map((v) => grads[v.name]));
      return value;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  }

  getWeights(): StateItemWeights {
    this.checkAlive();
    return { net: this.params.getFlat(), adam: this.opt.getState() };
  }

  setWeights(w: StateItemWeights): void {
    this.checkAlive();
    this.params.setFlat(w.net, `${this.kind}.weights.net`);
    this.opt.setState(w.adam, `${this.kind}.weights.adam`);
  }

  /** Save config, weights and Adam state to folder `dir` (TF.js layout), atomically. */
  async save(dir: string): Promise<void> {
    const w = this.getWeights();
    const P = this.params.entries();
    await saveTensors(
      dir,
      `hrl-mg/${this.kind}`,
      [...flatToNamed('net', P, w.net), ...flatToNamed('adam/m', P, w.adam.m), ...flatToNamed('adam/v', P, w.adam.v)],
      { kind: this.kind, config: recordedConfig(this.cfg), nItems: this.table.nItems, adamStep: w.adam.step, ...this.extraMeta() },
    );
  }

  /** Extra fields of model.json's metadata (a subclass's own state besides the weights). */
  protected extraMeta(): Record<string, unknown> {
    return {};
  }

  protected static loadInto<T extends StateItemNet>(dir: string, kind: string, make: (cfg: StateItemConfig, meta: Record<string, unknown>) => T): T {
    const L = loadTensors(dir, `hrl-mg/${kind}`);
    const meta = L.json.userDefinedMetadata as { config: StateItemConfig; adamStep: number };
    if (!meta || !meta.config || meta.adamStep === undefined) throw new InputError(`${dir}/model.json`, 0, 'userDefinedMetadata lacks config/adamStep');
    const net = make(meta.config, meta as unknown as Record<string, unknown>);
    const P = net.params.entries();
    const n = net.params.size;
    net.setWeights({
      net: namedToFlat(dir, L, 'net', P, n),
      adam: { step: meta.adamStep, m: namedToFlat(dir, L, 'adam/m', P, n), v: namedToFlat(dir, L, 'adam/v', P, n) },
    });
    return net;
  }

  protected checkAlive(): void {
    if (this.disposed) throw new UsageError(`${this.kind}: used after dispose()`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.params.dispose();
    this.opt.dispose();
  }
}

/**
 * The config as model.json records it: a paper body leaves out `body` and `rank` (absent = paper),
 * so paper networks save the same bytes as before the option existed and old files keep loading.
 */
export function recordedConfig(cfg: StateItemConfig): Partial<StateItemConfig> {
  if (cfg.body !== 'paper') return cfg;
  const { body: _b, rank: _r, ...rest } = cfg;
  return rest;
}
