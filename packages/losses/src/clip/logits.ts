import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { expectRank, formatShape } from '../util/check';
import { l2Normalize, matMulFast } from '../util/ops';

/** A number, or a scalar tensor (e.g. `LogitScale.value()`, so that it trains). */
export type ScalarLike = number | tf.Scalar | tf.Tensor;

/** Validates a paired batch: both [B, D] with the same B and D. */
export function checkPair(image: tf.Tensor, text: tf.Tensor, what: string): void {
  expectRank(image, 2, `${what}: image embeddings`, 'pass [batch, dim]');
  expectRank(text, 2, `${what}: text embeddings`, 'pass [batch, dim]');
  if (image.shape[0] !== text.shape[0] || image.shape[1] !== text.shape[1]) {
    throw new LossError(
      'shape',
      `${what}: image ${formatShape(image.shape)} and text ${formatShape(text.shape)} must both be [batch, dim] with the same batch (row i of each is a matching pair) and dim`,
    );
  }
  if (image.shape[0] < 1) throw new LossError('shape', `${what}: the batch is empty`);
}

/** Throws unless a scalar-like is a finite number or a tensor with exactly one element. */
export function checkScalar(x: ScalarLike, what: string): void {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new LossError('value', `${what} must be finite, got ${x}`);
  } else if (x.size !== 1) {
    throw new LossError('shape', `${what} must be a scalar, got shape ${formatShape(x.shape)}`);
  }
}

/**
 * scale·(Î·T̂ᵀ) (+ bias) [B, B] for image, text [B, D], with Î, T̂ the rows L2-normalised when
 * `normalize` (the default everywhere here). Computed as an untransposed matmul with an explicit
 * transpose. Returns a new tensor the caller disposes (or a tf.tidy does).
 */
export function pairLogits(image: tf.Tensor2D, text: tf.Tensor2D, scale: ScalarLike, normalize: boolean, bias?: ScalarLike): tf.Tensor2D {
  return tf.tidy(() => {
    const img = normalize ? l2Normalize(image) : image;
    const txt = normalize ? l2Normalize(text) : text;
    const s = typeof scale === 'number' ? scale : tf.reshape(scale, []);
    let logits = tf.mul(matMulFast(img, tf.transpose(txt)), s) as tf.Tensor2D;
    if (bias !== undefined) logits = tf.add(logits, typeof bias === 'number' ? bias : tf.reshape(bias, []));
    return logits;
  });
}
