import * as tf from '@tensorflow/tfjs-core';

/**
 * a·b for a [M, K] and b [K, N]. On tfjs-wasm, whose matmul is fast only in its untransposed
 * form, the gradient is routed through explicit transposes (dA = dy·transpose(b),
 * dB = transpose(a)·dy) instead of tfjs's default transposed-operand matmuls; on other backends
 * this is plain `tf.matMul`. Returns a new tensor the caller disposes.
 */
export function matMulFast(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  return fastMatMulWasm(a, b);
}

type GradArg = tf.Tensor | tf.GradSaveFunc;

const fastMatMulWasm = tf.customGrad((...args: GradArg[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(sb)), tf.matMul(tf.transpose(sa), g)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * x [..., in]·w [in, out] (+ b [out]) over the last axis through `matMulFast`. Returns a new tensor
 * [..., out] the caller disposes.
 */
export function linear(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const [inDim, outDim] = w.shape;
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inDim]) as tf.Tensor2D);
    let y: tf.Tensor = matMulFast(x2, w);
    if (b) y = tf.add(y, b);
    return x.rank === 2 ? y : tf.reshape(y, [...lead, outDim]);
  });
}

/**
 * Identity in the forward pass, zero gradient in the backward pass (PyTorch's `.detach()` /
 * `torch.no_grad()` for teacher targets). Returns a new tensor the caller disposes.
 */
export const stopGradient = tf.customGrad((...args: GradArg[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.zerosLike(dy as tf.Tensor)] };
}) as <T extends tf.Tensor>(x: T) => T;

/**
 * x / max(‖x‖₂, eps) along the last axis, as PyTorch's `F.normalize(x, dim=-1, eps=1e-12)`. The norm
 * is taken as sqrt(max(Σx², eps²)) so that an all-zero row has a zero (not NaN) gradient. Returns a
 * new tensor the caller disposes.
 */
export function l2Normalize<T extends tf.Tensor>(x: T, eps = 1e-12): T {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), -1, true);
    return tf.div(x, tf.sqrt(tf.maximum(sq, eps * eps))) as T;
  });
}

/**
 * The diagonal of a square matrix m [B, B] as [B], exact (the same numbers as m[i][i]) and
 * differentiable on every backend (pad + reshape + slice; no gather, whose gradient tfjs-wasm lacks).
 */
export function diagonal(m: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const b = m.shape[0];
    const flat = tf.pad(tf.reshape(m, [b * b]), [[0, b]]);
    return tf.reshape(tf.slice(tf.reshape(flat, [b, b + 1]), [0, 0], [b, 1]), [b]) as tf.Tensor1D;
  });
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)), as PyTorch's `nn.GELU()` default. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}
