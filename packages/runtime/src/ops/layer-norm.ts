import * as tf from '@tensorflow/tfjs-core';

/**
 * LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · gamma + beta, biased variance as
 * PyTorch's nn.LayerNorm. The caller disposes the result.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, gamma), beta);
  });
}
