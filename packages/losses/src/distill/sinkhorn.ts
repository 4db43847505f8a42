import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { expectInt, expectPositive, formatShape } from '../util/check';
import { stopGradient } from '../util/ops';
import { expFloored, logSumExpLast } from '../util/reduce';

export interface SinkhornOptions {
  /** Number of Sinkhorn-Knopp iterations (default 3, DINOv2). */
  iterations?: number;
  /**
   * Which samples take part, shape = the leading dims of the logits (bool or 0/1), e.g. the masked
   * patch tokens for iBOT (DINOv2 runs Sinkhorn over the masked tokens only). Rows outside the mask
   * come back as zeros.
   */
  mask?: tf.Tensor;
}

/**
 * Teacher targets by Sinkhorn-Knopp (DINOv2 `sinkhorn_knopp_teacher`, SwAV): starting from
 * exp(teacher/τ), alternately normalise each prototype's total mass over the B samples to 1/K and
 * each sample's to 1/B, `iterations` times, then scale by B so that each sample's row is a
 * distribution over the K prototypes (rows sum to 1; prototype columns tend to B/K).
 *
 * Computed in the log domain (log-sum-exp normalisations), the same numbers as DINOv2's but without
 * the overflow of exp(logit/τ) in float32 for logits/τ above ~88. teacherLogits: [..., K]; the leading
 * dims are the samples. The result carries no gradient. Returns a new tensor the caller disposes.
 */
export function sinkhornKnopp(teacherLogits: tf.Tensor, temperature: number, options: SinkhornOptions = {}): tf.Tensor {
  expectPositive(temperature, 'sinkhornKnopp temperature');
  const iterations = options.iterations ?? 3;
  expectInt(iterations, 1, 'sinkhornKnopp iterations');
  if (teacherLogits.rank < 2) throw new LossError('shape', `sinkhornKnopp: teacher logits ${formatShape(teacherLogits.shape)} must be [samples…, K]`);
  const K = teacherLogits.shape[teacherLogits.rank - 1]!;
  const S = teacherLogits.size / K;
  const mask = options.mask;
  if (mask && mask.size !== S) {
    throw new LossError('shape', `sinkhornKnopp: mask ${formatShape(mask.shape)} must have the leading shape of the logits ${formatShape(teacherLogits.shape)}`);
  }
  return tf.tidy(() => {
    // Scaling-vector form in the log domain: log Q[b, k] = L[b, k] + u[k] + v[b], L = logits/τ. Each
    // half-step is a log-sum-exp over the innermost axis of L or of its transpose (made once).
    const L = tf.div(tf.reshape(teacherLogits, [S, K]), temperature) as tf.Tensor2D;
    let LT: tf.Tensor = tf.transpose(L); // [K, S]
    const m = mask ? tf.reshape(tf.cast(mask, 'bool'), [S]) : null;
    // Excluded samples get a huge negative log-mass in the per-prototype sums (and are zeroed at the end).
    if (m) LT = tf.where(tf.broadcastTo(m, [K, S]), LT, tf.fill([K, S], -1e30));
    const logB = m ? tf.log(tf.maximum(tf.sum(tf.cast(m, 'float32')), 1)) : tf.scalar(Math.log(S));
    const logK = Math.log(K);
    let u: tf.Tensor = tf.zeros([K]);
    let v: tf.Tensor = tf.zeros([S]);
    for (let it = 0; it < iterations; it++) {
      // each prototype's mass over the samples → 1/K; then each sample's mass over the prototypes → 1/B
      u = tf.neg(tf.add(logSumExpLast(tf.add(LT, v)), logK));
      v = tf.neg(tf.add(logSumExpLast(tf.add(L, u)), logB));
    }
    let q: tf.Tensor = expFloored(tf.add(tf.add(tf.add(L, u), tf.reshape(v, [S, 1])), logB)); // each sample: mass 1
    if (m) q = tf.mul(q, tf.cast(tf.reshape(m, [S, 1]), 'float32'));
    return stopGradient(tf.reshape(q, teacherLogits.shape));
  });
}
