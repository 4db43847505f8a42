import * as tf from '@tensorflow/tfjs-core';

/**
 * Affine layer y = x·W + b over the last axis. `w` is [in, out] (already transposed from
 * PyTorch's [out, in] at load time, so no transposed matmul runs in the forward pass);
 * `x` is [..., in]. Returns a new tensor the caller disposes (or a tf.tidy does).
 */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D | null): tf.Tensor {
  return tf.tidy(() => {
    const inDim = w.shape[0];
    const outDim = w.shape[1];
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(x2, w);
    if (b) y = tf.add(y, b);
    return x.rank === 2 ? y : tf.reshape(y, [...lead, outDim]);
  });
}
