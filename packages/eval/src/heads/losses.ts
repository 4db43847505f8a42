import * as tf from '@tensorflow/tfjs-core';

/**
 * Pixel-wise softmax cross-entropy of logits [B, H, W, C] against int32 labels [B, H, W], averaged
 * over the labelled pixels (label ≠ ignoreIndex), as mmsegmentation's CrossEntropyLoss with
 * `ignore_index` (what DINOv2's linear segmentation probe trains with).
 */
export function segmentationCrossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D, ignoreIndex: number): tf.Scalar {
  return tf.tidy(() => {
    const C = logits.shape[3];
    const flat = tf.reshape(logits, [-1, C]) as tf.Tensor2D;
    const y = tf.reshape(labels, [-1]);
    const valid = tf.cast(tf.notEqual(y, ignoreIndex), 'float32');
    const safe = tf.where(tf.cast(valid, 'bool'), y, tf.zerosLike(y)) as tf.Tensor1D;
    const onehot = tf.oneHot(tf.cast(safe, 'int32') as tf.Tensor1D, C);
    const ce = tf.sub(tf.logSumExp(flat, -1), tf.sum(tf.mul(flat, onehot), -1));
    return tf.div(tf.sum(tf.mul(ce, valid)), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
  });
}

/** Softmax cross-entropy of logits [B, C] against int32 labels [B] (mean over the batch). */
export function classificationCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const C = logits.shape[1];
    const onehot = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, C);
    return tf.mean(tf.sub(tf.logSumExp(logits, -1), tf.sum(tf.mul(logits, onehot), -1))) as tf.Scalar;
  });
}

export interface SigLossOptions {
  /** Added inside the logs (DINOv2: 1e-3, "avoid grad explode"). */
  eps?: number;
  /** Weight of the squared mean log error (DINOv2 / AdaBins: 0.15). */
  lambda?: number;
  /** Ground truth above this is ignored as well as gt ≤ 0 (default: none). */
  maxDepth?: number;
}

/**
 * Scale-invariant log loss (Eigen et al. 2014) in the form of DINOv2's `SigLoss` (from AdaBins), the
 * loss of its linear depth probe: g = log(pred + ε) − log(gt + ε) over the valid pixels of the whole
 * batch (gt > 0), loss = sqrt(Var(g) + λ·mean(g)²), with the unbiased variance as torch.var.
 * A 1e-12 inside the root keeps the gradient finite at a perfect fit.
 */
export function sigLoss(pred: tf.Tensor, gt: tf.Tensor, options: SigLossOptions = {}): tf.Scalar {
  const eps = options.eps ?? 1e-3;
  const lambda = options.lambda ?? 0.15;
  return tf.tidy(() => {
    let valid = tf.greater(gt, 0);
    if (options.maxDepth !== undefined) valid = tf.logicalAnd(valid, tf.lessEqual(gt, options.maxDepth));
    const v = tf.cast(valid, 'float32');
    const g = tf.mul(tf.sub(tf.log(tf.add(pred, eps)), tf.log(tf.add(tf.maximum(gt, 0), eps))), v);
    const n = tf.maximum(tf.sum(v), 1);
    const mean = tf.div(tf.sum(g), n);
    const centred = tf.mul(tf.sub(g, mean), v);
    const variance = tf.div(tf.sum(tf.square(centred)), tf.maximum(tf.sub(n, 1), 1));
    return tf.sqrt(tf.add(tf.add(variance, tf.mul(lambda, tf.square(mean))), 1e-12)) as tf.Scalar;
  });
}
