import { mapShapes } from '@tips/runtime/core';
import { findVisionPrefix, resolveVisionConfig, type VitConfig } from '@tips/vit-core/config';
import type { WeightMap } from '../onnx/weights';
import { asModelLoadError, readCheckpoint } from './read';

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

/**
 * The image tower's weights (official names, prefix removed) and configuration, from an official
 * `.npz`, a TIPSv2 Hugging Face safetensors file, or our own safetensors (vit-core's format, whose
 * metadata carries the config). The configuration is worked out by @tips/vit-core/config's
 * resolveVisionConfig (the one used by vit-core's loader), which also checks the block count and
 * width here since the ONNX builder takes the weights as they are.
 */
export async function loadVisionWeights(src: string | Uint8Array | ArrayBuffer, o: VisionCheckpointOptions = {}): Promise<{ weights: WeightMap; config: VitConfig; name: string }> {
  const ck = await readCheckpoint(src, findVisionPrefix, o.name);
  const config = await asModelLoadError(() =>
    resolveVisionConfig(mapShapes(ck.name, ck.weights), { metadata: ck.metadata, variant: o.variant, config: o.config, hfConfig: o.hfConfig, checkShapes: true }),
  );
  return { weights: ck.weights, config, name: ck.name };
}
