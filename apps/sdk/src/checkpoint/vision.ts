import { VIT_CONFIG_KEY, VIT_FORMAT, VIT_FORMAT_KEY, VIT_PRESETS, vitPreset, type VitConfig, type VitPresetName } from '@tips/vit-core';
import { ModelLoadError } from '../errors';
import type { WeightMap } from '../onnx/weights';
import { readCheckpoint, visionPrefix } from './read';

export interface VisionCheckpointOptions {
  /** S, B, L, So400m or g. Optional when the file (our format), the HF config or the width tells. */
  variant?: string;
  /** Overrides on top of the preset. */
  config?: Partial<VitConfig>;
  /** A TIPSv2 Hugging Face config.json, already parsed (Node callers may pass a path to the CLI instead). */
  hfConfig?: Record<string, unknown>;
  /** Name used in messages when the source is bytes. */
  name?: string;
}

const HF_VISION_FN: Record<string, VitPresetName> = { vit_small: 'S', vit_base: 'B', vit_large: 'L', vit_so400m: 'So400m', vit_giant2: 'g' };

function baseConfig(weights: WeightMap, metadata: Record<string, string>, o: VisionCheckpointOptions): VitConfig {
  if (metadata[VIT_FORMAT_KEY] === VIT_FORMAT && metadata[VIT_CONFIG_KEY]) return JSON.parse(metadata[VIT_CONFIG_KEY]) as VitConfig;
  if (o.variant) {
    try {
      return vitPreset(o.variant);
    } catch (e) {
      throw new ModelLoadError((e as Error).message);
    }
  }
  // A full custom configuration (tiny test models, new sizes) needs no preset.
  if (o.config?.embedDim && o.config.depth && o.config.heads) return { ...vitPreset('S'), ...o.config } as VitConfig;
  const fn = typeof o.hfConfig?.vision_fn === 'string' ? HF_VISION_FN[o.hfConfig.vision_fn] : undefined;
  if (fn) return vitPreset(fn);
  const D = weights.get('cls_token')?.shape.at(-1);
  const match = (Object.keys(VIT_PRESETS) as VitPresetName[]).find((k) => VIT_PRESETS[k].embedDim === D);
  if (!match) {
    throw new ModelLoadError(`width ${D} matches no image-tower preset (${Object.entries(VIT_PRESETS).map(([k, v]) => `${k}=${v.embedDim}`).join(', ')}); pass variant or config {embedDim, depth, heads}`);
  }
  return vitPreset(match);
}

/**
 * The image tower's weights (official names, prefix removed) and configuration, from an official
 * `.npz`, a TIPSv2 Hugging Face safetensors file, or our own safetensors (vit-core's format, whose
 * metadata carries the config). The facts that only the file knows (position grid, register count,
 * LayerScale, qkv bias, FFN kind, depth) are read from the tensors.
 */
export async function loadVisionWeights(src: string | Uint8Array | ArrayBuffer, o: VisionCheckpointOptions = {}): Promise<{ weights: WeightMap; config: VitConfig; name: string }> {
  const ck = await readCheckpoint(src, visionPrefix, o.name);
  const w = ck.weights;
  const config: VitConfig = { ...baseConfig(w, ck.metadata, o), ...o.config };
  const hfFfn = o.hfConfig?.ffn_layer;
  config.ffn = w.has('blocks.0.mlp.w12.weight') ? 'swiglu' : hfFfn === 'swiglu' || hfFfn === 'swiglufused' ? 'swiglu' : 'mlp';
  let depth = 0;
  while (w.has(`blocks.${depth}.norm1.weight`)) depth++;
  if (depth !== config.depth) {
    throw new ModelLoadError(`${ck.name} has ${depth} blocks but the ${o.variant ?? 'chosen'} configuration has ${config.depth}; pass the matching variant (S/B: 12, L: 24, So400m: 27, g: 40)`);
  }
  const posSlots = (w.get('pos_embed')?.shape[1] ?? 1) - 1;
  config.posGrid = Math.round(Math.sqrt(posSlots));
  config.registers = w.get('register_tokens')?.shape[1] ?? 0;
  config.layerScale = w.has('blocks.0.ls1.gamma');
  config.qkvBias = w.has('blocks.0.attn.qkv.bias');
  const D = w.get('cls_token')?.shape.at(-1);
  if (D !== config.embedDim) throw new ModelLoadError(`${ck.name} has width ${D}, the configuration says ${config.embedDim}; pass the matching variant`);
  return { weights: w, config, name: ck.name };
}
