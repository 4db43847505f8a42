import * as tf from '@tensorflow/tfjs-core';
import { dense } from '@tips/runtime';

export type BinsReadout = 'linear' | 'softmax';

/**
 * Depth as the expectation of bin centres under a distribution over bins, from logits [M, K]
 * (DINOv2's DepthBaseDecodeHead.depth_pred with classify=True):
 * - 'linear': p = (relu(l) + 0.1) / Σ(relu(l) + 0.1) (AdaBins' normalisation, DINOv2's default);
 * - 'softmax': p = softmax(l).
 * Returns [M, 1]. Differentiable in the logits with a closed-form gradient (one fused pass instead
 * of differentiating the normalisation op by op): ∂d/∂l_k = (b_k − d)·1[l_k > 0] / Σr for 'linear'
 * and p_k·(b_k − d) for 'softmax'. The caller disposes the result.
 */
export function binsExpectation(logits: tf.Tensor2D, bins: Float32Array, readout: BinsReadout): tf.Tensor2D {
  const K = bins.length;
  const f = (l: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const b = tf.tensor2d(bins, [K, 1]);
    const brow = tf.reshape(b, [1, K]);
    let depth: tf.Tensor2D;
    if (readout === 'softmax') {
      const p = tf.softmax(l, -1) as tf.Tensor2D;
      depth = dense(p, b) as tf.Tensor2D;
      save([p, depth, brow]);
    } else {
      const r = tf.add(tf.relu(l), 0.1) as tf.Tensor2D;
      const s = tf.sum(r, -1, true);
      depth = tf.div(dense(r, b), s) as tf.Tensor2D;
      save([tf.cast(tf.greater(l, 0), 'float32'), depth, brow, s]);
    }
    return {
      value: depth,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [a, d, br, s] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D | undefined];
        const centred = tf.sub(br, d); // [M, K]: b_k − d
        return readout === 'softmax' ? tf.mul(tf.mul(centred, a), dy) : tf.mul(tf.mul(centred, a), tf.div(dy, s!));
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(logits) as tf.Tensor2D;
}
