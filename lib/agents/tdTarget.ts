/**
 * DDPG critic target (Eqs. (16), (19)): y = r + gamma * (1 - done) * Q'(s', mu'(s')).
 * The one place the TD target is computed: DdpgCore.update calls it per head (width 1) on both
 * engines with the target critic's Q (after the Q activation), into a Float64Array (the critic
 * step's squared errors are taken in double precision, ddpgLoss.ts).
 *
 * Shapes: reward [B, W], nextQ [B, W], done [B] -> y [B, W]. W = 1 for the low-level critic and
 * W = M for the high-level critics (one target per goal; all share the transition's done flag).
 * done is 0/1 (or boolean); a terminal transition (done = 1) does not bootstrap.
 */
import { UsageError } from '../util/errors';

export function tdTarget<Out extends Float32Array | Float64Array = Float32Array>(
  reward: ArrayLike<number>,
  nextQ: ArrayLike<number>,
  done: ArrayLike<number | boolean>,
  gamma: number,
  width = 1,
  out?: Out,
): Out {
  if (!(gamma >= 0 && gamma <= 1)) throw new UsageError(`tdTarget: gamma must be in [0, 1], got ${gamma}`);
  if (!Number.isInteger(width) || width < 1) throw new UsageError(`tdTarget: width must be an integer >= 1, got ${width}`);
  const B = done.length;
  if (reward.length !== B * width) throw new UsageError(`tdTarget: reward length ${reward.length} != B*width = ${B}*${width}`);
  if (nextQ.length !== B * width) throw new UsageError(`tdTarget: nextQ length ${nextQ.length} != B*width = ${B}*${width}`);
  const y = out ?? (new Float32Array(B * width) as Out);
  if (y.length !== B * width) throw new UsageError(`tdTarget: out length ${y.length} != B*width = ${B}*${width}`);
  for (let b = 0; b < B; b++) {
    const d = done[b];
    const live = d === true || d === 1 ? 0 : d === false || d === 0 ? 1 : NaN;
    if (Number.isNaN(live)) throw new UsageError(`tdTarget: done[${b}] must be 0/1 or boolean, got ${d}`);
    for (let w = 0; w < width; w++) {
      const i = b * width + w;
      y[i] = live ? reward[i] + gamma * nextQ[i] : reward[i]; // Eqs. (16), (19); terminal ignores nextQ (even NaN)
    }
  }
  return y;
}
