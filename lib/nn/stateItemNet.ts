/**
 * The LCritic-like body shared by the learned user simulator (FeedbackNet) and the DNN baseline
 * (RewardNet): an encoder over two histories gives s [batch, H] (Eq. 8), then for a recommended
 * item embedding e:
 *   hid = ReLU(s Ws + e We + b)    [rows, hidden]      (as Eq. 10, with e in place of the action)
 *   out = hid Wo + bo              [rows, D]           (the configurable head: logits / regression)
 * For C candidates per user the encoder and s Ws run once per user and only the item part runs per
 * candidate (`scoreCandidates`).
 */
import * as tf from '@tensorflow/tfjs';
import { ParamSet } from './params';
import { Encoder } from './encoder';
import { Dense } from './dense';
import { Adam, AdamState } from './adam';
import { EmbeddingTable, embedHistory } from './history';
import type { Engine, EngineName } from './engine/engine';
import { saveTensors, loadTensors, flatToNamed, namedToFlat } from './checkpoint';
import { ConfigOf, int, num, resolveConfig } from '../util/config';
import { Rng } from '../util/rng';
import { InputError, UsageError } from '../util/errors';

export const stateItemSpec = {
  E: int(50, 'item embedding dimension', { min: 1 }),
  H: int(64, 'GRU hidden size = state size', { min: 1 }),
  N: int(10, 'history length (items per history, left-padded with 0)', { min: 1 }),
  hidden: int(64, 'size of the dense hidden layer after the encoder', { min: 1 }),
  lr: num(1e-3, 'Adam learning rate', { gt: 0 }),
  adamBeta1: num(0.9, 'Adam beta1', { min: 0, lt: 1 }),
  adamBeta2: num(0.999, 'Adam beta2', { min: 0, lt: 1 }),
  adamEps: num(1e-8, 'Adam epsilon', { gt: 0 }),
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
    return this.out.apply(hid as tf.Tensor2D); // [batch*C, D]
  }

  /** Run `f` (returning a tensor) and read it back without leaking. */
  protected read(f: () => tf.Tensor): Float32Array {
    this.checkAlive();
    const t = tf.tidy(f);
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return d;
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
      { kind: this.kind, config: this.cfg, nItems: this.table.nItems, adamStep: w.adam.step },
    );
  }

  protected static loadInto<T extends StateItemNet>(dir: string, kind: string, make: (cfg: StateItemConfig) => T): T {
    const L = loadTensors(dir, `hrl-mg/${kind}`);
    const meta = L.json.userDefinedMetadata as { config: StateItemConfig; adamStep: number };
    if (!meta || !meta.config || meta.adamStep === undefined) throw new InputError(`${dir}/model.json`, 0, 'userDefinedMetadata lacks config/adamStep');
    const net = make(meta.config);
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
