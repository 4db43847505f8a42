import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointError, ParamStore, openTensorFile, tensorShapes } from '@tips/runtime';
import type { VitConfig, VitPresetName } from './config';
import { findVisionPrefix, resolveVisionConfig, VIT_CONFIG_KEY, VIT_FORMAT, VIT_FORMAT_KEY } from './config-resolve';
import { vitParamSpecs } from './params';
import { VisionTransformer } from './model';

export { VIT_CONFIG_KEY, VIT_FORMAT, VIT_FORMAT_KEY };

export interface LoadVisionOptions {
  /** Preset name (S, B, L, So400m, g). Optional when the file says (our format, HF config.json) or the shapes tell. */
  variant?: VitPresetName | string;
  /** Overrides on top of the preset. */
  config?: Partial<VitConfig>;
  /** Path to a TIPSv2 Hugging Face `config.json`; by default the one beside the weights is used if present. */
  hfConfig?: string;
  trainable?: boolean;
}

function readHfConfig(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${path}: not valid JSON (${(e as Error).message})`);
  }
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
    const prefix = findVisionPrefix(reader);
    const hfPath = options.hfConfig ?? (typeof src === 'string' ? join(dirname(src), 'config.json') : undefined);
    const config = await resolveVisionConfig(tensorShapes(reader, prefix), {
      metadata: reader.metadata(),
      variant: options.variant,
      config: options.config,
      hfConfig: () => (hfPath ? readHfConfig(hfPath) : null),
    });
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
