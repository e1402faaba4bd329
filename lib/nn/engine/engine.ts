/**
 * Which implementation a network runs on, chosen once when the network is built.
 *
 *   'fast'      explicit forward/backward passes built from the wasm fast paths of this folder:
 *               custom kernels for the elementwise GRU/head math (kernels.ts, simd.ts), shape-
 *               specialised WebAssembly SIMD matmuls (gemm.ts), one flat variable per network;
 *               wrapped in tf.customGrad where autodiff callers need them. Needs the wasm or cpu
 *               backend (docs/performance.md "Update speed").
 *   'reference' plain tfjs ops + autodiff: what the fast engine is tested against (same values and
 *               gradients to ~1e-5), and what runs on any other backend.
 *
 * A network (ParamSet) keeps its engine for life: the engine is a construction argument of
 * Actor, Critic, StateItemNet (FeedbackNet, RewardNet) and DdpgCore, not a global switch. Build
 * networks after the backend is set (lib/backend.ts initBackend): `defaultEngine()` asks it.
 */
import { customKernelsAvailable } from './kernels';

export type EngineName = 'fast' | 'reference';
export const ENGINE_NAMES: readonly EngineName[] = ['fast', 'reference'];

export interface Engine {
  readonly name: EngineName;
  /** True for the fast engine: layers run their explicit passes. */
  readonly fast: boolean;
}

export const FAST: Engine = Object.freeze({ name: 'fast', fast: true });
export const REFERENCE: Engine = Object.freeze({ name: 'reference', fast: false });

/** The fast engine when the backend has its custom kernels (wasm, cpu), else the reference. */
export function defaultEngine(): Engine {
  return customKernelsAvailable() ? FAST : REFERENCE;
}

/**
 * The engine a network is built with: `undefined` = `defaultEngine()`; 'fast' falls back to the
 * reference on a backend without the custom kernels (as the kit always did).
 */
export function resolveEngine(e?: Engine | EngineName): Engine {
  if (e === undefined) return defaultEngine();
  const name = typeof e === 'string' ? e : e.name;
  if (name === 'reference') return REFERENCE;
  if (name === 'fast') return defaultEngine();
  throw new Error(`engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
}
