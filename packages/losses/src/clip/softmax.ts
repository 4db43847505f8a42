import * as tf from '@tensorflow/tfjs-core';
import { expectInRange } from '../util/check';
import { diagonal } from '../util/ops';
import { logSumExpLast, meanAll, sumLast } from '../util/reduce';
import { checkPair, checkScalar, pairLogits, type ScalarLike } from './logits';

export interface ClipLossOptions {
  /** The multiplier of the cosine similarities (CLIP's exp(t)), e.g. `logitScale.value()` or 1/0.07. */
  logitScale: ScalarLike;
  /**
   * Label smoothing ε in [0, 1): the target is (1-ε)·onehot + ε/B, as PyTorch's
   * `F.cross_entropy(label_smoothing=ε)`. Default 0.
   */
  labelSmoothing?: number;
  /** L2-normalise the rows first (default true; the gradient then flows to the raw features). */
  normalize?: boolean;
}

/**
 * Symmetric softmax contrastive loss of CLIP (open_clip `ClipLoss`, single process): with
 * logits = scale·Î·T̂ᵀ [B, B] and the matching pair on the diagonal,
 * loss = ½·(CE over rows (image→text) + CE over columns (text→image)), each averaged over the batch.
 *
 * Stable for scales up to 100 and large batches: each cross-entropy is logsumexp(row) − logit[i,i]
 * with a max-shifted log-sum-exp; identical embeddings give a finite loss (ln B) and gradient.
 * image, text: [B, D] (row i of each is a pair). Returns a new scalar the caller disposes.
 */
export function clipLoss(image: tf.Tensor2D, text: tf.Tensor2D, options: ClipLossOptions): tf.Scalar {
  checkPair(image, text, 'clipLoss');
  checkScalar(options.logitScale, 'clipLoss logitScale');
  const eps = options.labelSmoothing ?? 0;
  expectInRange(eps, 0, 1, 'clipLoss labelSmoothing');
  return tf.tidy(() => {
    const logits = pairLogits(image, text, options.logitScale, options.normalize ?? true);
    const diag = diagonal(logits);
    const logitsT = tf.transpose(logits); // so that both reductions run over the innermost axis
    const lseRow = logSumExpLast(logits); // image i against every text
    const lseCol = logSumExpLast(logitsT); // text j against every image
    let ceI2T: tf.Tensor = tf.sub(lseRow, diag);
    let ceT2I: tf.Tensor = tf.sub(lseCol, diag);
    if (eps > 0) {
      // −Σ_c (ε/B)·log p_c = lse − mean(logits) over the same axis.
      ceI2T = tf.add(tf.mul(ceI2T, 1 - eps), tf.mul(tf.sub(lseRow, tf.div(sumLast(logits), logits.shape[1])), eps));
      ceT2I = tf.add(tf.mul(ceT2I, 1 - eps), tf.mul(tf.sub(lseCol, tf.div(sumLast(logitsT), logits.shape[0])), eps));
    }
    return tf.mul(tf.add(meanAll(ceI2T), meanAll(ceT2I)), 0.5) as tf.Scalar;
  });
}
