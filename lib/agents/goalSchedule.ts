/**
 * Which goal guides which step (Section 2.3.3, Eq. (12); Algorithm 2 lines 9-13).
 *
 * The high-level agent emits M goals whenever t ≡ 0 (mod c). The period of c steps is cut into M
 * blocks of L = floor(c/M) steps; goal j guides block j.
 *
 * Indexing: the paper numbers goals 1..M; the code numbers them 0..M-1. Step positions inside a
 * period are 0-based too (p = t mod c), so goal j (0-based) guides positions [j*L, (j+1)*L).
 * This matches Eq. (12) (1-based t: L(j-1) < t <= Lj) and Eq. (14) (offsets L(i-1) .. Li-1).
 *
 * Leftover steps: when M does not divide c, the last c - M*L positions of a period fall outside
 * every block of Eq. (12). We let the LAST goal (index M-1) keep guiding them, i.e. the last block
 * is stretched to length L + (c mod M). benefit.ts assigns their rewards to the same goal, so the
 * internal reward and the benefit assignment always agree on which goal owns a step.
 */
import { UsageError } from '../util/errors';

/**
 * Problem with (c, M), or null when fine. Usable inside a config `cross` check:
 *   resolveConfig('agent', spec, o, (cfg) => goalScheduleProblem(cfg.c, cfg.M))
 */
export function goalScheduleProblem(c: number, M: number): [string, string] | null {
  if (!Number.isInteger(M) || M < 1) return ['M', `must be an integer >= 1, got ${M}`];
  if (!Number.isInteger(c) || c < 1) return ['c', `must be an integer >= 1, got ${c}`];
  if (c < M) return ['c', `must be >= M (each of the M goals needs at least one of the c steps), got c=${c}, M=${M}`];
  return null;
}

function check(c: number, M: number, where: string): void {
  const p = goalScheduleProblem(c, M);
  if (p) throw new UsageError(`${where}: ${p[0]} ${p[1]}`);
}

/** L = floor(c/M): the nominal number of steps each goal guides. */
export function blockLength(c: number, M: number): number {
  check(c, M, 'blockLength');
  return Math.floor(c / M);
}

/** True when the high-level agent must emit fresh goals at step t (t ≡ 0 mod c). */
export function isGoalStep(t: number, c: number): boolean {
  if (!Number.isInteger(t) || t < 0) throw new UsageError(`isGoalStep: t must be an integer >= 0, got ${t}`);
  if (!Number.isInteger(c) || c < 1) throw new UsageError(`isGoalStep: c must be an integer >= 1, got ${c}`);
  return t % c === 0;
}

/**
 * 0-based index of the goal guiding step t (t = steps since the session start, 0-based).
 * Leftover positions (p >= M*L) use the last goal, M-1.
 */
export function goalIndex(t: number, c: number, M: number): number {
  check(c, M, 'goalIndex');
  if (!Number.isInteger(t) || t < 0) throw new UsageError(`goalIndex: t must be an integer >= 0, got ${t}`);
  const L = Math.floor(c / M);
  return Math.min(Math.floor((t % c) / L), M - 1); // Eq. (12) block, 0-based
}

/** Goal index for every position p = 0..c-1 of a period: Int32Array [c]. */
export function goalIndexTable(c: number, M: number): Int32Array {
  check(c, M, 'goalIndexTable');
  const L = Math.floor(c / M);
  const out = new Int32Array(c);
  for (let p = 0; p < c; p++) out[p] = Math.min(Math.floor(p / L), M - 1);
  return out;
}

/** Positions [start, end) inside a period guided by goal j (0-based); the last block absorbs the leftovers. */
export function goalBlock(j: number, c: number, M: number): [number, number] {
  check(c, M, 'goalBlock');
  if (!Number.isInteger(j) || j < 0 || j >= M) throw new UsageError(`goalBlock: j must be an integer in [0, ${M - 1}], got ${j}`);
  const L = Math.floor(c / M);
  return [j * L, j === M - 1 ? c : (j + 1) * L];
}
