import * as tf from '@tensorflow/tfjs-core';

/**
 * Rows of `table` [V, D] at `ids` (int32, any shape) → [...ids.shape, D]. Differentiable in
 * `table`: the gradient is a scatter-add of the upstream gradient (tf.scatterND sums duplicate
 * ids), which every backend has (tfjs's own gather gradient needs UnsortedSegmentSum, missing on
 * wasm). The caller disposes the result.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const [V, D] = table.shape;
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([flat]);
    return {
      value: tf.reshape(tf.gather(t, flat), [...ids.shape, D]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const idx = tf.reshape(saved[0]!, [-1, 1]);
        return tf.scatterND(idx, tf.reshape(dy, [-1, D]), [V, D]);
      },
    };
  });
  const out = lookup(table);
  flat.dispose();
  return out;
}
