/**
 * The critic's output activation, and the dead-ReLU remedy.
 *
 * The paper puts a ReLU on Q (Eq. 7 / 11, "since q in (0, +inf)"). If a head's pre-activation is
 * <= 0 on every row of a minibatch, Q = 0 there and the gradient is exactly zero, so a critic born
 * (or pushed) dead never recovers (seen at init in 3 of 40 seeds of the PyTorch peer). Remedies:
 *   - 'relu' (default, the paper's): output bias initialised positive (config qBiasInit) so heads
 *     start alive, plus, when enabled, a straight-through gradient: for a head whose pre-activation
 *     is <= 0 on the WHOLE minibatch, the backward pass treats the output ReLU as the identity
 *     (d relu/dz := 1), so the TD loss can push z back up toward positive targets. Forward values
 *     are unchanged (Q stays exactly relu(z)); live heads get the ordinary ReLU gradient.
 *     Applied in the critic's TD step only; the actor step uses the true gradient.
 *   - 'softplus': Q = log(1 + e^z), positive and never dead.
 *   - 'linear': Q = z (standard DDPG), can be negative.
 *
 * `qValue` / `qSlope` are THE definition (on the host, per value): the DDPG update applies them
 * to the critic's pre-activations on both engines (lib/agents/ddpgLoss.ts). `qActivation` is the
 * same function as a tensor op, for autodiff callers of `Critic.forward` (custom losses, tests).
 */
import * as tf from '@tensorflow/tfjs';

export type QOutput = 'relu' | 'softplus' | 'linear';
export const Q_OUTPUTS: readonly QOutput[] = ['relu', 'softplus', 'linear'];

/** Q = act(z) for one pre-activation, as float32 (what the tensor op gives). */
export function qValue(z: number, kind: QOutput): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'softplus':
      return Math.fround(z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
    case 'linear':
      return z;
  }
}

/** dQ/dz (as tfjs differentiates it: relu' = [z > 0], softplus' = sigmoid(z)). */
export function qSlope(z: number, kind: QOutput): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'softplus':
      return 1 / (1 + Math.exp(-z));
    case 'linear':
      return 1;
  }
}

/** relu(z) with the straight-through gradient when z <= 0 on every row. z: [batch]. */
const reluStraightThroughIfDead = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const z = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([z]);
  return {
    value: tf.relu(z),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const zz = saved[0];
      const alive = tf.step(zz); // 1 where z > 0
      const allDead = tf.cast(tf.lessEqual(tf.max(zz), 0), 'float32'); // scalar 1/0
      const gate = tf.add(alive, tf.mul(allDead, tf.sub(1, alive)));
      return [tf.mul(dy, gate)];
    },
  };
});

/** Apply the output activation to pre-activations z [batch]. */
export function qActivation(z: tf.Tensor1D, kind: QOutput, straightThrough: boolean): tf.Tensor1D {
  switch (kind) {
    case 'relu':
      return (straightThrough ? reluStraightThroughIfDead(z) : tf.relu(z)) as tf.Tensor1D;
    case 'softplus':
      return tf.softplus(z);
    case 'linear':
      return z;
  }
}
