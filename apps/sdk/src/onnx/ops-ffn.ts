import { attr, type GraphBuilder } from './graph';
import { linear } from './ops-basic';
import { need, type WeightMap } from './weights';

/** Exact (erf) GELU, torch.nn.GELU's default: x·½·(1 + erf(x/√2)). ORT fuses this pattern into one Gelu kernel. */
export function gelu(g: GraphBuilder, x: string): string {
  const e = g.op('Erf', [g.op('Div', [x, g.scalar('sqrt2', Math.SQRT2)])]);
  const onePlus = g.op('Add', [e, g.scalar('one_f', 1)]);
  return g.op('Mul', [g.op('Mul', [x, onePlus]), g.scalar('half', 0.5)], {}, 'gelu');
}

/** DINOv2 Mlp: fc1 → GELU → fc2. */
export function geluMlp(g: GraphBuilder, x: string, weights: WeightMap, prefix: string, dim: number): string {
  const hidden = need(weights, `${prefix}.fc1.weight`).shape[0]!;
  const h = gelu(g, linear(g, x, weights, `${prefix}.fc1`, { in: dim, out: hidden }));
  return linear(g, h, weights, `${prefix}.fc2`, { in: hidden, out: dim });
}

/** DINOv2 SwiGLUFFNFused: w12 → split in two halves (x1, x2) → silu(x1)·x2 → w3. */
export function swiglu(g: GraphBuilder, x: string, weights: WeightMap, prefix: string, dim: number): string {
  const hidden = need(weights, `${prefix}.w3.weight`).shape[1]!;
  const x12 = linear(g, x, weights, `${prefix}.w12`, { in: dim, out: 2 * hidden });
  const [x1, x2] = g.multi('Split', [x12, g.ints('split_swiglu', [hidden, hidden])], 2, { axis: attr.i(-1) }, 'swiglu');
  const silu = g.op('Mul', [x1!, g.op('Sigmoid', [x1!])], {}, 'silu');
  return linear(g, g.op('Mul', [silu, x2!]), weights, `${prefix}.w3`, { in: hidden, out: dim });
}

/** The TIPS text MLP: c_fc → ReLU → ×keep → c_proj → ×keep (outputs zeroed at padding). `keep` is [B, T, 1]. */
export function reluMaskedMlp(g: GraphBuilder, x: string, weights: WeightMap, prefix: string, dim: number, keep: string): string {
  const hidden = need(weights, `${prefix}.c_fc.weight`).shape[0]!;
  const h = g.op('Mul', [g.op('Relu', [linear(g, x, weights, `${prefix}.c_fc`, { in: dim, out: hidden })]), keep]);
  return g.op('Mul', [linear(g, h, weights, `${prefix}.c_proj`, { in: hidden, out: dim }), keep]);
}
