/**
 * hrl-mg-kit: public API.
 *
 * Notebooks (tslab) import the compiled package: `import * as kit from '../dist/lib/index';`
 * (run `npm run build` first). Areas are namespaced to keep names unambiguous:
 *   kit.world      the default synthetic JD-like world (generator, true user model, logging policy)
 *   kit.adapters   real-log adapters (Taobao, JD JData, RetailRocket, YOOCHOOSE)
 *   kit.prepare    data preparation (filter, split, histories) and kit.dataset save/load
 *   kit.embeddings PPMI + truncated SVD item embeddings
 *   kit.nn         networks (GRU encoders, actors, critics, simulator net, DNN regressor)
 *   kit.sim        learned user simulator, fidelity report, item recall, batched environment
 *   kit.agents     HRL-MG, HRL, DDPG, DNN agents; Algorithm 2 trainer; mapping (Algorithm 1)
 *   kit.evaluation online (Algorithm 3) and offline (Algorithm 4) tests, metrics
 */
export * from './backend';
export { Rng, hashString } from './util/rng';
export type { RngState } from './util/rng';
export * from './util/errors';
export * as config from './util/config';
export { Progress } from './util/progress';
export { runMeta } from './util/versions';
export * from './data/schema';
export * as world from './data/world/index';
export * as adapters from './data/adapters/index';
export * as prepare from './data/prepare/index';
export * as dataset from './data/dataset';
export * as embeddings from './data/embeddings/index';
export * as nn from './nn/index';
export * as sim from './sim/index';
export * as agents from './agents/index';
export * as evaluation from './eval/index';
export * as plots from './plots/index';
export * as experiments from './experiments/index';
export * as stream from './data/stream/index';
export * as reliability from './reliability/index';
