import { CheckpointError, type TensorFileReader } from '@tips/runtime';
import { TEXT_PRESETS, textPreset, validateTextConfig, type TextConfig, type TextPresetName } from '../model/config';

const EMBEDDING = 'token_embedding.weight';

/** The prefix in front of the text-tower keys (e.g. `text_encoder.`), found from `token_embedding.weight`. */
export function findTextPrefix(reader: TensorFileReader, wanted?: string): string {
  if (wanted !== undefined) {
    if (!reader.has(wanted + EMBEDDING)) {
      throw new CheckpointError(`${reader.path} has no '${wanted + EMBEDDING}'; check the prefix option`);
    }
    return wanted;
  }
  const hits = reader.keys().filter((k) => k === EMBEDDING || k.endsWith('.' + EMBEDDING));
  if (hits.length === 0) {
    throw new CheckpointError(
      `${reader.path} has no 'token_embedding.weight' tensor, so it is not a TIPS text-tower checkpoint (keys start: ${reader.keys().slice(0, 6).join(', ')}). For an image checkpoint use @tips/vit-core`,
    );
  }
  if (hits.length > 1) {
    throw new CheckpointError(`${reader.path} holds several text towers (${hits.join(', ')}); pass options.prefix to pick one`);
  }
  return hits[0]!.slice(0, hits[0]!.length - EMBEDDING.length);
}

/** Sizes the tensors tell: vocabulary, width, MLP width, depth. The number of heads is not in the shapes. */
export async function shapeConfig(reader: TensorFileReader, prefix: string): Promise<Omit<TextConfig, 'numHeads' | 'maxLen' | 'eps'>> {
  const emb = await reader.info(prefix + EMBEDDING);
  if (emb.shape.length !== 2) throw new CheckpointError(`${reader.path}: ${prefix + EMBEDDING} has shape ${JSON.stringify(emb.shape)}, expected [vocab, width]`);
  const [vocabSize, hiddenSize] = emb.shape as [number, number];
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}transformer\\.resblocks\\.(\\d+)\\.`);
  let numLayers = 0;
  for (const k of reader.keys()) {
    const m = re.exec(k);
    if (m) numLayers = Math.max(numLayers, Number(m[1]) + 1);
  }
  const fc = prefix + 'transformer.resblocks.0.mlp.c_fc.weight';
  const mlpDim = reader.has(fc) ? (await reader.info(fc)).shape[0]! : 0;
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

export interface ResolveSources {
  /** Config stored in our own format's metadata. */
  stored?: Partial<TextConfig> | null;
  variant?: string;
  hf?: Partial<TextConfig> | null;
  overrides?: Partial<TextConfig>;
}

/**
 * Works out the configuration of a checkpoint: our metadata, else the chosen variant, else an HF
 * config.json, else the shapes (heads from the preset of the same size); `overrides` go on top.
 * A variant is taken as given, so ParamStore.check then reports any key or shape that does not fit it.
 */
export async function resolveTextCheckpointConfig(reader: TensorFileReader, prefix: string, src: ResolveSources): Promise<TextConfig> {
  let base: Partial<TextConfig> | null = src.stored ?? null;
  if (!base && src.variant) base = textPreset(src.variant);
  if (!base && src.hf && Object.keys(src.hf).length > 0) {
    const sizes = await shapeConfig(reader, prefix);
    base = { ...sizes, ...src.hf };
  }
  if (!base) {
    const sizes = await shapeConfig(reader, prefix);
    const preset = matchPreset(sizes);
    base = { ...sizes, ...(preset ? { numHeads: TEXT_PRESETS[preset].numHeads } : {}) };
  }
  const merged = { ...base, ...src.overrides };
  if (merged.numHeads === undefined) {
    throw new CheckpointError(
      `${reader.path}: a text tower of width ${merged.hiddenSize}, MLP ${merged.mlpDim}, ${merged.numLayers} layers matches no preset and the number of attention heads is not stored in the weights; pass config: { numHeads } (or a variant)`,
    );
  }
  try {
    return validateTextConfig(merged);
  } catch (e) {
    throw new CheckpointError(`${reader.path}: ${(e as Error).message}`, [], [], []);
  }
}
