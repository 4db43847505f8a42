import { attr, type GraphBuilder } from './graph';
import { need, transpose2d, type WeightMap } from './weights';

/** Names of a Linear's parameters: a module prefix (`prefix.weight`, `prefix.bias`) or explicit names. */
export interface LinearNames {
  weight: string;
  bias: string;
}

export function linearNames(param: string | LinearNames): LinearNames {
  return typeof param === 'string' ? { weight: `${param}.weight`, bias: `${param}.bias` } : param;
}

/**
 * `x @ W^T + b` for a PyTorch Linear stored [out, in]: the weight is transposed once at export so
 * the graph runs a plain MatMul. `scale` multiplies the first `scaleCols` output columns of weight and
 * bias (used to fold the attention 1/√d into the query projection).
 */
export function linear(
  g: GraphBuilder,
  x: string,
  weights: WeightMap,
  param: string | LinearNames,
  dims: { in: number; out: number },
  fold?: { scale: number; cols: number },
): string {
  const names = linearNames(param);
  const w = need(weights, names.weight, [dims.out, dims.in]);
  const wt = transpose2d(w.data, dims.out, dims.in);
  const b = weights.has(names.bias) ? Float32Array.from(need(weights, names.bias, [dims.out]).data) : null;
  if (fold) {
    for (let r = 0; r < dims.in; r++) for (let c = 0; c < fold.cols; c++) wt[r * dims.out + c] *= fold.scale;
    if (b) for (let c = 0; c < fold.cols; c++) b[c] *= fold.scale;
  }
  const y = g.op('MatMul', [x, g.weight(`${names.weight}_t`, wt, [dims.in, dims.out])]);
  return b ? g.op('Add', [y, g.weight(names.bias, b, [dims.out])]) : y;
}

/** LayerNormalization over the last axis (opset 17). */
export function layerNorm(g: GraphBuilder, x: string, weights: WeightMap, prefix: string, dim: number, eps: number): string {
  const scale = g.weight(`${prefix}.weight`, need(weights, `${prefix}.weight`, [dim]).data, [dim]);
  const bias = g.weight(`${prefix}.bias`, need(weights, `${prefix}.bias`, [dim]).data, [dim]);
  return g.op('LayerNormalization', [x, scale, bias], { axis: attr.i(-1), epsilon: attr.f(eps) }, 'ln');
}

/** `x * gamma` (LayerScale) when the checkpoint has it, else x. */
export function layerScale(g: GraphBuilder, x: string, weights: WeightMap, name: string, dim: number): string {
  if (!weights.has(name)) return x;
  return g.op('Mul', [x, g.weight(name, need(weights, name, [dim]).data, [dim])]);
}

/** The batch size of `x` as a 1-element int64 tensor (for Expand / Reshape targets). */
export function batchDim(g: GraphBuilder, x: string): string {
  const shape = g.op('Shape', [x]);
  return g.op('Slice', [shape, g.ints('zero', [0]), g.ints('one', [1])], {}, 'batch');
}
