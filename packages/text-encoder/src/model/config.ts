import { TextInputError } from '../errors';
import { TIPS_MAX_LEN } from '../tokenizer/tokenizer';

/**
 * Configuration of the TIPS text tower (google-deepmind/tips pytorch/text_encoder.py TextEncoder
 * and run_text_encoder_inference.py get_config): a pre-LN transformer over SentencePiece tokens.
 */
export interface TextConfig {
  /** Width of the token embeddings and of the transformer (config['hidden_size']). */
  hiddenSize: number;
  /** Hidden width of the ReLU MLP (config['mlp_dim']). */
  mlpDim: number;
  /** Attention heads (config['num_heads']); hiddenSize must be a multiple. */
  numHeads: number;
  /** Transformer blocks (config['num_layers']). */
  numLayers: number;
  /** Rows of the token-embedding table (TIPS: 32000). */
  vocabSize: number;
  /** Longest token sequence the tokenizer produces (TIPS: 64). Positions are sinusoidal, so longer inputs still run. */
  maxLen: number;
  /** LayerNorm epsilon (PyTorch nn.LayerNorm default 1e-5). */
  eps: number;
}

export type TextPresetName = 'S' | 'B' | 'L' | 'So400m' | 'g';

/** TIPS vocabulary size (run_text_encoder_inference.py VOCAB_SIZE; MAX_LEN is TIPS_MAX_LEN). */
export const TIPS_VOCAB_SIZE = 32000;

function preset(hiddenSize: number, mlpDim: number, numHeads: number, numLayers: number): TextConfig {
  return { hiddenSize, mlpDim, numHeads, numLayers, vocabSize: TIPS_VOCAB_SIZE, maxLen: TIPS_MAX_LEN, eps: 1e-5 };
}

/** The text towers of the published variants (the same for TIPSv1 and TIPSv2 of a size). */
export const TEXT_PRESETS: Record<TextPresetName, TextConfig> = {
  S: preset(384, 1536, 6, 12),
  B: preset(768, 3072, 12, 12),
  L: preset(1024, 4096, 16, 12),
  So400m: preset(1152, 4304, 16, 27),
  g: preset(1536, 6144, 24, 12),
};

/** A preset by name (case-insensitive: s, b, l, so400m, g). */
export function textPreset(name: string): TextConfig {
  const key = (Object.keys(TEXT_PRESETS) as TextPresetName[]).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) throw new TextInputError(`unknown text tower preset '${name}'; use one of ${Object.keys(TEXT_PRESETS).join(', ')}`);
  return { ...TEXT_PRESETS[key] };
}

/** Checks a configuration and returns a complete copy (missing vocabSize/maxLen/eps take the TIPS values). */
export function validateTextConfig(config: Partial<TextConfig>): TextConfig {
  const c: TextConfig = { vocabSize: TIPS_VOCAB_SIZE, maxLen: TIPS_MAX_LEN, eps: 1e-5, ...config } as TextConfig;
  const ints: (keyof TextConfig)[] = ['hiddenSize', 'mlpDim', 'numHeads', 'numLayers', 'vocabSize', 'maxLen'];
  for (const k of ints) {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) < 1) throw new TextInputError(`text config: ${k} must be a positive integer, got ${String(v)}`);
  }
  if (c.hiddenSize % c.numHeads !== 0) {
    throw new TextInputError(`text config: hiddenSize ${c.hiddenSize} is not a multiple of numHeads ${c.numHeads}`);
  }
  if (!(c.eps > 0)) throw new TextInputError(`text config: eps must be > 0, got ${c.eps}`);
  return c;
}

/** A preset name or a (partial) config → a validated config. */
export function resolveTextConfig(config: TextPresetName | string | Partial<TextConfig>): TextConfig {
  return validateTextConfig(typeof config === 'string' ? textPreset(config) : config);
}
