import * as tf from '@tensorflow/tfjs-core';

/**
 * Global-norm gradient clipping (torch.nn.utils.clip_grad_norm_): when the L2 norm over all
 * gradients exceeds `maxNorm`, every gradient is scaled by maxNorm / (norm + 1e-6). Returns the
 * norm before clipping and the (possibly new) gradients; replaced gradients are disposed.
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm: number): { norm: number; grads: Map<string, tf.Tensor> } {
  const norm = tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return Math.sqrt(squares.length ? tf.addN(squares).dataSync()[0]! : 0);
  });
  if (!(maxNorm > 0) || !(norm > maxNorm) || !Number.isFinite(norm)) return { norm, grads };
  const scale = maxNorm / (norm + 1e-6);
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) {
    out.set(k, tf.mul(g, scale));
    g.dispose();
  }
  return { norm, grads: out };
}
