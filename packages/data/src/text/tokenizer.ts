/**
 * What @tips/data needs from a tokenizer: @tips/text-encoder's `SentencePieceTokenizer` has this shape
 * (`SentencePieceTokenizer.load(pathOrBytes)`), so pass one in; any object with the same method works.
 */
export interface Tokenizer {
  /**
   * Lower-cases and tokenises `texts`, pads or truncates each to `maxLen` ids (pad id 0, no BOS/EOS).
   * `paddings` is 1 where the id is padding and 0 on real tokens.
   */
  tokenize(texts: string[], maxLen?: number, options?: { paddingRule?: 'official' | 'per-row' }): TokenizedText;
}

/** Row-major [B, maxLen] token ids with their padding mask (1 = padding), ready for `tf.tensor2d`. */
export interface TokenizedText {
  ids: Int32Array;
  paddings: Float32Array;
  shape: [number, number];
  /** Tokens of each text before truncation (when the tokenizer reports it). */
  lengths?: number[];
}

/** TIPS' text length (DESIGN: max 64 tokens). */
export const DEFAULT_MAX_TOKENS = 64;
