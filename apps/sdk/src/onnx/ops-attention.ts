import { attr, type GraphBuilder } from './graph';
import { linear, linearNames, type LinearNames } from './ops-basic';
import { need, transpose2d, type WeightMap } from './weights';

/** How attention is written: plain ONNX ops (default), or ORT's fused com.microsoft.Attention (opt-in). */
export type AttentionImpl = 'matmul' | 'com.microsoft';

export interface AttentionWeights {
  /** The fused in-projection (Linear [3D, D]): module prefix or explicit names. */
  qkv: string | LinearNames;
  /** The output projection Linear. */
  proj: string | LinearNames;
}

export interface AttentionOptions {
  dim: number;
  heads: number;
  impl: AttentionImpl;
  /** Additive key mask [B, 1, 1, T] (0 keep, −∞ drop), for the matmul form. */
  maskBias?: string;
  /** Key padding mask [B, T] int32 (1 keep, 0 drop), for the fused form. */
  maskIndex?: string;
}

/**
 * Multi-head self-attention on x [B, T, D] with a fused qkv projection, as DINOv2's Attention and
 * torch's nn.MultiheadAttention compute it: q·kᵀ/√d, softmax over keys, ·v, output projection.
 * The matmul form folds 1/√d into the query weights (exact when d is a power of 4, as in every TIPS
 * preset but So400m, whose d = 72 gives a last-bit difference).
 */
export function selfAttention(g: GraphBuilder, x: string, weights: WeightMap, w: AttentionWeights, o: AttentionOptions): string {
  const { dim, heads } = o;
  const hd = dim / heads;
  const scale = 1 / Math.sqrt(hd);
  if (o.impl === 'com.microsoft') return fusedAttention(g, x, weights, w, o);
  const qkv = linear(g, x, weights, w.qkv, { in: dim, out: 3 * dim }, { scale, cols: dim });
  const split = g.op('Reshape', [qkv, g.ints('shape_qkv', [0, 0, 3 * heads, hd])]);
  const bhtd = g.op('Transpose', [split], { perm: attr.ints([0, 2, 1, 3]) });
  const [q, k, v] = g.multi('Split', [bhtd, g.ints('split_heads', [heads, heads, heads])], 3, { axis: attr.i(1) }, 'qkv');
  const kt = g.op('Transpose', [k!], { perm: attr.ints([0, 1, 3, 2]) });
  let scores = g.op('MatMul', [q!, kt], {}, 'scores');
  if (o.maskBias) scores = g.op('Add', [scores, o.maskBias]);
  const probs = g.op('Softmax', [scores], { axis: attr.i(-1) }, 'probs');
  const ctx = g.op('MatMul', [probs, v!]);
  const merged = g.op('Reshape', [g.op('Transpose', [ctx], { perm: attr.ints([0, 2, 1, 3]) }), g.ints('shape_merge', [0, 0, dim])]);
  return linear(g, merged, weights, w.proj, { in: dim, out: dim });
}

function fusedAttention(g: GraphBuilder, x: string, weights: WeightMap, w: AttentionWeights, o: AttentionOptions): string {
  const { dim, heads } = o;
  const names = linearNames(w.qkv);
  const wq = need(weights, names.weight, [3 * dim, dim]);
  const bq = weights.has(names.bias) ? need(weights, names.bias, [3 * dim]).data : new Float32Array(3 * dim);
  const inputs = [x, g.weight(`${names.weight}_t`, transpose2d(wq.data, 3 * dim, dim), [dim, 3 * dim]), g.weight(names.bias, bq, [3 * dim])];
  if (o.maskIndex) inputs.push(o.maskIndex);
  const ctx = g.op('Attention', inputs, { num_heads: attr.i(heads) }, 'attention', 'com.microsoft');
  return linear(g, ctx, weights, w.proj, { in: dim, out: dim });
}
