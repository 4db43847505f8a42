import * as tf from '@tensorflow/tfjs-core';

/**
 * Cuts NHWC images [B, H, W, 3] into non-overlapping p×p patches flattened in PyTorch Conv2d
 * weight order (channel, row, column): returns [B·h·w, 3·p·p] with patches in row-major grid
 * order. The caller disposes the result.
 */
export function patchify(images: tf.Tensor4D, patch: number): tf.Tensor2D {
  const [B, H, W, C] = images.shape;
  const h = H / patch;
  const w = W / patch;
  return tf.tidy(() => {
    const x = tf.reshape(images, [B * h, patch, w, patch, C]);
    // [B·h, kh, w, kw, c] → [B·h, w, c, kh, kw]
    const t = tf.transpose(x, [0, 2, 4, 1, 3]);
    return tf.reshape(t, [B * h * w, C * patch * patch]) as tf.Tensor2D;
  });
}
