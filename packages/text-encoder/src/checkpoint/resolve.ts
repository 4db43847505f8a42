import { CheckpointError, type TensorFileReader, type TensorShapes } from '@tips/runtime/core';
import { TEXT_PRESETS, textPreset, validateTextConfig, type TextConfig, type TextPresetName } from '../model/config';
import { TEXT_CONFIG_KEY, TEXT_FORMAT, TEXT_FORMAT_KEY } from './format';

// The one place that works out the text-tower configuration of a checkpoint. No tfjs and no Node
// built-in: text-encoder's loader (files through ParamStore) and @tips/sdk (tensors in memory,
// browsers) both call it.

const EMBEDDING = 'token_embedding.weight';

/** The prefix in front of the text-tower keys (e.g. `text_encoder.`), found from `token_embedding.weight`. */
export function findTextPrefix(file: Pick<TensorFileReader, 'path' | 'keys' | 'has'>, wanted?: string): string {
  if (wanted !== undefined) {
    if (!file.has(wanted + EMBEDDING)) {
      throw new CheckpointError(`${file.path} has no '${wanted + EMBEDDING}'; check the prefix option`);
    }
    return wanted;
  }
  const hits = file.keys().filter((k) => k === EMBEDDING || k.endsWith('.' + EMBEDDING));
  if (hits.length === 0) {
    throw new CheckpointError(
      `${file.path} has no 'token_embedding.weight' tensor, so it is not a TIPS text-tower checkpoint (keys start: ${file.keys().slice(0, 6).join(', ')}); for an image tower use @tips/vit-core (tips export/embed --vision, TipsModel.load({ vision }))`,
    );
  }
  if (hits.length > 1) {
    throw new CheckpointError(`${file.path} holds several text towers (${hits.join(', ')}); pass options.prefix to pick one`);
  }
  return hits[0]!.slice(0, hits[0]!.length - EMBEDDING.length);
}

/** Sizes the tensors tell: vocabulary, width, MLP width, depth. The number of heads is not in the shapes. */
export async function shapeConfig(shapes: TensorShapes): Promise<Omit<TextConfig, 'numHeads' | 'maxLen' | 'eps'>> {
  const emb = await shapes.shape(EMBEDDING);
  if (emb.length !== 2) throw new CheckpointError(`${shapes.name}: ${EMBEDDING} has shape ${JSON.stringify(emb)}, expected [vocab, width]`);
  const [vocabSize, hiddenSize] = emb as [number, number];
  // The highest block index of any key, so that one missing key is reported as missing, not the block as extra.
  let numLayers = 0;
  for (const k of shapes.keys()) {
    const m = /^transformer\.resblocks\.(\d+)\./.exec(k);
    if (m) numLayers = Math.max(numLayers, Number(m[1]) + 1);
  }
  const fc = 'transformer.resblocks.0.mlp.c_fc.weight';
  const mlpDim = shapes.has(fc) ? (await shapes.shape(fc))[0]! : 0;
  return { vocabSize, hiddenSize, mlpDim, numLayers };
}

/** The preset whose sizes are those of the file, if any. */
export function matchPreset(sizes: { hiddenSize: number; mlpDim: number; numLayers: number }): TextPresetName | null {
  const names = Object.keys(TEXT_PRESETS) as TextPresetName[];
  return (
    names.find((n) => {
      const p = TEXT_PRESETS[n];
      return p.hiddenSize === sizes.hiddenSize && p.mlpDim === sizes.mlpDim && p.numLayers === sizes.numLayers;
    }) ?? null
  );
}

export interface TextConfigSources {
  /** The file's string metadata (our format stores its config there). */
  metadata?: Record<string, string>;
  /** Preset name (S, B, L, So400m, g). */
  variant?: string;
  /** The text fields of a TIPSv2 config.json (parseHfTextConfig). */
  hf?: Partial<TextConfig> | null;
  overrides?: Partial<TextConfig>;
  /**
   * Also check width and depth against the file. For callers that do not compare every key and
   * shape themselves (text-encoder's ParamStore does, and lists each mismatch).
   */
  checkShapes?: boolean;
  /** How the caller's user passes the head count, for the message when it is needed (default `config: { numHeads }`). */
  headsHint?: string;
}

function storedConfig(shapes: TensorShapes, metadata: Record<string, string> | undefined): Partial<TextConfig> | null {
  if (metadata?.[TEXT_FORMAT_KEY] !== TEXT_FORMAT) return null;
  try {
    return JSON.parse(metadata[TEXT_CONFIG_KEY] ?? '') as Partial<TextConfig>;
  } catch (e) {
    throw new CheckpointError(`${shapes.name}: the ${TEXT_CONFIG_KEY} metadata is not valid JSON (${(e as Error).message}); the file is corrupt`);
  }
}

/**
 * Works out the text-tower configuration of a checkpoint (`shapes`: its tensors, prefix removed):
 * our format's metadata, else the chosen variant, else an HF config.json, else the shapes (heads
 * from the preset of the same size); `overrides` go on top. A variant is taken as given, so that
 * ParamStore then reports any key or shape that does not fit it (or `checkShapes` compares width
 * and depth here). Throws CheckpointError naming the file and the fix.
 */
export async function resolveTextCheckpointConfig(shapes: TensorShapes, src: TextConfigSources = {}): Promise<TextConfig> {
  let base: Partial<TextConfig> | null = storedConfig(shapes, src.metadata);
  if (!base && src.variant) base = textPreset(src.variant);
  if (!base && src.hf && Object.keys(src.hf).length > 0) base = { ...(await shapeConfig(shapes)), ...src.hf };
  if (!base) {
    const sizes = await shapeConfig(shapes);
    const preset = matchPreset(sizes);
    base = { ...sizes, ...(preset ? { numHeads: TEXT_PRESETS[preset].numHeads } : {}) };
  }
  const merged = { ...base, ...src.overrides };
  if (merged.numHeads === undefined) {
    throw new CheckpointError(
      `${shapes.name}: width ${merged.hiddenSize} is not a published text tower (MLP ${merged.mlpDim}, ${merged.numLayers} layers match no preset) and the number of attention heads is not stored in the weights; pass ${src.headsHint ?? 'config: { numHeads }'} or a variant`,
    );
  }
  if (src.checkShapes) {
    const file = await shapeConfig(shapes);
    const chosen = src.variant ?? 'chosen';
    if (merged.hiddenSize !== file.hiddenSize) {
      throw new CheckpointError(`${shapes.name}: the text tower is ${file.hiddenSize} wide but the ${chosen} configuration says ${merged.hiddenSize}; pass the matching variant`);
    }
    if (merged.numLayers !== file.numLayers) {
      throw new CheckpointError(`${shapes.name}: the text tower has ${file.numLayers} blocks but the ${chosen} configuration has ${merged.numLayers}; pass the matching variant`);
    }
  }
  try {
    return validateTextConfig(merged);
  } catch (e) {
    throw new CheckpointError(`${shapes.name}: ${(e as Error).message}`, [], [], []);
  }
}
