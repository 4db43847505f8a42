import * as tf from '@tensorflow/tfjs-core';
import { dense, gelu, layerNorm, multiHeadAttention, silu } from '@tips/runtime';
import { ffnHiddenDim, type VisionTransformer } from '@tips/vit-core';
import { EvalInputError } from '../errors';

/**
 * How the last transformer block mixes tokens when computing patch embeddings:
 * - 'attention': the block as trained (reproduces the tower's own patch tokens);
 * - 'values': MaskCLIP's "values trick" (Zhou et al. 2022), which TIPS uses for zero-shot
 *   segmentation (TIPS_zeroshot_segmentation.ipynb, `encode_image_value_attention`): the attention
 *   output is replaced by the value projection of each token itself (v → proj → LayerScale), the
 *   MLP branch is kept, then the final norm.
 */
export type LastBlockMode = 'attention' | 'values';

/**
 * Runs the last block of `encoder` on its input `x` [B, T, D] (the output of block depth−2 before
 * any norm: forward with layers [depth − 2] and normLayers false) and returns the patch tokens
 * [B, N, D] after the final norm. Uses the tower's own parameters and the same @tips/runtime ops
 * as @tips/vit-core. Returns a new tensor (the caller disposes it).
 */
export function lastBlockPatches(encoder: VisionTransformer, x: tf.Tensor3D, patchCount: number, mode: LastBlockMode): tf.Tensor3D {
  const cfg = encoder.config;
  if (cfg.depth < 2) throw new EvalInputError('the values trick needs an image tower with at least 2 blocks');
  const p = (name: string) => encoder.params.get(name);
  const b = `blocks.${cfg.depth - 1}.`;
  const [B, T, D] = x.shape;
  return tf.tidy(() => {
    const ls = (t: tf.Tensor, name: string) => (cfg.layerScale ? tf.mul(t, p(name)) : t);
    const n1 = layerNorm(x, p(`${b}norm1.weight`) as tf.Tensor1D, p(`${b}norm1.bias`) as tf.Tensor1D, cfg.eps);
    const qkv = dense(n1, p(`${b}attn.qkv.weight`) as tf.Tensor2D, cfg.qkvBias ? (p(`${b}attn.qkv.bias`) as tf.Tensor1D) : null);
    const [q, k, v] = tf.split(qkv, 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const mixed = mode === 'values' ? v : multiHeadAttention(q, k, v, { heads: cfg.heads });
    const proj = dense(mixed, p(`${b}attn.proj.weight`) as tf.Tensor2D, p(`${b}attn.proj.bias`) as tf.Tensor1D);
    let y: tf.Tensor = tf.add(x, ls(proj, `${b}ls1.gamma`));
    const n2 = layerNorm(y, p(`${b}norm2.weight`) as tf.Tensor1D, p(`${b}norm2.bias`) as tf.Tensor1D, cfg.eps);
    let f: tf.Tensor;
    if (cfg.ffn === 'swiglu') {
      const H = ffnHiddenDim(cfg);
      const x12 = dense(n2, p(`${b}mlp.w12.weight`) as tf.Tensor2D, p(`${b}mlp.w12.bias`) as tf.Tensor1D);
      f = dense(tf.mul(silu(tf.slice(x12, [0, 0, 0], [B, T, H])), tf.slice(x12, [0, 0, H], [B, T, H])), p(`${b}mlp.w3.weight`) as tf.Tensor2D, p(`${b}mlp.w3.bias`) as tf.Tensor1D);
    } else {
      f = dense(gelu(dense(n2, p(`${b}mlp.fc1.weight`) as tf.Tensor2D, p(`${b}mlp.fc1.bias`) as tf.Tensor1D)), p(`${b}mlp.fc2.weight`) as tf.Tensor2D, p(`${b}mlp.fc2.bias`) as tf.Tensor1D);
    }
    y = tf.add(y, ls(f, `${b}ls2.gamma`));
    const out = layerNorm(y, p('norm.weight') as tf.Tensor1D, p('norm.bias') as tf.Tensor1D, cfg.eps);
    return tf.slice(out, [0, T - patchCount, 0], [B, patchCount, D]) as tf.Tensor3D;
  });
}
