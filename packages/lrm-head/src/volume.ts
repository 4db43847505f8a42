import * as tf from '@tensorflow/tfjs-core';

/** What volume rendering returns per ray. All tensors are new; the caller (or a tidy) disposes them. */
export type CompositeResult = {
  /** [N, 3] composited colour (with the background behind what is left of the transmittance). */
  rgb: tf.Tensor2D;
  /** [N] accumulated opacity Σ wᵢ = 1 − T(far). */
  opacity: tf.Tensor1D;
  /** [N, S] compositing weights wᵢ = Tᵢ·αᵢ. */
  weights: tf.Tensor2D;
};

/**
 * Emission–absorption volume rendering (NeRF, Mildenhall et al. 2020, eq. 3): with τᵢ = σᵢ·δᵢ,
 * αᵢ = 1 − exp(−τᵢ), Tᵢ = exp(−Σ_{j<i} τⱼ) and wᵢ = Tᵢ·αᵢ, the colour is Σ wᵢ·cᵢ + (1 − Σ wᵢ)·background.
 * sigma [N, S] ≥ 0, rgb [N, S, 3], deltas [N, S], background [3] or [N, 3]. Differentiable in sigma and rgb.
 */
export function composite(sigma: tf.Tensor2D, rgb: tf.Tensor3D, deltas: tf.Tensor2D, background: tf.Tensor1D | tf.Tensor2D): CompositeResult {
  return tf.tidy(() => {
    const tau = tf.mul(sigma, deltas);
    const alpha = tf.sub(1, tf.exp(tf.neg(tau)));
    // Exclusive cumulative sum: optical depth in front of each sample.
    const transmittance = tf.exp(tf.neg(tf.cumsum(tau, 1, true)));
    const weights = tf.mul(transmittance, alpha) as tf.Tensor2D;
    const opacity = tf.sum(weights, 1) as tf.Tensor1D;
    const color = tf.sum(tf.mul(tf.expandDims(weights, 2), rgb), 1);
    const bg = tf.mul(tf.expandDims(tf.sub(1, opacity), 1), background);
    return { rgb: tf.add(color, bg) as tf.Tensor2D, opacity, weights };
  });
}
