import { findTextPrefix, matchPreset, readHfTextConfig, textPreset, TEXT_CONFIG_KEY, TEXT_FORMAT, TEXT_FORMAT_KEY, type TextConfig } from '@tips/text-encoder';
import { ModelLoadError } from '../errors';
import type { TextGraphConfig } from '../onnx/text-graph';
import type { WeightMap } from '../onnx/weights';
import { readCheckpoint } from './read';

export interface TextCheckpointOptions {
  /** S, B, L, So400m or g. */
  variant?: string;
  /** Attention heads, for widths that are not a published preset. */
  heads?: number;
  /** A parsed TIPSv2 Hugging Face config.json. */
  hfConfig?: Record<string, unknown>;
  name?: string;
}

/** Keys an official text checkpoint may hold besides parameters (run_text_encoder_inference.py pops both). */
const TEMPERATURE_KEYS = ['temperature', 'temperature_contrastive'];

/**
 * The text tower's weights (official names), its configuration and the contrastive temperature when
 * the file (or the HF config) carries one. The configuration comes, in this order, from our own
 * format's metadata, the variant, the HF config.json, or the shapes matched against
 * @tips/text-encoder's presets (the head count is not in the shapes); `heads` overrides.
 */
export async function loadTextWeights(
  src: string | Uint8Array | ArrayBuffer,
  o: TextCheckpointOptions = {},
): Promise<{ weights: WeightMap; config: TextGraphConfig; temperature?: number; name: string }> {
  const ck = await readCheckpoint(src, (reader) => findTextPrefix(reader), o.name);
  const w = ck.weights;
  const [vocabSize, hiddenSize] = w.get('token_embedding.weight')!.shape as [number, number];
  let numLayers = 0;
  while (w.has(`transformer.resblocks.${numLayers}.ln_1.weight`)) numLayers++;
  const mlpDim = w.get('transformer.resblocks.0.mlp.c_fc.weight')?.shape[0] ?? 0;
  const hf = o.hfConfig ? readHfTextConfig(o.hfConfig) : null;
  let base: Partial<TextConfig> | null = null;
  if (ck.metadata[TEXT_FORMAT_KEY] === TEXT_FORMAT && ck.metadata[TEXT_CONFIG_KEY]) base = JSON.parse(ck.metadata[TEXT_CONFIG_KEY]) as TextConfig;
  if (!base && o.variant) {
    try {
      base = textPreset(o.variant);
    } catch (e) {
      throw new ModelLoadError((e as Error).message);
    }
  }
  if (!base && hf && Object.keys(hf.config).length > 0) base = hf.config;
  if (!base) {
    const preset = matchPreset({ hiddenSize, mlpDim, numLayers });
    base = preset ? textPreset(preset) : {};
  }
  const heads = o.heads ?? base.numHeads;
  if (heads === undefined) {
    throw new ModelLoadError(`${ck.name}: width ${hiddenSize} is not a published text tower, and the number of heads is not in the weights; pass heads (e.g. --heads 8) or a variant`);
  }
  if (base.hiddenSize !== undefined && base.hiddenSize !== hiddenSize) {
    throw new ModelLoadError(`${ck.name}: the text tower is ${hiddenSize} wide but the ${o.variant ?? 'chosen'} configuration says ${base.hiddenSize}; pass the matching variant`);
  }
  let temperature: number | undefined;
  for (const key of TEMPERATURE_KEYS) {
    const t = w.get(key);
    if (t && t.data.length === 1 && temperature === undefined) temperature = t.data[0];
    w.delete(key);
  }
  if (temperature === undefined && hf?.temperature != null) temperature = hf.temperature;
  return {
    weights: w,
    config: { heads, eps: base.eps ?? 1e-5, maxLen: base.maxLen ?? 64 },
    ...(temperature !== undefined ? { temperature } : {}),
    name: ck.name,
  };
}
