import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { useFastOps } from './path';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)), as PyTorch's nn.GELU() default. The caller
 * disposes the result. The fast path's gradient is dy · (Φ(x) + x·φ(x)) from the saved Φ(x).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (!useFastOps()) return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
  return customOp([x], (save) => {
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1), 0.5);
    save([x, cdf]);
    return {
      value: tf.mul(x, cdf),
      gradFunc: (dy, [xs, c]) => {
        const xpdf = tf.mul(xs!, tf.mul(tf.exp(tf.mul(tf.square(xs!), -0.5)), INV_SQRT_2PI));
        return [tf.mul(dy, tf.add(c!, xpdf))];
      },
    };
  });
}

/**
 * SiLU (swish), x · sigmoid(x), as PyTorch's F.silu. The caller disposes the result. The fast
 * path's gradient is dy · σ · (1 + x·(1 − σ)) from the saved σ(x).
 */
export function silu(x: tf.Tensor): tf.Tensor {
  if (!useFastOps()) return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
  return customOp([x], (save) => {
    const s = tf.sigmoid(x);
    save([x, s]);
    return {
      value: tf.mul(x, s),
      gradFunc: (dy, [xs, sg]) => [tf.mul(tf.mul(dy, sg!), tf.add(1, tf.mul(xs!, tf.sub(1, sg!))))],
    };
  });
}
