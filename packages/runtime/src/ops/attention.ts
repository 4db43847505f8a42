import * as tf from '@tensorflow/tfjs-core';
import { plainBatchMatMul } from './wasm-kernels';
import { customOp } from './custom-grad';
import { useFastOps } from './path';

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
 *
 * Padded keys get a −1e9 logit bias before the softmax (a row whose keys are all padding attends
 * uniformly, as with the reference). Differentiable in q, k and v (not in the mask).
 *
 * The fast path (see setOpsPath) lays the heads out as [B·H, T, Dh] once, runs every product of
 * the forward and backward passes — q·kᵀ, p·v, dO·vᵀ, pᵀ·dO, dS·k, dSᵀ·q — as plain batched
 * matmuls (explicit transposes, XNNPACK per head on wasm, see plainBatchMatMul) and computes the
 * softmax gradient in closed form, p ⊙ (dP − Σ dP⊙p).
 */
export function multiHeadAttention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, options: AttentionOptions): tf.Tensor3D {
  const { heads } = options;
  const [B, Tq, D] = q.shape;
  const Tk = k.shape[1];
  const dh = D / heads;
  const scale = options.scale ?? 1 / Math.sqrt(dh);
  return tf.tidy(() => {
    // Additive logit bias for padded keys, broadcast over heads and queries: [B, 1, 1, Tk].
    const bias = options.keyMask ? tf.reshape(tf.mul(tf.sub(1, options.keyMask), -1e9), [B, 1, 1, Tk]) : null;
    if (useFastOps()) return attentionFast(q, k, v, heads, scale, bias);
    const split = (t: tf.Tensor3D, T: number) => tf.transpose(tf.reshape(t, [B, T, heads, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
    const qh = tf.mul(split(q, Tq), scale) as tf.Tensor4D;
    const kh = split(k, Tk);
    const vh = split(v, Tk);
    let logits = tf.matMul(tf.reshape(qh, [B * heads, Tq, dh]), tf.reshape(kh, [B * heads, Tk, dh]), false, true) as tf.Tensor3D;
    if (bias) logits = tf.reshape(tf.add(tf.reshape(logits, [B, heads, Tq, Tk]), bias), [B * heads, Tq, Tk]);
    const attn = tf.softmax(logits, -1);
    const out = tf.matMul(attn, tf.reshape(vh, [B * heads, Tk, dh])); // [B*H, Tq, dh]
    return tf.reshape(tf.transpose(tf.reshape(out, [B, heads, Tq, dh]), [0, 2, 1, 3]), [B, Tq, D]) as tf.Tensor3D;
  });
}

function attentionFast(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, heads: number, scale: number, bias: tf.Tensor | null): tf.Tensor3D {
  const [B, Tq, D] = q.shape;
  const Tk = k.shape[1];
  const dh = D / heads;
  const BH = B * heads;
  // [B, T, D] → [B·H, T, Dh] (perm [0, 2, 1, 3]) or → [B·H, Dh, T] (perm [0, 2, 3, 1]).
  const toHeads = (t: tf.Tensor, T: number, perm: number[]) =>
    tf.reshape(tf.transpose(tf.reshape(t, [B, T, heads, dh]), perm), perm[2] === 1 ? [BH, T, dh] : [BH, dh, T]) as tf.Tensor3D;
  // [B·H, T, Dh] → [B, T, D], and [B·H, Dh, T] → [B, T, D].
  const fromHeads = (t: tf.Tensor, T: number) => tf.reshape(tf.transpose(tf.reshape(t, [B, heads, T, dh]), [0, 2, 1, 3]), [B, T, D]) as tf.Tensor3D;
  const fromHeadsT = (t: tf.Tensor, T: number) => tf.reshape(tf.transpose(tf.reshape(t, [B, heads, dh, T]), [0, 3, 1, 2]), [B, T, D]) as tf.Tensor3D;
  const swap = (t: tf.Tensor3D) => tf.transpose(t, [0, 2, 1]) as tf.Tensor3D;
  return customOp([q, k, v], (save) => {
    const qs = tf.mul(q, scale);
    const qh = toHeads(qs, Tq, [0, 2, 1, 3]);
    const kT = toHeads(k, Tk, [0, 2, 3, 1]);
    const vh = toHeads(v, Tk, [0, 2, 1, 3]);
    let logits = plainBatchMatMul(qh, kT); // [BH, Tq, Tk]
    if (bias) logits = tf.reshape(tf.add(tf.reshape(logits, [B, heads, Tq, Tk]), bias), [BH, Tq, Tk]);
    const p = tf.softmax(logits, -1) as tf.Tensor3D;
    save([qs, kT, vh, p]);
    return {
      value: fromHeads(plainBatchMatMul(p, vh), Tq),
      // Every product is plain; the transposed ones (dVᵀ = dOᵀ·P, dKᵀ = Qᵀ·dS) avoid transposing the
      // Tq×Tk matrices P and dS, which are larger than the T×Dh ones once T > Dh.
      gradFunc: (dy, saved) => {
        const [qsS, kTs, vs, ps] = saved as tf.Tensor3D[];
        const dO = toHeads(dy, Tq, [0, 2, 1, 3]); // [BH, Tq, dh]
        const dOT = toHeads(dy, Tq, [0, 2, 3, 1]); // [BH, dh, Tq]
        const dP = plainBatchMatMul(dO, swap(vs!)); // [BH, Tq, Tk]
        const dVT = plainBatchMatMul(dOT, ps!); // [BH, dh, Tk]
        const dS = tf.mul(ps!, tf.sub(dP, tf.sum(tf.mul(dP, ps!), -1, true))) as tf.Tensor3D;
        const dQ = tf.mul(plainBatchMatMul(dS, swap(kTs!)), scale); // [BH, Tq, dh]
        const dKT = plainBatchMatMul(toHeads(qsS!, Tq, [0, 2, 3, 1]), dS); // [BH, dh, Tk]
        return [fromHeads(dQ, Tq), fromHeadsT(dKT, Tk), fromHeadsT(dVT, Tk)];
      },
    };
  });
}
