import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError, ParamStore, openTensorFile, type TensorFileReader } from '@tips/runtime';
import { VIT_PRESETS, vitPreset, type VitConfig, type VitPresetName } from './config';
import { vitParamSpecs } from './params';
import { VisionTransformer } from './model';

/** Metadata keys of our own checkpoint format (safetensors + JSON config). */
export const VIT_FORMAT_KEY = 'tips.format';
export const VIT_FORMAT = 'tips-ts.vit';
export const VIT_CONFIG_KEY = 'tips.config';

export interface LoadVisionOptions {
  /** Preset name (S, B, L, So400m, g). Optional when the file says (our format, HF config.json) or the shapes tell. */
  variant?: VitPresetName | string;
  /** Overrides on top of the preset. */
  config?: Partial<VitConfig>;
  /** Path to a TIPSv2 Hugging Face `config.json`; by default the one beside the weights is used if present. */
  hfConfig?: string;
  trainable?: boolean;
}

const HF_VISION_FN: Record<string, VitPresetName> = {
  vit_small: 'S',
  vit_base: 'B',
  vit_large: 'L',
  vit_so400m: 'So400m',
  vit_giant2: 'g',
};

function findPrefix(reader: TensorFileReader): string {
  const hit = reader.keys().find((k) => k === 'pos_embed' || k.endsWith('.pos_embed'));
  if (!hit) {
    throw new CheckpointError(
      `${reader.path} has no 'pos_embed' tensor, so it is not an image-tower checkpoint (keys start: ${reader.keys().slice(0, 6).join(', ')}). For a text checkpoint use @tips/text-encoder`,
    );
  }
  return hit.slice(0, hit.length - 'pos_embed'.length);
}

function readHfConfig(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Works out the configuration of a checkpoint: our metadata, HF config.json, the variant, then the shapes. */
async function resolveConfig(reader: TensorFileReader, prefix: string, src: string | Uint8Array, options: LoadVisionOptions): Promise<VitConfig> {
  const meta = reader.metadata();
  let base: VitConfig | null = null;
  if (meta[VIT_FORMAT_KEY] === VIT_FORMAT && meta[VIT_CONFIG_KEY]) {
    base = JSON.parse(meta[VIT_CONFIG_KEY]) as VitConfig;
  }
  if (!base && options.variant) base = vitPreset(options.variant);
  const given = options.config;
  if (!base && given?.embedDim && given.depth && given.heads && given.mlpHidden) base = { ...VIT_PRESETS.S, ...given };
  if (!base) {
    const hfPath = options.hfConfig ?? (typeof src === 'string' ? join(dirname(src), 'config.json') : undefined);
    const hf = hfPath ? readHfConfig(hfPath) : null;
    const fn = hf && typeof hf.vision_fn === 'string' ? HF_VISION_FN[hf.vision_fn] : undefined;
    if (fn) {
      base = vitPreset(fn);
      if (hf!.ffn_layer === 'swiglu' || hf!.ffn_layer === 'swiglufused') base.ffn = 'swiglu';
      else if (hf!.ffn_layer === 'mlp') base.ffn = 'mlp';
    }
  }
  const has = (k: string) => reader.has(prefix + k);
  if (!base) {
    // Infer from shapes: the width picks the preset (each published size has its own width).
    const cls = await reader.info(prefix + 'cls_token');
    const D = cls.shape[cls.shape.length - 1]!;
    const match = (Object.keys(VIT_PRESETS) as VitPresetName[]).find((k) => VIT_PRESETS[k].embedDim === D);
    if (!match) {
      throw new CheckpointError(
        `${reader.path}: width ${D} matches no preset (${Object.entries(VIT_PRESETS).map(([k, v]) => `${k}=${v.embedDim}`).join(', ')}); pass a config with embedDim, depth, heads, mlpHidden and ffn`,
      );
    }
    base = vitPreset(match);
    base.ffn = has('blocks.0.mlp.w12.weight') ? 'swiglu' : 'mlp';
  }
  const config: VitConfig = { ...base, ...options.config };
  // Facts that only the file knows: the stored position grid, registers, LayerScale and qkv bias.
  const pos = await reader.info(prefix + 'pos_embed');
  const n = pos.shape[1]! - 1;
  const G = Math.round(Math.sqrt(n));
  if (G * G !== n) throw new CheckpointError(`${reader.path}: pos_embed has ${n} patch slots, not a square grid`);
  config.posGrid = G;
  if (has('register_tokens')) config.registers = (await reader.info(prefix + 'register_tokens')).shape[1]!;
  else config.registers = 0;
  config.layerScale = has('blocks.0.ls1.gamma');
  config.qkvBias = has('blocks.0.attn.qkv.bias');
  return config;
}

/**
 * Loads an image tower from an official TIPS `.npz` (v1 16×16 or v2 32×32 position grids), a
 * TIPSv2 Hugging Face safetensors file (with its config.json), or our own safetensors format.
 * Refuses a file whose keys or shapes do not fit, listing what is missing, extra or mis-shaped.
 * Tensors are read one at a time. The caller owns the returned model (dispose()).
 */
export async function loadVisionCheckpoint(src: string | Uint8Array, options: LoadVisionOptions = {}): Promise<VisionTransformer> {
  const reader = await openTensorFile(src);
  try {
    const prefix = findPrefix(reader);
    const config = await resolveConfig(reader, prefix, src, options);
    const params = await ParamStore.load(reader, vitParamSpecs(config), {
      prefix,
      trainable: options.trainable ?? true,
    });
    return new VisionTransformer(config, params);
  } finally {
    await reader.close();
  }
}

/** Saves a model in our format: safetensors with official names/layouts and the config as metadata. */
export async function saveVisionCheckpoint(model: VisionTransformer, path: string): Promise<void> {
  await model.params.save(path, { [VIT_FORMAT_KEY]: VIT_FORMAT, [VIT_CONFIG_KEY]: JSON.stringify(model.config) });
}
