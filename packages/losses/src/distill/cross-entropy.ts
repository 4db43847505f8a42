import * as tf from '@tensorflow/tfjs-core';
import { logSoftmaxLast, sumLast } from '../util/reduce';

/**
 * −Σ_k target_k · log softmax(student/τ_s)_k over the last axis (DINOv2's `lossfunc` with the sign
 * folded in). student, targets: [..., K] (targets broadcast). Returns [...] as a new tensor the caller
 * disposes (or a tf.tidy does).
 */
export function softCrossEntropy(student: tf.Tensor, targets: tf.Tensor, studentTemp: number): tf.Tensor {
  return tf.tidy(() => tf.neg(sumLast(tf.mul(targets, logSoftmaxLast(tf.div(student, studentTemp))))));
}
