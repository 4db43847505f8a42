import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { sumRows } from './wasm-kernels';
import { useFastOps } from './path';

/**
 * LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · gamma + beta, biased variance as
 * PyTorch's nn.LayerNorm. The caller disposes the result.
 *
 * Differentiable in x, gamma and beta. The fast path (see setOpsPath) computes the gradient in
 * closed form from the saved normalised input and 1/σ:
 * dx = (g − mean(g) − x̂·mean(g·x̂)) / σ with g = dy·gamma, instead of differentiating the moments.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor {
  if (useFastOps()) return layerNormFast(x, gamma, beta, eps);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, gamma), beta);
  });
}

function layerNormFast(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const D = x.shape[x.rank - 1]!;
    const x2 = (x.rank === 2 ? x : tf.reshape(x, [-1, D])) as tf.Tensor2D;
    const y = customOp([x2, gamma, beta], (save) => {
      const centred = tf.sub(x2, tf.mean(x2, -1, true));
      const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), eps));
      const xhat = tf.mul(centred, rstd);
      save([xhat, rstd, gamma]);
      return {
        value: tf.add(tf.mul(xhat, gamma), beta),
        gradFunc: (dy, [xh, rs, gm]) => {
          const g = tf.mul(dy, gm!);
          const inner = tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xh!, tf.mean(tf.mul(g, xh!), -1, true)));
          return [tf.mul(inner, rs!), sumRows(tf.mul(dy, xh!) as tf.Tensor2D), sumRows(dy as tf.Tensor2D)];
        },
      };
    });
    return x.rank === 2 ? y : tf.reshape(y, x.shape);
  });
}
