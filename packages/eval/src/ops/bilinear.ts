import * as tf from '@tensorflow/tfjs-core';
import { plainBatchMatMul } from '@tips/runtime';
import { EvalInputError } from '../errors';

/**
 * Interpolation matrix [outSize, inSize] of bilinear resizing without antialiasing and with
 * half-pixel centres, i.e. PyTorch's `F.interpolate(mode='bilinear', align_corners=False)` (what
 * DINOv2's and mmsegmentation's heads use to bring logits to the label size): source coordinate
 * max(0, (i + 0.5)·in/out − 0.5), linear weights between its two neighbours, clamped at the border.
 */
export function bilinearMatrix(inSize: number, outSize: number): Float32Array {
  if (!(Number.isInteger(inSize) && inSize > 0 && Number.isInteger(outSize) && outSize > 0)) {
    throw new EvalInputError(`bilinear resize needs positive integer sizes, got ${inSize} → ${outSize}`);
  }
  const m = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const src = Math.max(0, (i + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const l1 = src - i0;
    m[i * inSize + i0]! += 1 - l1;
    m[i * inSize + i1]! += l1;
  }
  return m;
}

/**
 * Resizes channel-last maps [h, w, C] (row-major, plain arrays) to [H, W, C] bilinearly
 * (same interpolation as bilinearMatrix). Pure JS; for evaluation-time maps.
 */
export function resizeMapsBilinear(x: ArrayLike<number>, h: number, w: number, channels: number, H: number, W: number): Float32Array {
  if (x.length !== h * w * channels) throw new EvalInputError(`maps hold ${x.length} values, not ${h}×${w}×${channels}`);
  const ah = bilinearMatrix(h, H);
  const aw = bilinearMatrix(w, W);
  // Along x first: [h, W, C].
  const tmp = new Float32Array(h * W * channels);
  for (let y = 0; y < h; y++) {
    for (let X = 0; X < W; X++) {
      for (let xi = 0; xi < w; xi++) {
        const a = aw[X * w + xi]!;
        if (a === 0) continue;
        const src = (y * w + xi) * channels;
        const dst = (y * W + X) * channels;
        for (let c = 0; c < channels; c++) tmp[dst + c]! += a * x[src + c]!;
      }
    }
  }
  const out = new Float32Array(H * W * channels);
  for (let Y = 0; Y < H; Y++) {
    for (let yi = 0; yi < h; yi++) {
      const a = ah[Y * h + yi]!;
      if (a === 0) continue;
      const src = yi * W * channels;
      const dst = Y * W * channels;
      for (let k = 0; k < W * channels; k++) out[dst + k]! += a * tmp[src + k]!;
    }
  }
  return out;
}

function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

/**
 * y[i] = A·x[i] for every i of x [n, k, m], with A [K, k] a constant matrix: a plain batched matmul
 * (@tips/runtime's plainBatchMatMul, XNNPACK on wasm) whose gradient dx[i] = Aᵀ·dy[i] is one too.
 */
function applyLeft(a: Float32Array, K: number, k: number, x: tf.Tensor3D): tf.Tensor3D {
  const n = x.shape[0];
  const f = (xs: tf.Tensor3D, save: tf.GradSaveFunc) => {
    const aT = tf.tile(tf.tensor3d(transposeMatrix(a, K, k), [1, k, K]), [n, 1, 1]) as tf.Tensor3D;
    save([aT]);
    const A = tf.tile(tf.tensor3d(a, [1, K, k]), [n, 1, 1]) as tf.Tensor3D;
    return { value: plainBatchMatMul(A, xs), gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => plainBatchMatMul(saved[0] as tf.Tensor3D, dy) };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x) as tf.Tensor3D;
}

/**
 * Differentiable bilinear resize of channel-last maps [B, h, w, C] → [B, H, W, C] (interpolation of
 * bilinearMatrix) as two plain batched matmuls with the interpolation matrices — no transposes,
 * forward and backward on wasm's fast matmul path. Returns a new tensor (the caller, or the
 * enclosing tidy, disposes it).
 */
export function upsampleBilinear(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  const [B, h, w, C] = x.shape;
  const [H, W] = size;
  if (H === h && W === w) return tf.clone(x);
  return tf.tidy(() => {
    let y: tf.Tensor = x;
    // Along x: for each image row, [W, w]·[w, C].
    if (W !== w) y = applyLeft(bilinearMatrix(w, W), W, w, tf.reshape(y, [B * h, w, C]) as tf.Tensor3D);
    // Along y: for each image, [H, h]·[h, W·C].
    if (H !== h) y = applyLeft(bilinearMatrix(h, H), H, h, tf.reshape(y, [B, h, W * C]) as tf.Tensor3D);
    return tf.reshape(y, [B, H, W, C]) as tf.Tensor4D;
  });
}
