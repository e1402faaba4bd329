/**
 * The workload of one Algorithm-2 update as update.ts and profile.ts time it, set up like the PyTorch
 * peer (../shared/bench/peer_torch.py beside the repository): E = 50, N = 10, H = 64, M = 2 goals, a 10,000-item table,
 * full random histories, actions U(-1, 1), rewards U(0, 1).
 */
import type { DdpgBatch } from '../lib/agents/ddpgCore';
import type { Rng } from '../lib/util/rng';

export const E = 50, N = 10, H = 64, M = 2, ITEMS = 10_000;

/** Random full histories [batch * N] (item index + 1, no padding). */
export function randomHistories(rng: Rng, batch: number): Int32Array {
  const h = new Int32Array(batch * N);
  for (let i = 0; i < h.length; i++) h[i] = 1 + rng.int(ITEMS);
  return h;
}

/** A random minibatch for a level with K heads. */
export function randomMinibatch(rng: Rng, K: number, batch: number): DdpgBatch {
  const hist = () => randomHistories(rng, batch);
  return {
    s1: hist(), s2: hist(), s1n: hist(), s2n: hist(),
    a: rng.fillUniform(new Float32Array(K * batch * E), -1, 1),
    r: rng.fillUniform(new Float32Array(K * batch), 0, 1),
  };
}
