/**
 * Saturation of actor outputs (proto-actions or goals) in the B*tanh box, shared by
 * bench/actorSaturation.ts and bench/agentDiagnostics.ts:
 *   norm       mean ||a|| (a corner of the box has norm sqrt(E) * B: 7.07 at E = 50, B = 1)
 *   saturated  share of coordinates with |a_j| > 0.95 B
 *   patterns   distinct sign patterns over the rows (1 = the same direction for every state)
 */
export interface SaturationStats {
  norm: number;
  saturated: number;
  patterns: number;
}

/** Statistics of `rows` actions a [rows, E] with bound B. */
export function saturationStats(a: Float32Array, rows: number, E: number, B: number): SaturationStats {
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
  return { norm, saturated: sat / (rows * E), patterns: pats.size };
}
