import * as tf from '@tensorflow/tfjs-core';

export interface AttentionOptions {
  heads: number;
  /** [B, Tk] with 1 where a key may be attended to and 0 where it is padding. */
  keyMask?: tf.Tensor2D | null;
  /** Scale applied to q·k; default 1/sqrt(head dim). */
  scale?: number;
}

/**
 * Scaled dot-product multi-head attention. q [B, Tq, D], k and v [B, Tk, D] (D = heads·headDim,
 * heads laid out contiguously as PyTorch's reshape(B, T, H, Dh) does). Returns [B, Tq, D], the
 * heads concatenated, before any output projection. The caller disposes the result.
 */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, options: AttentionOptions): tf.Tensor3D {
  const { heads } = options;
  return tf.tidy(() => {
    const [B, Tq, D] = q.shape;
    const Tk = k.shape[1];
    const dh = D / heads;
    const scale = options.scale ?? 1 / Math.sqrt(dh);
    const split = (t: tf.Tensor3D, T: number) => tf.transpose(tf.reshape(t, [B, T, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
    const qh = tf.mul(split(q, Tq), scale) as tf.Tensor4D;
    const kh = split(k, Tk);
    const vh = split(v, Tk);
    let logits = tf.matMul(tf.reshape(qh, [B * heads, Tq, dh]), tf.reshape(kh, [B * heads, Tk, dh]), false, true) as tf.Tensor3D;
    if (options.keyMask) {
      const bias = tf.mul(tf.sub(1, options.keyMask), -1e9); // [B, Tk]
      const b4 = tf.reshape(bias, [B, 1, 1, Tk]);
      logits = tf.reshape(tf.add(tf.reshape(logits, [B, heads, Tq, Tk]), b4), [B * heads, Tq, Tk]);
    }
    const attn = tf.softmax(logits, -1);
    const out = tf.matMul(attn, tf.reshape(vh, [B * heads, Tk, dh])); // [B*H, Tq, dh]
    return tf.reshape(tf.transpose(tf.reshape(out, [B, heads, Tq, dh]), [0, 2, 1, 3]), [B, Tq, D]) as tf.Tensor3D;
  });
}
