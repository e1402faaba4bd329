/**
 * y = x W + b as one tf.customGrad op. Autodiff of tf.matMul would use transposed matmuls, which
 * leave XNNPACK on wasm (10x slower), and a row-sum for the bias; here the backward pass uses
 * explicit transposes + plain matmuls and a ones-row matmul:
 *   dx = dy W^T,  dW = x^T dy,  db = 1^T dy.
 */
import * as tf from '@tensorflow/tfjs';

type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

const linearBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor2D, W = args[1] as tf.Tensor2D, b = args[2] as tf.Tensor1D;
  (args[3] as tf.GradSaveFunc)([x, W]);
  const gradFunc: GradFn = (dy, [xs, Ws]) => {
    const d = dy as tf.Tensor2D;
    const ones = tf.ones([1, d.shape[0]]) as tf.Tensor2D;
    return [
      tf.matMul(d, tf.transpose(Ws as tf.Tensor2D)),
      tf.matMul(tf.transpose(xs as tf.Tensor2D), d),
      tf.reshape(tf.matMul(ones, d), [d.shape[1]]),
    ];
  };
  return { value: tf.add(tf.matMul(x, W), b), gradFunc };
});

const linearNoBias = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor2D, W = args[1] as tf.Tensor2D;
  (args[2] as tf.GradSaveFunc)([x, W]);
  const gradFunc: GradFn = (dy, [xs, Ws]) => [
    tf.matMul(dy as tf.Tensor2D, tf.transpose(Ws as tf.Tensor2D)),
    tf.matMul(tf.transpose(xs as tf.Tensor2D), dy as tf.Tensor2D),
  ];
  return { value: tf.matMul(x, W), gradFunc };
});

/** x [rows, in], W [in, out], b [out] or null -> [rows, out]. */
export function linear(x: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor2D {
  return (b ? linearBias(x, W, b) : linearNoBias(x, W)) as tf.Tensor2D;
}
