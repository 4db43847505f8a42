import * as tf from '@tensorflow/tfjs-core';
import { LogitScale } from './logit-scale';
import { diagonal } from '../util/ops';
import { sumAll } from '../util/reduce';
import { checkPair, checkScalar, pairLogits, type ScalarLike } from './logits';

export interface SigLipLossOptions {
  /** Multiplier of the cosine similarities, e.g. `params.logitScale.value()`. */
  logitScale: ScalarLike;
  /** Added to every logit, e.g. the `logitBias` variable (SigLIP initialises it to −10). */
  logitBias: ScalarLike;
  /** L2-normalise the rows first (default true). */
  normalize?: boolean;
}

/**
 * Pairwise sigmoid loss of SigLIP (open_clip `SigLipLoss`, single process, negatives included):
 * logits = scale·Î·T̂ᵀ + bias, labels +1 on the diagonal and −1 elsewhere,
 * loss = −Σ_ij log σ(label_ij·logit_ij) / B.
 *
 * Computed as −(Σ_ij log σ(−logit_ij) + Σ_i logit_ii)/B, which is the same sum (log σ(z) − log σ(−z) = z)
 * without a B×B label matrix; log σ(−z) = −softplus(z), stable. image, text: [B, D].
 * Returns a new scalar the caller disposes.
 */
export function sigLipLoss(image: tf.Tensor2D, text: tf.Tensor2D, options: SigLipLossOptions): tf.Scalar {
  checkPair(image, text, 'sigLipLoss');
  checkScalar(options.logitScale, 'sigLipLoss logitScale');
  checkScalar(options.logitBias, 'sigLipLoss logitBias');
  return tf.tidy(() => {
    const logits = pairLogits(image, text, options.logitScale, options.normalize ?? true, options.logitBias);
    // log σ(−z) = −softplus(z). (tf.logSigmoid's gradient reads an input it does not keep and fails
    // once that input is disposed inside a tidy; softplus keeps its input.)
    // softplus(z) < 4e−18 below z = −40: flooring there keeps subnormals (slow) out of exp.
    const negatives = tf.neg(sumAll(tf.softplus(tf.clipByValue(logits, -40, 3e38))));
    const positives = sumAll(diagonal(logits));
    return tf.div(tf.neg(tf.add(negatives, positives)), image.shape[0]) as tf.Scalar;
  });
}

export interface SigLipParams {
  /** Log-parameterised scale, initialised to 10 (open_clip SigLIP `init_logit_scale = log(10)`), max 100. */
  logitScale: LogitScale;
  /** Learnable bias, initialised to −10 (open_clip `init_logit_bias = -10`). */
  logitBias: tf.Variable;
  /** Frees both variables. */
  dispose(): void;
}

/** Creates SigLIP's learnable scale and bias with open_clip's initial values. The caller disposes them. */
export function createSigLipParams(options: { initScale?: number; initBias?: number; maxScale?: number; name?: string } = {}): SigLipParams {
  const logitScale = new LogitScale({ init: options.initScale ?? 10, max: options.maxScale ?? 100, name: options.name && `${options.name}/logit_scale` });
  const logitBias = tf.tidy(() => tf.variable(tf.scalar(options.initBias ?? -10), true, options.name && `${options.name}/logit_bias`));
  return {
    logitScale,
    logitBias,
    dispose() {
      logitScale.dispose();
      logitBias.dispose();
    },
  };
}
