import { sinusoidalPositions } from '@tips/text-encoder/config';
import { ExportError } from '../errors';
import { attr, GraphBuilder } from './graph';
import { layerNorm } from './ops-basic';
import { selfAttention } from './ops-attention';
import { reluMaskedMlp } from './ops-ffn';
import { towerOpset, type TowerGraphOptions } from './tower-options';
import { need, type WeightMap } from './weights';

/** What the text graph needs beyond the weights (widths and depth are read from the weights). */
export interface TextGraphConfig {
  heads: number;
  /** LayerNorm epsilon: torch's default 1e-5 in the official text tower. */
  eps?: number;
  /** Longest token sequence (64 in TIPS); the ids input may be shorter. */
  maxLen?: number;
}

export interface TextGraphOptions extends TowerGraphOptions {
  /** The checkpoint's contrastive temperature, kept as metadata for zero-shot scores. */
  temperature?: number;
}

/** Graph I/O names of an exported text tower. */
export const TEXT_IO = { ids: 'ids', paddings: 'paddings', embedding: 'embedding' } as const;

/** Number of resblocks in a text checkpoint. */
export function countTextLayers(weights: WeightMap): number {
  let n = 0;
  while (weights.has(`transformer.resblocks.${n}.ln_1.weight`)) n++;
  return n;
}

/**
 * The TIPS text tower as an ONNX graph (google-deepmind/tips pytorch/text_encoder.py): token
 * embedding × √D, sinusoidal positions, pre-LN blocks whose attention ignores padded keys (−∞ bias,
 * as the official attn_mask) and whose ReLU MLP output is zeroed at padding (twice, as the official
 * MlpBlockWithMask), final LayerNorm, mean over non-padding tokens (sum / (count + 1e-8)).
 * Inputs `ids` [batch, seq] int64 and `paddings` [batch, seq] float32 (1 = pad), seq ≤ maxLen;
 * output `embedding` [batch, D], before any L2 normalisation. A row with no tokens gives NaN, as
 * the official model does; the SDK refuses empty texts before they get here.
 */
export function buildTextGraph(weights: WeightMap, config: TextGraphConfig, options: TextGraphOptions = {}): Uint8Array {
  const emb = need(weights, 'token_embedding.weight');
  const [V, D] = emb.shape as [number, number];
  const L = config.maxLen ?? 64;
  const eps = config.eps ?? 1e-5;
  const layers = countTextLayers(weights);
  if (layers === 0) throw new ExportError(`the weights have no 'transformer.resblocks.0.*'; is this a TIPS text-tower checkpoint?`);
  if (D % config.heads !== 0) throw new ExportError(`width ${D} is not divisible by ${config.heads} heads; check --variant`);
  const opset = towerOpset(options.opset, 17, 'LayerNormalization');
  const impl = options.attention ?? 'matmul';
  const g = new GraphBuilder({ weightDtype: options.weightDtype, externalData: options.externalData });

  const ids = g.input(TEXT_IO.ids, 'int64', ['batch', 'seq']);
  const paddings = g.input(TEXT_IO.paddings, 'float32', ['batch', 'seq']);

  // token_embedding(ids) · √D, with the scale applied to the table once (float32, as torch rounds it).
  const s = Math.fround(Math.sqrt(D));
  const table = new Float32Array(emb.data.length);
  for (let i = 0; i < table.length; i++) table[i] = Math.fround(emb.data[i]! * s);
  const tok = g.op('Gather', [g.weight('token_embedding_scaled', table, [V, D]), ids], { axis: attr.i(0) });
  const seqLen = g.op('Slice', [g.op('Shape', [ids]), g.ints('one', [1]), g.ints('two', [2])], {}, 'seq_len');
  const pos = g.op('Slice', [g.constant('positions', 'float32', sinusoidalPositions(L, D), [1, L, D]), g.ints('zero', [0]), seqLen, g.ints('axis1', [1])]);
  let x = g.op('Add', [tok, pos], {}, 'x_in');

  const isToken = g.op('Equal', [paddings, g.scalar('zero_f', 0)], {}, 'is_token');
  const keep = g.op('Unsqueeze', [g.op('Cast', [isToken], { to: attr.i(1) }, 'keep'), g.ints('axis_last', [2])], {}, 'keep3');
  const maskBias =
    impl === 'matmul'
      ? g.op('Unsqueeze', [g.op('Where', [isToken, g.scalar('zero_f', 0), g.scalar('neg_inf', -Infinity)]), g.ints('axes_12', [1, 2])], {}, 'mask_bias')
      : undefined;
  const maskIndex = impl === 'com.microsoft' ? g.op('Cast', [isToken], { to: attr.i(6) }, 'mask_index') : undefined;

  for (let i = 0; i < layers; i++) {
    const b = `transformer.resblocks.${i}`;
    const a = selfAttention(g, layerNorm(g, x, weights, `${b}.ln_1`, D, eps), weights, { qkv: { weight: `${b}.attn.in_proj_weight`, bias: `${b}.attn.in_proj_bias` }, proj: `${b}.attn.out_proj` }, {
      dim: D,
      heads: config.heads,
      impl,
      ...(maskBias ? { maskBias } : {}),
      ...(maskIndex ? { maskIndex } : {}),
    });
    x = g.op('Add', [x, a], {}, `x${i}a`);
    x = g.op('Add', [x, reluMaskedMlp(g, layerNorm(g, x, weights, `${b}.ln_2`, D, eps), weights, `${b}.mlp`, D, keep)], {}, `x${i}`);
    options.onProgress?.(i + 1, layers);
  }
  const y = layerNorm(g, x, weights, 'ln_final', D, eps);

  // GlobalAvgPooling: where(pad > 0, 0, y) summed over tokens / (Σ(1 − pad) + 1e-8).
  const pad3 = g.op('Unsqueeze', [paddings, g.ints('axis_last', [2])]);
  const masked = g.op('Where', [g.op('Greater', [pad3, g.scalar('zero_f', 0)]), g.scalar('zero_f', 0), y]);
  const total = g.op('ReduceSum', [masked, g.ints('axis1', [1])], { keepdims: attr.i(0) });
  const count = g.op('ReduceSum', [g.op('Sub', [g.scalar('one_f', 1), paddings]), g.ints('axis1', [1])], { keepdims: attr.i(1) });
  const pooled = g.op('Div', [total, g.op('Add', [count, g.scalar('eps_pool', 1e-8)])]);
  g.output(pooled, TEXT_IO.embedding, 'float32', ['batch', D]);

  return g.toModel('tips_text', {
    opset,
    ...(impl === 'com.microsoft' ? { extraOpsets: { 'com.microsoft': 1 } } : {}),
    producerVersion: options.producerVersion ?? '0',
    docString: `TIPS text tower (width ${D}, ${layers} layers), ids [batch, ≤${L}] int64 + paddings [batch, ≤${L}] float32`,
    metadata: {
      'tips.kind': 'text',
      'tips.embed_dim': String(D),
      'tips.max_len': String(L),
      'tips.vocab_size': String(V),
      'tips.config': JSON.stringify({ hiddenSize: D, mlpDim: need(weights, 'transformer.resblocks.0.mlp.c_fc.weight').shape[0], heads: config.heads, layers, vocabSize: V, maxLen: L, eps }),
      'tips.weight_dtype': g.weightDtype,
      'tips.attention': impl,
      ...(options.temperature !== undefined ? { 'tips.temperature': String(options.temperature) } : {}),
      ...options.metadata,
    },
  });
}
