/**
 * Which implementation the layers use. `fast` (default): explicit forward/backward passes built
 * from the wasm fast paths (custom kernels for the elementwise GRU/head math, WebAssembly SIMD
 * matmuls (gemm.ts), one flat variable per network; see kernels.ts and
 * shared/notes/tfjs-wasm.md), wrapped in tf.customGrad where autodiff callers need them.
 * `fast = false`: plain tfjs ops + autodiff, the reference the fast path is tested against (same
 * values and gradients to ~1e-5). The fast path needs the wasm or cpu backend; elsewhere the
 * reference runs. Switch only between networks' uses, e.g. in tests.
 */
import { customKernelsAvailable } from './kernels';

export const nnImpl = { fast: true };

/** Whether the fast path runs now (nnImpl.fast and a backend with the custom kernels). */
export function fastEnabled(): boolean {
  return nnImpl.fast && customKernelsAvailable();
}
