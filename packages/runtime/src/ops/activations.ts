import * as tf from '@tensorflow/tfjs-core';

/** Exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as PyTorch's nn.GELU() default. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** SiLU (swish), x · sigmoid(x), as PyTorch's F.silu. */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}
