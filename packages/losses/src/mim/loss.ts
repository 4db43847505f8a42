import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { expectPositive, expectRank, expectSameShape, formatShape } from '../util/check';
import { softCrossEntropy } from '../distill/cross-entropy';

export interface IbotLossOptions {
  /** Student temperature τ_s (default 0.1, iBOT/DINOv2). */
  studentTemp?: number;
  /**
   * iBOT++ (TIPSv2) switch: the weight w of the visible (unmasked) tokens. 0 (default) is iBOT: only
   * masked tokens count. With w > 0 each image's loss is the weighted mean over its tokens
   * (weight 1 for masked, w for visible): w = 1 counts every token equally.
   */
  visibleWeight?: number;
}

/**
 * iBOT masked-image-modelling loss (DINOv2 `iBOTPatchLoss.forward`): per image, the cross-entropy
 * −Σ_k t_k log softmax(s/τ_s)_k summed over its masked patch tokens and divided by its number of
 * masked tokens, then averaged over the images (an image with no masked token adds 0 and still
 * counts in the mean, as in DINOv2). With `visibleWeight` (iBOT++) visible tokens join in as above.
 *
 * student: [B, N, K] logits of the student's patch head; teacherTargets: [B, N, K] distributions
 * (`TeacherCentre.softmaxCentred` or `sinkhornKnopp`); mask: [B, N] (bool or 0/1; 1 = the student saw
 * a mask token there). Gradients flow to the student only. Returns a new scalar the caller disposes.
 */
export function ibotLoss(student: tf.Tensor, teacherTargets: tf.Tensor, mask: tf.Tensor, options: IbotLossOptions = {}): tf.Scalar {
  const studentTemp = options.studentTemp ?? 0.1;
  expectPositive(studentTemp, 'ibotLoss studentTemp');
  const w = options.visibleWeight ?? 0;
  if (!Number.isFinite(w) || w < 0) throw new LossError('value', `ibotLoss visibleWeight must be a finite number ≥ 0, got ${w}`);
  expectRank(student, 3, 'ibotLoss student', 'pass patch logits [B, N, K]');
  expectSameShape(student, teacherTargets, 'ibotLoss student', 'teacherTargets');
  expectRank(mask, 2, 'ibotLoss mask', 'pass [B, N]');
  if (mask.shape[0] !== student.shape[0] || mask.shape[1] !== student.shape[1]) {
    throw new LossError('shape', `ibotLoss: mask ${formatShape(mask.shape)} must be [B, N] of student ${formatShape(student.shape)}`);
  }
  return tf.tidy(() => {
    const ce = softCrossEntropy(student, teacherTargets, studentTemp); // [B, N]
    const m = tf.cast(mask, 'float32');
    const weights = w === 0 ? m : tf.add(m, tf.mul(tf.sub(1, m), w));
    const denom = tf.sum(weights, 1);
    const perImage = tf.div(tf.sum(tf.mul(ce, weights), 1), tf.where(tf.greater(denom, 0), denom, tf.onesLike(denom)));
    return tf.mean(perImage) as tf.Scalar;
  });
}
