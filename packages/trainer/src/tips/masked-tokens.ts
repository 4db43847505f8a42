import * as tf from '@tensorflow/tfjs-core';
import { dense } from '@tips/runtime';
import { softCrossEntropy } from '@tips/losses';

/**
 * The masked patch tokens of a micro-batch: which rows of the flattened [B·N] token grid the student
 * saw as mask tokens, and each one's weight in iBOT's loss, 1 / (masked tokens of its image · B) — so
 * that the weighted sum equals DINOv2's per-image mean over masked tokens, averaged over the images
 * (an image without masked tokens adds nothing and still counts in B).
 */
export interface MaskedTokens {
  rows: Int32Array;
  weights: Float32Array;
  /** B·N, the number of rows the selection is taken from. */
  total: number;
}

/** The selection for a [B, N] mask (1 = masked); null when no token is masked. */
export function maskedTokensOf(mask: Uint8Array, B: number, N: number): MaskedTokens | null {
  const counts = new Int32Array(B);
  for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) if (mask[b * N + n]) counts[b]!++;
  const M = counts.reduce((a, c) => a + c, 0);
  if (M === 0) return null;
  const rows = new Int32Array(M);
  const weights = new Float32Array(M);
  let i = 0;
  for (let b = 0; b < B; b++) {
    for (let n = 0; n < N; n++) {
      if (!mask[b * N + n]) continue;
      rows[i] = b * N + n;
      weights[i++] = 1 / (counts[b]! * B);
    }
  }
  return { rows, weights, total: B * N };
}

/**
 * Rows `sel.rows` of x [B, N, C] as [M, C]. Differentiable in x through a one-hot selection matrix
 * and runtime's `dense` (plain matmuls forward and backward): tfjs's `gather` would need
 * `UnsortedSegmentSum` for its gradient, which the wasm backend does not have.
 */
export function selectTokens(x: tf.Tensor3D, sel: MaskedTokens): tf.Tensor2D {
  return tf.tidy(() => {
    const C = x.shape[2];
    const oneHot = new Float32Array(sel.rows.length * sel.total);
    sel.rows.forEach((r, i) => (oneHot[i * sel.total + r] = 1));
    return dense(tf.tensor2d(oneHot, [sel.rows.length, sel.total]), tf.reshape(x, [sel.total, C]) as tf.Tensor2D) as tf.Tensor2D;
  });
}

/**
 * iBOT's loss (visible weight 0) with the student's patch head applied to the masked tokens only, as
 * DINOv2's `forward_masked` does: equal to `ibotLoss(head(patches), targets, mask)` at a fraction of
 * the head's cost and memory (the head's [B·N, K] logits shrink to [M, K]).
 * patches: student tokens [B, N, D]; targets: teacher distributions [B, N, K] (no gradient).
 */
export function maskedIbotLoss(head: (x: tf.Tensor) => tf.Tensor, patches: tf.Tensor3D, targets: tf.Tensor3D, sel: MaskedTokens, studentTemp: number): tf.Scalar {
  return tf.tidy(() => {
    const K = targets.shape[2];
    const logits = head(selectTokens(patches, sel));
    const chosen = tf.gather(tf.reshape(targets, [sel.total, K]), tf.tensor1d(sel.rows, 'int32'));
    const ce = softCrossEntropy(logits, chosen, studentTemp);
    return tf.sum(tf.mul(ce, tf.tensor1d(sel.weights))) as tf.Scalar;
  });
}
