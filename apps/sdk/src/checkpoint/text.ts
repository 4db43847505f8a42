import { ModelLoadError } from '../errors';
import type { TextGraphConfig } from '../onnx/text-graph';
import type { WeightMap } from '../onnx/weights';
import { prefixOf, readCheckpoint } from './read';

/** Heads of the official text towers by width (run_text_encoder_inference.py get_config). */
const TEXT_HEADS_BY_WIDTH: Record<number, number> = { 384: 6, 768: 12, 1024: 16, 1152: 16, 1536: 24 };
const TEXT_HEADS_BY_VARIANT: Record<string, number> = { s: 6, b: 12, l: 16, so400m: 16, so: 16, g: 24 };

export interface TextCheckpointOptions {
  variant?: string;
  /** Attention heads, for widths that are not a published preset. */
  heads?: number;
  hfConfig?: Record<string, unknown>;
  name?: string;
}

/**
 * The text tower's weights (official names), its head count and the contrastive temperature when the
 * file holds one (`temperature`, as the official text .npz; or the HF config's `temperature`).
 */
export async function loadTextWeights(
  src: string | Uint8Array | ArrayBuffer,
  o: TextCheckpointOptions = {},
): Promise<{ weights: WeightMap; config: TextGraphConfig; temperature?: number; name: string }> {
  const ck = await readCheckpoint(src, { ...(o.name ? { name: o.name } : {}), prefix: (keys) => prefixOf(keys, 'token_embedding.weight', 'a text-tower checkpoint (for an image tower use --vision)') });
  const w = ck.weights;
  const D = w.get('token_embedding.weight')!.shape[1]!;
  let heads = o.heads;
  if (heads === undefined && o.variant !== undefined) {
    heads = TEXT_HEADS_BY_VARIANT[o.variant.toLowerCase()];
    if (heads === undefined) throw new ModelLoadError(`unknown text variant '${o.variant}'; use S, B, L, So400m or g, or pass heads`);
  }
  if (heads === undefined && typeof o.hfConfig?.text_num_heads === 'number') heads = o.hfConfig.text_num_heads;
  heads ??= TEXT_HEADS_BY_WIDTH[D];
  if (heads === undefined) throw new ModelLoadError(`${ck.name}: width ${D} is not a published text tower; pass heads (e.g. --heads 8)`);
  let temperature: number | undefined;
  for (const key of ['temperature', 'temperature_contrastive']) {
    const t = w.get(key);
    if (t && t.data.length === 1 && temperature === undefined) temperature = t.data[0];
    w.delete(key);
  }
  if (temperature === undefined && typeof o.hfConfig?.temperature === 'number') temperature = o.hfConfig.temperature;
  return { weights: w, config: { heads, eps: 1e-5, maxLen: 64 }, ...(temperature !== undefined ? { temperature } : {}), name: ck.name };
}
