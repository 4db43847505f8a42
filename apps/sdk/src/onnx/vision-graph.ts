import type { VitConfig } from '@tips/vit-core/config';
import { ExportError } from '../errors';
import { attr, GraphBuilder } from './graph';
import { batchDim, layerNorm, layerScale } from './ops-basic';
import { selfAttention } from './ops-attention';
import { geluMlp, swiglu } from './ops-ffn';
import { resizedPatchPositions } from './pos-embed';
import { inGraphPatchPositions } from './pos-embed-graph';
import { towerOpset, type TowerGraphOptions } from './tower-options';
import { need, type WeightMap } from './weights';

export interface VisionGraphOptions extends TowerGraphOptions {
  /** Input height and width in pixels (multiples of the patch size); fixed in the graph unless `dynamicSize`. */
  height: number;
  width: number;
  /**
   * Any input size (multiples of the patch size) in one graph: the position-embedding resize runs in
   * the graph (ONNX Resize with antialias, opset ≥ 18). height/width then only name the default size.
   */
  dynamicSize?: boolean;
}

/** Graph I/O names of an exported image tower. */
export const VISION_IO = { input: 'pixel_values', cls1: 'cls1', cls2: 'cls2', patches: 'patches' } as const;

/**
 * The TIPS image tower as an ONNX graph, built from the official weights and the DINOv2 block
 * definition (google-deepmind/tips pytorch/image_encoder.py): Conv patch embedding, CLS + position
 * embeddings (resized here, at export, for the fixed input size), the register token (TIPS's second
 * CLS) inserted after the CLS without a position embedding, pre-LN blocks with LayerScale and a GELU
 * MLP or fused SwiGLU, and a final LayerNorm (eps from the config, 1e-6).
 * Input `pixel_values` [batch, 3, H, W] RGB in [0, 1]; outputs `cls1` [batch, D], `cls2` [batch, D],
 * `patches` [batch, H/14·W/14, D] (row-major patch grid), all after the final norm.
 */
export function buildVisionGraph(weights: WeightMap, config: VitConfig, options: VisionGraphOptions): Uint8Array {
  const { height: H, width: W } = options;
  const p = config.patchSize;
  const D = config.embedDim;
  if (!(H > 0 && W > 0 && H % p === 0 && W % p === 0)) {
    throw new ExportError(`image size ${H}×${W} is not a positive multiple of the patch size ${p}; use e.g. ${Math.max(p, Math.round(H / p) * p)}×${Math.max(p, Math.round(W / p) * p)}`);
  }
  if (config.registers < 1) throw new ExportError('the image tower has no register token; TIPS needs one (the second CLS)');
  const dynamic = options.dynamicSize ?? false;
  const opset = dynamic ? towerOpset(options.opset, 18, 'a dynamic image size (Resize with antialias)') : towerOpset(options.opset, 17, 'LayerNormalization');
  const h = H / p;
  const w = W / p;
  const N = h * w;
  const R = config.registers;
  const impl = options.attention ?? 'matmul';
  const g = new GraphBuilder({ weightDtype: options.weightDtype, externalData: options.externalData });

  const pixels = g.input(VISION_IO.input, 'float32', dynamic ? ['batch', 3, 'height', 'width'] : ['batch', 3, H, W]);
  const pw = need(weights, 'patch_embed.proj.weight', [D, 3, p, p]);
  const pb = need(weights, 'patch_embed.proj.bias', [D]);
  const conv = g.op('Conv', [pixels, g.weight('patch_embed.proj.weight', pw.data, pw.shape), g.weight('patch_embed.proj.bias', pb.data, [D])], {
    kernel_shape: attr.ints([p, p]),
    strides: attr.ints([p, p]),
  });
  const tokens = g.op('Transpose', [g.op('Reshape', [conv, g.ints('shape_flat', [0, D, -1])])], { perm: attr.ints([0, 2, 1]) }, 'patch_tokens');

  const pos = need(weights, 'pos_embed');
  if (pos.shape.length !== 3 || pos.shape[2] !== D) throw new ExportError(`pos_embed has shape [${pos.shape.join(', ')}], expected [1, G²+1, ${D}]`);
  const posPatches = dynamic ? inGraphPatchPositions(g, pos, conv) : g.weight('pos_embed_patches', resizedPatchPositions(pos, h, w), [1, N, D]);
  const placed = g.op('Add', [tokens, posPatches]);

  // [CLS + its position embedding, registers...] as one [1, 1+R, D] constant, expanded over the batch.
  const cls = need(weights, 'cls_token', [1, 1, D]).data;
  const regs = need(weights, 'register_tokens', [1, R, D]).data;
  const prefix = new Float32Array((1 + R) * D);
  for (let d = 0; d < D; d++) prefix[d] = Math.fround(cls[d]! + pos.data[d]!);
  prefix.set(regs, D);
  const prefixShape = g.op('Concat', [batchDim(g, pixels), g.ints('shape_prefix', [1 + R, D])], { axis: attr.i(0) });
  const prefixB = g.op('Expand', [g.weight('cls_and_registers', prefix, [1, 1 + R, D]), prefixShape]);
  let x = g.op('Concat', [prefixB, placed], { axis: attr.i(1) }, 'tokens');

  for (let i = 0; i < config.depth; i++) {
    const b = `blocks.${i}`;
    const a = selfAttention(g, layerNorm(g, x, weights, `${b}.norm1`, D, config.eps), weights, { qkv: `${b}.attn.qkv`, proj: `${b}.attn.proj` }, { dim: D, heads: config.heads, impl });
    x = g.op('Add', [x, layerScale(g, a, weights, `${b}.ls1.gamma`, D)], {}, `x${i}a`);
    const n2 = layerNorm(g, x, weights, `${b}.norm2`, D, config.eps);
    const m = config.ffn === 'swiglu' ? swiglu(g, n2, weights, `${b}.mlp`, D) : geluMlp(g, n2, weights, `${b}.mlp`, D);
    x = g.op('Add', [x, layerScale(g, m, weights, `${b}.ls2.gamma`, D)], {}, `x${i}`);
    options.onProgress?.(i + 1, config.depth);
  }
  if (weights.has(`blocks.${config.depth}.norm1.weight`)) {
    throw new ExportError(`the weights have more than ${config.depth} blocks; the variant/config does not match the checkpoint`);
  }

  const y = layerNorm(g, x, weights, 'norm', D, config.eps);
  g.output(g.op('Gather', [y, g.constant('idx0', 'int64', BigInt64Array.of(0n), [])], { axis: attr.i(1) }), VISION_IO.cls1, 'float32', ['batch', D]);
  g.output(g.op('Gather', [y, g.constant('idx1', 'int64', BigInt64Array.of(1n), [])], { axis: attr.i(1) }), VISION_IO.cls2, 'float32', ['batch', D]);
  const patches = g.op('Slice', [y, g.ints('start_patches', [1 + R]), g.ints('end_patches', [Number.MAX_SAFE_INTEGER]), g.ints('axis1', [1])]);
  g.output(patches, VISION_IO.patches, 'float32', ['batch', dynamic ? 'patches' : N, D]);

  return g.toModel('tips_vision', {
    opset,
    ...(impl === 'com.microsoft' ? { extraOpsets: { 'com.microsoft': 1 } } : {}),
    producerVersion: options.producerVersion ?? '0',
    docString: `TIPS image tower (ViT-${D}/${p}), ${dynamic ? 'any input size (multiples of the patch size)' : `${H}×${W} input`}, pixel_values RGB in [0,1]`,
    metadata: {
      'tips.kind': 'vision',
      'tips.image_size': `${H}x${W}`,
      'tips.dynamic_size': String(dynamic),
      'tips.patch_size': String(p),
      'tips.embed_dim': String(D),
      'tips.config': JSON.stringify(config),
      'tips.weight_dtype': g.weightDtype,
      'tips.attention': impl,
      ...options.metadata,
    },
  });
}
