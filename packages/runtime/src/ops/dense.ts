import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';
import { sumRows } from './wasm-kernels';
import { useFastOps } from './path';

/**
 * Affine layer y = x·W + b over the last axis. `w` is [in, out] (already transposed from
 * PyTorch's [out, in] at load time, so no transposed matmul runs in the forward pass);
 * `x` is [..., in]. Returns a new tensor the caller disposes (or a tf.tidy does).
 *
 * Differentiable in x, w and b. On the fast path (see setOpsPath; the default on wasm and cpu) the
 * gradient avoids transposed matmuls: dX = dY·transpose(W) and dW = transpose(X)·dY, each an
 * explicit Transpose followed by a plain 2-D matmul, the bias gradient a row sum (sumRows), and the
 * forward fuses the bias into the matmul.
 */
export function dense(x: tf.Tensor, w: tf.Tensor2D, b?: tf.Tensor1D | null): tf.Tensor {
  return tf.tidy(() => {
    const inDim = w.shape[0];
    const outDim = w.shape[1];
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? (x as tf.Tensor2D) : (tf.reshape(x, [-1, inDim]) as tf.Tensor2D);
    const y = useFastOps() ? denseFast2d(x2, w, b ?? null) : denseReference2d(x2, w, b ?? null);
    return x.rank === 2 ? y : tf.reshape(y, [...lead, outDim]);
  });
}

function denseReference2d(x2: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor2D {
  const y = tf.matMul(x2, w) as tf.Tensor2D;
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** x2 [M, K] · w [K, N] (+ b [N]) whose backward pass is made of plain matmuls. */
function denseFast2d(x2: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor2D {
  return customOp(b ? [x2, w, b] : [x2, w], (save) => {
    save([x2, w]);
    return {
      value: (b ? tf.fused.matMul({ a: x2, b: w, bias: b }) : tf.matMul(x2, w)) as tf.Tensor2D,
      gradFunc: (dy, [xs, ws]) => {
        const grads = [tf.matMul(dy, tf.transpose(ws!) as tf.Tensor2D), tf.matMul(tf.transpose(xs!) as tf.Tensor2D, dy)];
        if (b) grads.push(sumRows(dy));
        return grads;
      },
    };
  });
}
