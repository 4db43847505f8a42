import { CheckpointError, type TensorFileReader, type TensorShapes } from '@tips/runtime/core';
import { VIT_PRESETS, vitPreset, type VitConfig, type VitPresetName } from './config';
import { validateVitConfig } from './config-validate';

// The one place that works out the image-tower configuration of a checkpoint. No tfjs and no Node
// built-in: vit-core's loader (files through ParamStore) and @tips/sdk (tensors in memory, browsers)
// both call it.

/** Metadata keys of our own checkpoint format (safetensors + JSON config). */
export const VIT_FORMAT_KEY = 'tips.format';
export const VIT_FORMAT = 'tips-ts.vit';
export const VIT_CONFIG_KEY = 'tips.config';

/** `vision_fn` of a TIPSv2 Hugging Face config.json → preset. */
export const HF_VISION_FN: Readonly<Record<string, VitPresetName>> = {
  vit_small: 'S',
  vit_base: 'B',
  vit_large: 'L',
  vit_so400m: 'So400m',
  vit_giant2: 'g',
};

/** A parsed TIPSv2 config.json, or a function that reads it only when it is needed (null: none). */
export type HfConfigSource = Record<string, unknown> | null | (() => Record<string, unknown> | null | Promise<Record<string, unknown> | null>);

export interface VisionConfigSources {
  /** The file's string metadata (our format stores its config there). */
  metadata?: Record<string, string>;
  /** Preset name (S, B, L, So400m, g). */
  variant?: string;
  /** Overrides on top of what is resolved; embedDim + depth + heads make a full custom config. */
  config?: Partial<VitConfig>;
  /** TIPSv2 Hugging Face config.json (vision_fn, ffn_layer). */
  hfConfig?: HfConfigSource;
  /**
   * Also check the block count and the width against the result. For callers that do not compare
   * every key and shape themselves (vit-core's ParamStore does, and lists each mismatch).
   */
  checkShapes?: boolean;
}

/** The prefix in front of the image tower's keys ('' for official files, e.g. 'vision_encoder.' in combined ones). */
export function findVisionPrefix(file: Pick<TensorFileReader, 'path' | 'keys'>): string {
  const keys = file.keys();
  const hit = keys.find((k) => k === 'pos_embed' || k.endsWith('.pos_embed'));
  if (hit === undefined) {
    throw new CheckpointError(
      `${file.path} has no 'pos_embed' tensor, so it is not an image-tower checkpoint (keys start: ${keys.slice(0, 6).join(', ')}); for a text tower use @tips/text-encoder (tips export/embed --text, TipsModel.load({ text }))`,
    );
  }
  return hit.slice(0, hit.length - 'pos_embed'.length);
}

function presetOrFail(name: string, where: string): VitConfig {
  try {
    return vitPreset(name);
  } catch (e) {
    throw new CheckpointError(`${where}: ${(e as Error).message}`);
  }
}

function storedConfig(shapes: TensorShapes, metadata: Record<string, string> | undefined): VitConfig | null {
  if (metadata?.[VIT_FORMAT_KEY] !== VIT_FORMAT || !metadata[VIT_CONFIG_KEY]) return null;
  try {
    return JSON.parse(metadata[VIT_CONFIG_KEY]) as VitConfig;
  } catch (e) {
    throw new CheckpointError(`${shapes.name}: the ${VIT_CONFIG_KEY} metadata is not valid JSON (${(e as Error).message}); the file is corrupt`);
  }
}

async function hfBase(shapes: TensorShapes, source: HfConfigSource | undefined): Promise<VitConfig | null> {
  const hf = typeof source === 'function' ? await source() : source;
  const preset = hf && typeof hf.vision_fn === 'string' ? HF_VISION_FN[hf.vision_fn] : undefined;
  if (!preset) return null;
  const base = presetOrFail(preset, shapes.name);
  if (hf!.ffn_layer === 'swiglu' || hf!.ffn_layer === 'swiglufused') base.ffn = 'swiglu';
  else if (hf!.ffn_layer === 'mlp') base.ffn = 'mlp';
  return base;
}

async function widthOf(shapes: TensorShapes): Promise<number> {
  const cls = await shapes.shape('cls_token');
  return cls[cls.length - 1]!;
}

/** The configuration before the file's own facts: metadata → variant → full custom config → HF config.json → width. */
async function baseConfig(shapes: TensorShapes, src: VisionConfigSources): Promise<VitConfig> {
  const stored = storedConfig(shapes, src.metadata);
  if (stored) return stored;
  if (src.variant) return presetOrFail(src.variant, shapes.name);
  const given = src.config;
  // A full custom configuration (tiny test models, new sizes) needs no preset; ViT's MLP ratio is 4.
  if (given?.embedDim && given.depth && given.heads) return { ...VIT_PRESETS.S, mlpHidden: 4 * given.embedDim, ...given };
  const hf = await hfBase(shapes, src.hfConfig);
  if (hf) return hf;
  // Each published size has its own width.
  const D = await widthOf(shapes);
  const match = (Object.keys(VIT_PRESETS) as VitPresetName[]).find((k) => VIT_PRESETS[k].embedDim === D);
  if (!match) {
    throw new CheckpointError(
      `${shapes.name}: width ${D} matches no image-tower preset (${Object.entries(VIT_PRESETS).map(([k, v]) => `${k}=${v.embedDim}`).join(', ')}); pass a variant, or a config with embedDim, depth and heads (mlpHidden defaults to 4·embedDim, ffn to what the file holds)`,
    );
  }
  return vitPreset(match);
}

/**
 * Works out the image-tower configuration of a checkpoint (`shapes`: its tensors, prefix removed).
 * The base comes from, in this order: our format's metadata, the variant, a full custom config, the
 * TIPSv2 config.json, the width matched against the presets; `config` goes on top. Then the facts
 * only the file knows: the stored position grid, register count, LayerScale, qkv bias and FFN kind
 * (fused SwiGLU `w12` or GELU MLP `fc1`); with `checkShapes`, also the block count and width.
 * Throws CheckpointError naming the file and the fix.
 */
export async function resolveVisionConfig(shapes: TensorShapes, src: VisionConfigSources = {}): Promise<VitConfig> {
  const config: VitConfig = { ...(await baseConfig(shapes, src)), ...src.config };
  const pos = await shapes.shape('pos_embed');
  const n = (pos[1] ?? 1) - 1;
  const G = Math.round(Math.sqrt(n));
  if (G * G !== n) throw new CheckpointError(`${shapes.name}: pos_embed has ${n} patch slots, not a square grid; is this an official TIPS image tower?`);
  config.posGrid = G;
  config.registers = shapes.has('register_tokens') ? ((await shapes.shape('register_tokens'))[1] ?? 0) : 0;
  config.layerScale = shapes.has('blocks.0.ls1.gamma');
  config.qkvBias = shapes.has('blocks.0.attn.qkv.bias');
  if (shapes.has('blocks.0.mlp.w12.weight')) config.ffn = 'swiglu';
  else if (shapes.has('blocks.0.mlp.fc1.weight')) config.ffn = 'mlp';
  if (src.checkShapes) {
    let depth = 0;
    while (shapes.has(`blocks.${depth}.norm1.weight`)) depth++;
    if (depth !== config.depth) {
      const depths = Object.entries(VIT_PRESETS).map(([k, v]) => `${k}: ${v.depth}`).join(', ');
      throw new CheckpointError(`${shapes.name} has ${depth} blocks but the ${src.variant ?? 'chosen'} configuration has ${config.depth}; pass the matching variant (${depths})`);
    }
    const D = await widthOf(shapes);
    if (D !== config.embedDim) throw new CheckpointError(`${shapes.name} has width ${D}, the configuration says ${config.embedDim}; pass the matching variant`);
  }
  return validateVitConfig(config, `${shapes.name}: image tower config`);
}
