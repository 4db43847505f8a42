import * as tf from '@tensorflow/tfjs-core';

/**
 * Fan-in of the blocked sums below. tfjs backends (wasm, cpu) add up a reduced axis one element
 * at a time in float32, whose error grows with the length (~1e-4 relative over 4096 terms, ~1e-2 over
 * 16M); summing blocks of 64 and then the block sums keeps it near float32 resolution, like the
 * pairwise sums of PyTorch/NumPy. Only innermost-axis reductions are used (the fast path on wasm).
 */
const BLOCK = 64;

/** Σ over the last axis, summed in blocks of 64. Differentiable. Inside a tidy or disposed by the caller. */
export function sumLast(x: tf.Tensor, keepDims = false): tf.Tensor {
  return tf.tidy(() => {
    const lead = x.shape.slice(0, -1);
    let t = x;
    while (t.shape[t.rank - 1]! > BLOCK) {
      const n = t.shape[t.rank - 1]!;
      const m = Math.ceil(n / BLOCK);
      if (m * BLOCK !== n) t = tf.pad(t, [...lead.map(() => [0, 0] as [number, number]), [0, m * BLOCK - n]]);
      t = tf.sum(tf.reshape(t, [...lead, m, BLOCK]), -1);
    }
    return tf.sum(t, -1, keepDims);
  });
}

/** Σ of every element, in blocks. Returns a scalar. */
export function sumAll(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => sumLast(tf.reshape(x, [x.size])) as tf.Scalar);
}

/** Mean of every element, in blocks. Returns a scalar. */
export function meanAll(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(sumAll(x), x.size) as tf.Scalar);
}

/**
 * exp(max(d, −40)) for d ≤ 0 (a max-shifted logit). float32 exp of numbers below about −87 gives
 * subnormals, and arithmetic on subnormals is ~20–100× slower on CPUs (wasm cannot turn on
 * flush-to-zero): a softmax over logits spread by more than ~87 (CLIP at scale 100, DINO at τ 0.04)
 * otherwise crawls. Flooring at e^−40 ≈ 4e−18 (a normal number, and so are its products with
 * gradients) changes a sum whose largest term is 1 by at most n·4e−18: nothing in float32 for any n
 * below 10^10.
 */
export function expFloored(d: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.exp(tf.clipByValue(d, -40, 3e38))); // clipByValue: a fast unary kernel on wasm, unlike a broadcast maximum
}

type GradArg = tf.Tensor | tf.GradSaveFunc;

const lseLastImpl = tf.customGrad((...args: GradArg[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const [e, s, value] = tf.tidy(() => {
    const m = tf.max(x, -1, true);
    const e = expFloored(tf.sub(x, m));
    const s = sumLast(e, true);
    return [e, s, tf.add(m, tf.log(s))];
  });
  save([e, s]);
  return {
    value,
    // d lse / dx = softmax(x) = e / s, from the saved exponentials (no second exp, and no max-gradient:
    // tfjs's own logSumExp backward runs a broadcast `equal` against the max, which is slow on wasm).
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => [tf.mul(dy as tf.Tensor, tf.div(saved[0]!, saved[1]!))],
  };
});

/**
 * log Σ exp over the last axis, max-shifted (no overflow) and block-summed; keeps the reduced axis
 * as size 1 when `keepDims`. Differentiable (gradient = softmax). Returns a new tensor.
 */
export function logSumExpLast(x: tf.Tensor, keepDims = false): tf.Tensor {
  return tf.tidy(() => {
    const r = lseLastImpl(x);
    return keepDims ? r : tf.squeeze(r, [-1]);
  });
}

/** softmax over the last axis (max-shifted, block-summed, subnormal-free; no custom gradient). */
export function softmaxLast(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const e = expFloored(tf.sub(x, tf.max(x, -1, true)));
    return tf.div(e, sumLast(e, true));
  });
}

/** log softmax over the last axis: x − logSumExpLast(x). Returns a new tensor. */
export function logSoftmaxLast(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(x, logSumExpLast(x, true)));
}
