/**
 * Benefit assignment (Section 3.2): splits the c external rewards of one goal period among the M
 * goals that guided it, giving r_i^high = phi_i(r_{t:t+c-1}) for the high-level critics (Eq. (1)).
 *
 * Goals are 0-based here (paper: 1..M). Goal i owns the steps goalSchedule assigns to it: positions
 * [i*L, (i+1)*L) with L = floor(c/M), and the last goal also owns the c - M*L leftover positions
 * (the paper's Eq. (14) leaves them to no goal; we keep them with the goal that guided them).
 *
 * A period cut short by the end of a session: pass its rewards padded with zeros to length c
 * (steps that never happened earn nothing).
 */
import { UsageError } from '../util/errors';
import { goalScheduleProblem } from './goalSchedule';

function checkArgs(where: string, c: number, M: number, beta?: number): void {
  const p = goalScheduleProblem(c, M);
  if (p) throw new UsageError(`${where}: ${p[0]} ${p[1]}`);
  if (beta !== undefined && !(beta >= 0 && beta <= 1)) {
    throw new UsageError(`${where}: beta (high-level benefit discount) must be in [0, 1], got ${beta}`);
  }
}

/** phi^0 and phi' for the period stored at rewards[off .. off+c) into out[outOff .. outOff+M). */
function assignAt(
  rewards: ArrayLike<number>, off: number, c: number, M: number, beta: number,
  out: Float32Array, outOff: number, where: string,
): void {
  const L = Math.floor(c / M);
  let prev = 0;
  for (let i = 0; i < M; i++) {
    const end = i === M - 1 ? c : (i + 1) * L; // last goal absorbs leftovers (see goalSchedule)
    let phi0 = 0;
    for (let j = i * L; j < end; j++) {
      const r = rewards[off + j];
      if (!Number.isFinite(r)) throw new UsageError(`${where}: reward at position ${off + j} is ${r}`);
      phi0 += r; // Eq. (14)
    }
    prev = phi0 + beta * prev; // Eq. (15): phi'_i = sum_{k<=i} beta^{i-k} phi^0_k = phi^0_i + beta*phi'_{i-1}
    out[outOff + i] = prev;
  }
}

/** Eq. (14): phi^0_i = sum of the external rewards in goal i's block. rewards: [c] -> [M]. */
export function benefitBase(rewards: ArrayLike<number>, c: number, M: number): Float32Array {
  return benefitAssign(rewards, c, M, 0);
}

/**
 * Eq. (15): phi'_i = sum_{k<=i} beta^{i-k} phi^0_k. rewards: r_{t..t+c-1} [c] -> [M].
 * beta = 0 gives Eq. (14); beta = 1 gives the running total from the period start.
 */
export function benefitAssign(rewards: ArrayLike<number>, c: number, M: number, beta: number): Float32Array {
  checkArgs('benefitAssign', c, M, beta);
  if (rewards.length !== c) throw new UsageError(`benefitAssign: expected c=${c} rewards, got ${rewards.length}`);
  const out = new Float32Array(M);
  assignAt(rewards, 0, c, M, beta, out, 0, 'benefitAssign');
  return out;
}

/** Eq. (15) over a batch of periods: rewards [B, c] -> [B, M]. */
export function benefitAssignBatch(rewards: ArrayLike<number>, c: number, M: number, beta: number): Float32Array {
  checkArgs('benefitAssignBatch', c, M, beta);
  if (rewards.length % c !== 0) throw new UsageError(`benefitAssignBatch: rewards length ${rewards.length} is not a multiple of c=${c}`);
  const B = rewards.length / c;
  const out = new Float32Array(B * M);
  for (let b = 0; b < B; b++) assignAt(rewards, b * c, c, M, beta, out, b * M, 'benefitAssignBatch');
  return out;
}
