/**
 * Checks of a policy's picks against the contract of lib/agents/policy.ts, shared by the online and
 * offline tests: one item per session, taken from the session's remaining candidates, and removed
 * from the SessionBatch (exactly that one item). A violation is a UsageError naming the policy, the
 * session, the step and the item, raised before the pick reaches the environment or the metrics.
 */
import { UsageError } from '../util/errors';
import type { SessionBatch } from '../agents/mapping/itemIndex';

/** Where a session's candidates stand: item -> position in the session's pool, and when each was shown. */
export interface PickLedger {
  /** Position of `item` in session b's pool, or undefined when it is not in the pool. */
  position(b: number, item: number): number | undefined;
  /** Step at which pool entry `pos` of session b was picked, -1 when still available. */
  pickedAt(b: number, pos: number): number;
}

export interface PickContext {
  test: 'online test' | 'offline test';
  policy: string;
  step: number;
  /** Human-readable name of batch slot b, e.g. 'session 17 (user 4)'. */
  label: (b: number) => string;
}

/** Remaining counts of every session before the policy is asked (to check it removed exactly one). */
export function remainingCounts(cands: SessionBatch): Int32Array {
  const out = new Int32Array(cands.size);
  for (let b = 0; b < cands.size; b++) out[b] = cands.remaining(b);
  return out;
}

/**
 * Validate `picks` (the policy's return value) for the active slots. `before` = remainingCounts()
 * taken just before policy.select.
 */
export function checkPicks(
  picks: unknown,
  cands: SessionBatch,
  before: Int32Array,
  active: Uint8Array | null,
  ledger: PickLedger,
  ctx: PickContext,
): Int32Array {
  const B = cands.size;
  const head = `${ctx.test}: policy '${ctx.policy}', step ${ctx.step}`;
  if (!(picks instanceof Int32Array)) {
    throw new UsageError(`${head}: select() must return an Int32Array [${B}], got ${picks === null ? 'null' : typeof picks === 'object' ? (picks as object).constructor?.name : typeof picks}`);
  }
  if (picks.length !== B) throw new UsageError(`${head}: select() returned ${picks.length} items for ${B} sessions`);
  for (let b = 0; b < B; b++) {
    if (active && !active[b]) continue;
    const item = picks[b];
    const pos = ledger.position(b, item);
    if (pos === undefined) {
      throw new UsageError(`${head}, ${ctx.label(b)}: item ${item} is not in the session's candidate set`);
    }
    const at = ledger.pickedAt(b, pos);
    if (at >= 0) {
      throw new UsageError(`${head}, ${ctx.label(b)}: item ${item} was already recommended at step ${at} (repeated item)`);
    }
    if (cands.has(b, item)) {
      throw new UsageError(`${head}, ${ctx.label(b)}: item ${item} was picked but not removed from the SessionBatch (use cands.map or cands.remove)`);
    }
    const removed = before[b] - cands.remaining(b);
    if (removed !== 1) {
      throw new UsageError(`${head}, ${ctx.label(b)}: the policy removed ${removed} candidates from the session instead of exactly 1 (item ${item})`);
    }
  }
  return picks;
}
