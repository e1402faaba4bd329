/**
 * Neural networks of HRL-MG (TensorFlow.js; all weights drawn from our seeded `Rng`).
 *
 * INPUT CONVENTION (everyone uses it)
 *   table   Float32Array [nItems, E]          item embeddings, row i = item i (given at construction)
 *   history Int32Array  [batch * N]           item index + 1, 0 = padding; chronological, LEFT-padded
 *                                             (most recent item last). Padded steps are skipped by a
 *                                             masked state update, so a padded history == the shorter one.
 *   actions / goals Float32Array [K, batch, E]; rewards Float32Array [K, batch]; items Int32Array (0-based).
 *
 * DDPG CORE (lib/agents/ddpgCore.ts, exported from lib/agents, not from here) — one class for both levels:
 *   const high = new DdpgCore(table, { heads: M }, rng.fork('high'));   // (clicked, ordered)
 *   const low  = new DdpgCore(table, { heads: 1 }, rng.fork('low'));    // (browsed, clicked)
 *   new DdpgCore(table, cfg, rng, { engine: 'reference' })             // plain tfjs autodiff instead
 *   const g = high.act(clicked, ordered, batch);       // Float32Array [M, batch, E]
 *   const a = low.act(browsed, clicked, batch);        // Float32Array [1, batch, E] (proto-action)
 *   const st = low.update({ s1, s2, a, r, s1n, s2n, done });  // {criticLoss, actorLoss, qMean, deadFrac}
 *   const q = low.q(s1, s2, a);                        // online critic Q [K, batch]
 *   const w = low.getWeights(); low.setWeights(w);     // all 4 nets + Adam state (bit-identical resume)
 *   await low.save(dir); const back = await DdpgCore.load(dir, table);   // TF.js model.json + weights.bin
 *   low.dispose();
 *   Config keys and defaults: `ddpgSpec` (heads, E=50, H=64, N=10, B=1, gamma=.95, tau=.01, lrActor=1e-4,
 *   lrCritic=1e-3, adam*, qOutput='relu', qBiasInit=0.5, deadReluFix=true, actionPenalty=0; the agent
 *   config's fields, lib/agents/ddpgConfig.ts); describeSpec(ddpgSpec).
 *
 * USER SIMULATOR / DNN BASELINE (config `stateItemSpec`: E, H, N, hidden=64, lr, adam*):
 *   const sim = new FeedbackNet(table, {}, rng.fork('sim'));
 *   sim.trainStep(browsed, clicked, items, labels, [1, 5, 20]);  // labels Uint8Array 0/1/2; -> loss
 *   sim.predict(browsed, clicked, items);               // Float32Array [batch, 3] probabilities
 *   sim.scoreCandidates(browsed, clicked, cands);       // cands [batch*C] -> [batch, C, 3]
 *   const dnn = new RewardNet(table, {}, rng.fork('dnn'));
 *   dnn.trainStep(browsed, clicked, items, rewards);    // mse
 *   dnn.scoreCandidates(browsed, clicked, cands);       // [batch, C]; encoder once per user
 *   getWeights/setWeights/save/load/dispose as above.
 *
 * LOWER LEVEL (tensor API, for custom losses): `Actor`, `Critic` (K heads), `Encoder`, `Gru`, `Dense`
 * over `HistoryInput`s from `embedHistory(new EmbeddingTable(table, E), hist, batch, N)`; `ParamSet`
 * (named tensors in one flat variable, flat get/set, soft update); `Adam` (exact, serialisable state).
 * All forward methods must run inside tf.tidy (or tf.variableGrads); the class methods above already
 * do and return plain typed arrays.
 *
 * ENGINES (engine/engine.ts), chosen when a network is built (`engine` argument of Actor, Critic,
 * FeedbackNet, RewardNet, ParamSet, DdpgCore; default `defaultEngine()`), never switched globally.
 * SPEED (docs/performance.md "Update speed"): on the fast engine (the default on wasm/cpu) the
 * layers run explicit forward/backward passes built on the wasm fast paths (lib/nn/engine/): one flat variable per network (ParamSet:
 * weight blocks gathered / gradients scattered in one kernel each; Adam and soft updates over the
 * whole vector), shape-specialised WebAssembly SIMD matmuls (engine/gemm.ts; tfjs's XNNPACK matmul off
 * wasm), and custom kernels for the GRU step math (engine/kernels.ts; WebAssembly SIMD in
 * engine/simd.ts when H % 4 = 0, JS loops otherwise).
 * DdpgCore.update uses the passes directly (actorCriticPasses.ts, no autodiff tape); Encoder/Gru/
 * Dense/Actor/Critic wrap them in tf.customGrad so autodiff callers (FeedbackNet, RewardNet, custom
 * losses) get them too. The 'reference' engine is plain ops + autodiff (tested equal to ~1e-5 in
 * values and gradients, and in DdpgCore losses over several updates); it is what runs on a backend
 * without the fast kernels. ParamSet.vars is [the flat variable]: split its gradient with entries().
 *
 * Dead ReLU on Q: see qOutput.ts (default 'relu' + positive output bias + straight-through gradient
 * for a head dead on a whole minibatch; 'softplus' and 'linear' available).
 */
export { FAST, REFERENCE, ENGINE_NAMES, defaultEngine, resolveEngine } from './engine/engine';
export type { Engine, EngineName } from './engine/engine';
export { ParamSet, torchUniform } from './params';
export { describeNetwork, formatNetwork } from './describe';
export type { NetworkInfo, LayerInfo } from './describe';
export type { ParamSpec, Init, TensorEntry } from './params';
export { Adam } from './adam';
export type { AdamOptions, AdamState } from './adam';
export { EmbeddingTable, embedHistory, disposeHistory, checkHistory } from './history';
export type { HistoryInput, StepInput, SeqInput } from './history';
export { Dense } from './dense';
export type { DenseOptions } from './dense';
export { Gru } from './gru';
export { Encoder } from './encoder';
export { Actor } from './actor';
export type { ActorConfig } from './actor';
export { Critic } from './critic';
export type { CriticConfig, CriticHeads } from './critic';
export { qActivation, Q_OUTPUTS } from './qOutput';
export type { QOutput } from './qOutput';
export { StateItemNet, stateItemSpec } from './stateItemNet';
export type { StateItemConfig, StateItemWeights } from './stateItemNet';
export { FeedbackNet, N_FEEDBACK } from './feedbackNet';
export { RewardNet } from './rewardNet';
export { ExpectedRewardNet } from './expectedRewardNet';
export { saveTensors, loadTensors } from './checkpoint';
export type { NamedArray, ModelJson, LoadedTensors } from './checkpoint';
