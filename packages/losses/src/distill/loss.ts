import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { expectPositive, formatShape } from '../util/check';
import { softCrossEntropy } from './cross-entropy';

export interface DinoLossOptions {
  /** Student temperature τ_s (default 0.1, DINO/DINOv2). */
  studentTemp?: number;
  /**
   * 'mean' (default): average over (student crop, teacher crop) pairs. 'sum': their sum, as DINOv2's
   * `DINOLoss.forward` returns (the trainer there divides by the number of pairs itself).
   */
  reduction?: 'mean' | 'sum';
}

/**
 * DINO self-distillation loss: for every student crop s [B, K] and teacher target t [B, K] (already a
 * distribution, from `TeacherCentre.softmaxCentred` or `sinkhornKnopp`), the batch mean of
 * −Σ_k t_k log softmax(s/τ_s)_k; combined over the pairs by `reduction`.
 *
 * student: [crops, B, K], one crop [B, K], or a list of [B, K]; teacherTargets: [B, K], [T, B, K] or a
 * list. Gradients flow to the student logits only. Returns a new scalar the caller disposes.
 */
export function dinoLoss(
  student: tf.Tensor | readonly tf.Tensor[],
  teacherTargets: tf.Tensor | readonly tf.Tensor[],
  options: DinoLossOptions = {},
): tf.Scalar {
  const studentTemp = options.studentTemp ?? 0.1;
  expectPositive(studentTemp, 'dinoLoss studentTemp');
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') throw new LossError('value', `dinoLoss reduction must be 'mean' or 'sum', got '${String(reduction)}'`);
  return tf.tidy(() => {
    const s = stackCrops(student, 'dinoLoss student');
    const t = stackCrops(teacherTargets, 'dinoLoss teacherTargets');
    const [crops, B, K] = s.shape;
    if (t.shape[1] !== B || t.shape[2] !== K) {
      throw new LossError('shape', `dinoLoss: student crops ${formatShape(s.shape)} and teacher targets ${formatShape(t.shape)} must share [B, K]`);
    }
    // Σ over teachers is linear in the targets, so sum them first: one cross-entropy per student crop.
    const tSum = tf.sum(t, 0);
    const total = tf.div(tf.sum(softCrossEntropy(s, tSum, studentTemp)), B);
    return (reduction === 'sum' ? total : tf.div(total, crops * t.shape[0])) as tf.Scalar;
  });
}

/** [crops, B, K] from one [B, K], a [crops, B, K] tensor or a list of [B, K]. Inside a tidy. */
function stackCrops(x: tf.Tensor | readonly tf.Tensor[], what: string): tf.Tensor3D {
  if (Array.isArray(x)) {
    const list = x as readonly tf.Tensor[];
    if (list.length === 0) throw new LossError('shape', `${what}: the list of crops is empty`);
    for (const c of list) {
      if (c.rank !== 2 || c.shape[0] !== list[0]!.shape[0] || c.shape[1] !== list[0]!.shape[1]) {
        throw new LossError('shape', `${what}: every crop must be [B, K] with the same B and K; got ${list.map((c) => formatShape(c.shape)).join(', ')}`);
      }
    }
    return tf.stack(list as tf.Tensor[]) as tf.Tensor3D;
  }
  const t = x as tf.Tensor;
  if (t.rank === 2) return tf.expandDims(t, 0) as tf.Tensor3D;
  if (t.rank === 3) return t as tf.Tensor3D;
  throw new LossError('shape', `${what} ${formatShape(t.shape)} must be [B, K] or [crops, B, K]`);
}
