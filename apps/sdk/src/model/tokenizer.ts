import { ModelLoadError, SdkInputError } from '../errors';
import { sourceBytes, type ModelSource } from './sources';

/** What the SDK needs from a tokenizer (@tips/text-encoder's SentencePieceTokenizer fits). */
export interface TokenizerLike {
  tokenize(
    texts: readonly string[],
    maxLen?: number,
    options?: { paddingRule?: 'official' | 'per-row' },
  ): { ids: Int32Array; paddings: Float32Array; shape: [number, number]; lengths: number[] };
}

/** Loads the SentencePiece tokenizer (TIPS's tokenizer.model) with @tips/text-encoder, or passes a tokenizer object through. */
export async function loadTokenizer(src: ModelSource | TokenizerLike): Promise<TokenizerLike> {
  if (typeof src === 'object' && src !== null && 'tokenize' in src && typeof src.tokenize === 'function') return src;
  const bytes = await sourceBytes(src as ModelSource, 'tokenizer model');
  const { SentencePieceTokenizer } = await import('@tips/text-encoder/tokenizer');
  try {
    return SentencePieceTokenizer.fromBytes(bytes);
  } catch (e) {
    throw new ModelLoadError(`the tokenizer could not be loaded (${(e as Error).message}); pass TIPS's SentencePiece tokenizer.model`, { cause: e });
  }
}

/** A tokenized batch trimmed to its longest row, as the text graph takes it (int64 ids). */
export interface TextBatch {
  ids: BigInt64Array;
  paddings: Float32Array;
  batch: number;
  len: number;
}

/**
 * Tokenizes texts as the official `Tokenizer.tokenize` does (lower-case, no BOS/EOS, pad 0, ≤ maxLen;
 * paddings = ids == 0). When a text is longer than maxLen the official rule marks no padding at all
 * for the whole batch, so one long text changes the others' embeddings; then each row gets its own
 * padding instead (what the official code gives when that text is embedded alone). The batch is then
 * trimmed to its longest row: padded positions are ignored by the text tower, so this changes nothing
 * but the time. Empty texts are refused (the official model returns NaN for them).
 */
export function tokenizeBatch(tokenizer: TokenizerLike, texts: readonly string[], maxLen: number, vocabSize?: number): TextBatch {
  let t = tokenizer.tokenize(texts, maxLen, { paddingRule: 'official' });
  if (t.lengths.some((n) => n > maxLen)) t = tokenizer.tokenize(texts, maxLen, { paddingRule: 'per-row' });
  const B = texts.length;
  let len = 1;
  for (let b = 0; b < B; b++) {
    let last = -1;
    for (let j = 0; j < maxLen; j++) if (t.paddings[b * maxLen + j] === 0) last = j;
    if (last < 0) throw new SdkInputError(`text ${b} (${JSON.stringify(texts[b])}) has no tokens; pass a non-empty text`);
    len = Math.max(len, last + 1);
  }
  const ids = new BigInt64Array(B * len);
  const paddings = new Float32Array(B * len);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < len; j++) {
      const id = t.ids[b * maxLen + j]!;
      if (vocabSize !== undefined && id >= vocabSize) {
        throw new ModelLoadError(`the tokenizer produced id ${id} but the text tower has a vocabulary of ${vocabSize}; use the tokenizer that goes with this checkpoint`);
      }
      ids[b * len + j] = BigInt(id);
      paddings[b * len + j] = t.paddings[b * maxLen + j]!;
    }
  }
  return { ids, paddings, batch: B, len };
}
