import * as tf from '@tensorflow/tfjs-core';

/** What a hand-written op returns from its forward pass: the output and its backward pass. */
export interface CustomOpResult<T extends tf.Tensor> {
  value: T;
  /** Gradients with respect to each input, in the order of `inputs`; `saved` holds what forward saved. */
  gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * Runs `forward` as one differentiable op over `inputs` (tf.customGrad with typed arguments).
 * `forward` reads the input tensors from its closure and calls `save` with every tensor the
 * backward pass needs (intermediates not saved are freed when forward returns; saved ones are
 * freed by tfjs after backprop, and are not kept at all when no gradient tape is recording).
 */
export function customOp<T extends tf.Tensor>(inputs: tf.Tensor[], forward: (save: tf.GradSaveFunc) => CustomOpResult<T>): T {
  const f = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => forward(args[args.length - 1] as tf.GradSaveFunc)) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(...inputs) as T;
}
