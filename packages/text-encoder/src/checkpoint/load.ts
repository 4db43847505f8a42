import { dirname, join } from 'node:path';
import { ParamStore, openTensorFile, tensorShapes, toFloat32, writeSafetensors, type TensorFileReader } from '@tips/runtime';
import type { TextConfig, TextPresetName } from '../model/config';
import { textParamSpecs } from '../model/params';
import { TextTransformer } from '../model/text-transformer';
import { TEMPERATURE_KEYS, TEXT_CONFIG_KEY, TEXT_FORMAT, TEXT_FORMAT_KEY, temperatureValue } from './format';
import { readHfTextConfig } from './hf-config';
import { findTextPrefix, resolveTextCheckpointConfig } from './resolve';

export interface LoadTextOptions {
  /** Preset name (S, B, L, So400m, g): the checkpoint must fit it exactly. Optional when the file or its config.json says, or the sizes match a preset. */
  variant?: TextPresetName | string;
  /** Overrides on top of what is resolved, e.g. { numHeads: 2 } for a custom size. */
  config?: Partial<TextConfig>;
  /** TIPSv2 Hugging Face config (path or parsed JSON); by default `config.json` beside a safetensors file is used if present. */
  hfConfig?: string | Record<string, unknown>;
  /** Key prefix of the text tower (detected from `token_embedding.weight` when omitted). */
  prefix?: string;
  trainable?: boolean;
}

async function readTemperature(reader: TensorFileReader, prefix: string): Promise<number | null> {
  for (const k of TEMPERATURE_KEYS) {
    for (const key of [prefix + k, k]) {
      if (reader.has(key)) return temperatureValue(reader.path, key, toFloat32(await reader.read(key)));
    }
  }
  return null;
}

/**
 * Loads a text tower from an official TIPS text `.npz`, a TIPSv2 Hugging Face safetensors file
 * (with its config.json; tensors may sit under a prefix such as `text_encoder.`), or our own
 * safetensors format (saveTextCheckpoint). Refuses a file whose keys or shapes do not fit,
 * listing what is missing, extra or mis-shaped (CheckpointError); a truncated or non-tensor file
 * gives TensorFileError. Tensors are read one at a time. The caller owns the model (dispose()).
 */
export async function loadTextCheckpoint(src: string | Uint8Array | ArrayBuffer, options: LoadTextOptions = {}): Promise<TextTransformer> {
  const reader = await openTensorFile(src);
  try {
    const prefix = findTextPrefix(reader, options.prefix);
    const metadata = reader.metadata();
    let hf = null;
    if (metadata[TEXT_FORMAT_KEY] !== TEXT_FORMAT && reader.format === 'safetensors') {
      const hfSource = options.hfConfig ?? (typeof src === 'string' ? join(dirname(src), 'config.json') : undefined);
      hf = hfSource ? readHfTextConfig(hfSource) : null;
    }
    const config = await resolveTextCheckpointConfig(tensorShapes(reader, prefix), {
      metadata,
      variant: options.variant,
      hf: hf?.config,
      overrides: options.config,
    });
    const params = await ParamStore.load(reader, textParamSpecs(config), {
      prefix,
      ignore: (k) => (TEMPERATURE_KEYS as readonly string[]).includes(k),
      trainable: options.trainable ?? true,
    });
    let temperature: number | null;
    try {
      temperature = (await readTemperature(reader, prefix)) ?? hf?.temperature ?? null;
    } catch (e) {
      params.dispose();
      throw e;
    }
    return new TextTransformer(config, params, temperature);
  } finally {
    await reader.close();
  }
}

/**
 * Saves in our format, atomically: safetensors with the official names and layouts (Linear weights
 * [out, in]), `temperature` as a scalar tensor when the model has one, and the config as metadata.
 */
export async function saveTextCheckpoint(model: TextTransformer, path: string): Promise<void> {
  const tensors = model.params.toTensorsToWrite();
  if (model.temperature !== null) {
    tensors.push({ name: 'temperature', dtype: 'float32', shape: [], data: Float32Array.of(model.temperature) });
  }
  await writeSafetensors(path, tensors, { [TEXT_FORMAT_KEY]: TEXT_FORMAT, [TEXT_CONFIG_KEY]: JSON.stringify(model.config) });
}
