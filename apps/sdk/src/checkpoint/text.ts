import { mapShapes } from '@tips/runtime/core';
import { findTextPrefix, parseHfTextConfig, resolveTextCheckpointConfig, TEMPERATURE_KEYS, temperatureValue } from '@tips/text-encoder/config';
import type { TextGraphConfig } from '../onnx/text-graph';
import type { WeightMap } from '../onnx/weights';
import { asModelLoadError, readCheckpoint } from './read';

export interface TextCheckpointOptions {
  /** S, B, L, So400m or g. */
  variant?: string;
  /** Attention heads, for widths that are not a published preset. */
  heads?: number;
  /** A parsed TIPSv2 Hugging Face config.json. */
  hfConfig?: Record<string, unknown>;
  name?: string;
}

/**
 * The text tower's weights (official names), its configuration and the contrastive temperature when
 * the file (or the HF config) carries one. The configuration is worked out by
 * @tips/text-encoder/config's resolveTextCheckpointConfig (the one used by text-encoder's loader):
 * our own format's metadata, the variant, the HF config.json, or the shapes matched against the
 * presets (the head count is not in the shapes); `heads` overrides; width and depth are checked.
 */
export async function loadTextWeights(
  src: string | Uint8Array | ArrayBuffer,
  o: TextCheckpointOptions = {},
): Promise<{ weights: WeightMap; config: TextGraphConfig; temperature?: number; name: string }> {
  const ck = await readCheckpoint(src, (reader) => findTextPrefix(reader), o.name);
  const w = ck.weights;
  const { config, hf } = await asModelLoadError(async () => {
    const hf = o.hfConfig ? parseHfTextConfig(o.hfConfig) : null;
    const config = await resolveTextCheckpointConfig(mapShapes(ck.name, w), {
      metadata: ck.metadata,
      variant: o.variant,
      hf: hf?.config,
      overrides: o.heads !== undefined ? { numHeads: o.heads } : {},
      checkShapes: true,
      headsHint: 'heads (e.g. --heads 8)',
    });
    return { config, hf };
  });
  let temperature: number | undefined;
  for (const key of TEMPERATURE_KEYS) {
    const t = w.get(key);
    if (t && temperature === undefined) temperature = await asModelLoadError(() => temperatureValue(ck.name, key, t.data));
    w.delete(key);
  }
  if (temperature === undefined && hf?.temperature != null) temperature = hf.temperature;
  return {
    weights: w,
    config: { heads: config.numHeads, eps: config.eps, maxLen: config.maxLen },
    ...(temperature !== undefined ? { temperature } : {}),
    name: ck.name,
  };
}
