/**
 * The loss algebra of one DDPG update, written once for both engines (DdpgCore runs the networks;
 * these functions turn their outputs into losses and into the gradients dL/dz, dL/dmu that the
 * engine's backward pass takes). Plain functions over host arrays, in double precision; per head
 * i = 1..K, batch rows j:
 *
 *   critic TD step (Eq. 17 / 20):  L_c = sum_i mean_j (y_ij - Q_ij)^2,  Q_ij = act(z_ij)
 *                                  dL_c/dz_ij = -2 (y_ij - Q_ij) / batch * act'(z_ij)
 *                                  (act' := 1 for a dead ReLU head with the straight-through fix)
 *   actor step (Eq. 18 / 21):      L_a = -sum_i mean_j Q_i(s_j, mu_i(s_j))  [+ lambda sum_i mean_j ||mu_ij||^2]
 *                                  dL_a/dz_ij = -act'(z_ij) / batch,  dL_a/dmu_ij = 2 lambda mu_ij / batch
 *
 * The TD target y (Eq. 16 / 19) is tdTarget.ts; act / act' are qOutput.ts's qValue / qSlope.
 * Sums run head by head, row by row, in one accumulator (the recorded losses depend on the order).
 *
 * Adding a term (TD3-style options, docs/deviations/agents.md): a new config field plus a pure
 * function here, called from DdpgCore.update; both engines then run it. E.g. clipped double-Q is
 * `y = r + gamma (1 - done) min(Q'_1, Q'_2)` (a min over two target critics' Q before tdTarget), target
 * smoothing adds clipped noise to mu'(s') before the target critic, a delayed actor skips the
 * actor step unless `updates % delay === 0`.
 */
import { qSlope, qValue, type QOutput } from '../nn/qOutput';

export interface CriticStep {
  /** sum_i mean_batch (y_i - Q_i)^2. */
  loss: number;
  /** sum over heads and rows of Q_i (for qMean). */
  qSum: number;
  /** Heads whose pre-activation is <= 0 on the whole minibatch. */
  dead: number;
  /** dL/dz_i [batch] per head. */
  dz: Float32Array[];
}

/**
 * The critic TD step's loss and dL/dz (Eq. 17 / 20) from the online critic's pre-activations
 * z_i [batch] at the stored actions and the targets y_i [batch]. `straightThrough`: a dead head
 * (z <= 0 on every row) passes the gradient as if act' = 1 (qOutput 'relu' + deadReluFix).
 */
export function criticStep(z: Float32Array[], y: ArrayLike<number>[], kind: QOutput, straightThrough: boolean): CriticStep {
  let loss = 0, qSum = 0, dead = 0;
  const dz = z.map((zi, i) => {
    const batch = zi.length;
    const isDead = zi.every((v) => v <= 0);
    if (isDead) dead += 1;
    const st = straightThrough && isDead;
    const d = new Float32Array(batch);
    for (let j = 0; j < batch; j++) {
      const q = qValue(zi[j], kind);
      const err = y[i][j] - q;
      loss += (err * err) / batch;
      qSum += q;
      d[j] = ((-2 * err) / batch) * (st ? 1 : qSlope(zi[j], kind)); // Eq. (17) / (20)
    }
    return d;
  });
  return { loss, qSum, dead, dz };
}

export interface ActorStep {
  /** -sum_i mean_batch Q_i(s, mu_i(s)) [+ the action penalty]. */
  loss: number;
  /** dL/dz_i [batch] per head (through the critic into mu). */
  dz: Float32Array[];
  /** dL/dmu_i [batch * E] per head added to what flows back through the critic; null when lambda = 0. */
  dmu: Float32Array[] | null;
}

/**
 * The actor step's loss and gradients (Eq. 18 / 21) from the critic's pre-activations z_i [batch]
 * at the actor's own proto-actions mu_i [batch * E] (needed only with `actionPenalty` > 0).
 */
export function actorStep(z: Float32Array[], mu: Float32Array[] | null, kind: QOutput, actionPenalty: number): ActorStep {
  let loss = 0;
  const dz = z.map((zi) => {
    const batch = zi.length;
    const d = new Float32Array(batch);
    for (let j = 0; j < batch; j++) {
      loss -= qValue(zi[j], kind) / batch; // Eq. (18) / (21): ascend Q along dQ/da
      d[j] = (-1 / batch) * qSlope(zi[j], kind);
    }
    return d;
  });
  if (!(actionPenalty > 0)) return { loss, dz, dmu: null };
  if (!mu || mu.length !== z.length) throw new Error('actorStep: the action penalty needs the proto-actions of every head');
  const batch = z[0].length;
  const pen = actionPenaltyTerm(mu, actionPenalty, batch, loss);
  return { loss: pen.loss, dz, dmu: pen.dmu };
}

/**
 * + lambda sum_i mean_batch ||mu_i||^2 (off by default; docs/deviations/agents.md), added to the
 * running loss `start`; its gradient 2 lambda mu_i / batch (float32, as a float32 multiply gives it).
 */
export function actionPenaltyTerm(mu: Float32Array[], lambda: number, batch: number, start = 0): { loss: number; dmu: Float32Array[] } {
  let loss = start;
  for (const m of mu) for (let j = 0; j < m.length; j++) loss += (lambda * m[j] * m[j]) / batch;
  const scale = Math.fround((2 * lambda) / batch);
  return { loss, dmu: mu.map((m) => m.map((v) => scale * v)) };
}
