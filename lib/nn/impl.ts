/**
 * Which implementation the layers use. `fast` (default): GRU sequences and Dense layers as
 * tf.customGrad ops with hand-written backward passes (backprop through time, explicit transposes,
 * bias gradients as ones-row matmuls: the fast paths of the wasm backend, see
 * shared/notes/tfjs-wasm.md). `fast = false`: plain tfjs ops + autodiff, the reference the fast
 * path is tested against (same values to ~1e-6). Switch only between networks' uses, e.g. in tests.
 */
export const nnImpl = { fast: true };
