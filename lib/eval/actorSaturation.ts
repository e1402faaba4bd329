/**
 * Do an agent's actors saturate? The low-level actor's proto-actions (and the high-level actor's
 * goals) on test-day states, against the box B*tanh maps into:
 *   norm       mean ||a|| (a corner of the box has norm sqrt(E) * B: 7.07 at E = 50, B = 1)
 *   saturated  share of coordinates with |a_j| > 0.95 B
 *   patterns   distinct sign patterns over the states (1 = the same direction for every user)
 * A saturated actor recommends the items nearest to one fixed corner for everyone
 * (docs/deviations.md, "Saturated actors"; the `actionPenalty` option is the kit's remedy).
 * Used by bench/actorSaturation.ts (a reproduce folder) and notebooks 03/04 (an agent in memory).
 */
import { UsageError } from '../util/errors';
import type { DdpgCore } from '../agents/ddpgCore';

export interface SaturationStats {
  /** Mean Euclidean norm of an action / goal. */
  norm: number;
  /** The norm of a corner of the box, sqrt(E) * B. */
  cornerNorm: number;
  /** Share of coordinates with |a_j| > 0.95 B. */
  saturated: number;
  /** Number of distinct sign patterns over the rows. */
  patterns: number;
  /** Number of rows (states x heads). */
  rows: number;
}

/** Saturation of `rows` actions a [rows, E] in the box [-B, B]^E. */
export function actionSaturation(a: Float32Array, rows: number, E: number, B: number): SaturationStats {
  if (a.length !== rows * E) throw new UsageError(`actionSaturation: ${a.length} values for ${rows} rows of E = ${E}`);
  if (!(B > 0)) throw new UsageError(`actionSaturation: bound B must be > 0, got ${B}`);
  let norm = 0, sat = 0;
  const pats = new Set<string>();
  for (let r = 0; r < rows; r++) {
    let n = 0, key = '';
    for (let j = 0; j < E; j++) {
      const v = a[r * E + j];
      n += v * v;
      if (Math.abs(v) > 0.95 * B) sat++;
      key += v > 0 ? '1' : '0';
    }
    norm += Math.sqrt(n) / rows;
    pats.add(key);
  }
  return { norm, cornerNorm: Math.sqrt(E) * B, saturated: sat / (rows * E), patterns: pats.size, rows };
}

/** `S` rows of histories [rows, N] spread evenly over the rows (same picks for every history). */
export function spreadRows(h: Int32Array, N: number, S: number): Int32Array {
  const rows = h.length / N;
  if (!(S >= 1) || !Number.isInteger(S)) throw new UsageError(`spreadRows: S must be an integer >= 1, got ${S}`);
  const o = new Int32Array(S * N);
  for (let s = 0; s < S; s++) {
    const r = Math.floor((rows * s) / S);
    o.set(h.subarray(r * N, (r + 1) * N), s * N);
  }
  return o;
}

export interface LevelSaturation extends SaturationStats {
  level: 'low' | 'high';
  actionPenalty: number;
}

/** Test-day histories (a prepared dataset's `test` split). */
export interface StateHistories {
  N: number;
  browsed: Int32Array;
  clicked: Int32Array;
  ordered: Int32Array;
}

/**
 * The saturation of each level of a hierarchical / DDPG agent on `S` test-day states: the low level
 * over (browsed, clicked), the high level (if any) over (clicked, ordered).
 */
export function actorSaturation(levels: { low: { core: DdpgCore }; high?: { core: DdpgCore } | null }, test: StateHistories, S = 256): LevelSaturation[] {
  const N = test.N;
  const browsed = spreadRows(test.browsed, N, S), clicked = spreadRows(test.clicked, N, S), ordered = spreadRows(test.ordered, N, S);
  const out: LevelSaturation[] = [];
  const list: Array<['low' | 'high', DdpgCore, Int32Array, Int32Array]> = [['low', levels.low.core, browsed, clicked]];
  if (levels.high) list.push(['high', levels.high.core, clicked, ordered]);
  for (const [level, core, s1, s2] of list) {
    const c = core.cfg;
    out.push({ level, actionPenalty: c.actionPenalty, ...actionSaturation(core.act(s1, s2, S), S * c.heads, c.E, c.B) });
  }
  return out;
}
