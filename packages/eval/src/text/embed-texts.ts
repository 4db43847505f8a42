import type { SentencePieceTokenizer, TextTransformer } from '@tips/text-encoder';
import { EvalInputError } from '../errors';

/** A text tower with the tokenizer it was trained with. */
export interface TextSide {
  model: TextTransformer;
  tokenizer: SentencePieceTokenizer;
}

/**
 * L2-normalised text embeddings [texts.length, D] as a plain array (TextTransformer.embed, in
 * batches; no tensor survives).
 */
export function embedTexts(text: TextSide, texts: readonly string[], batchSize = 64): Float32Array {
  const D = text.model.config.hiddenSize;
  if (texts.length === 0) throw new EvalInputError('no texts to embed');
  const out = new Float32Array(texts.length * D);
  for (let s = 0; s < texts.length; s += batchSize) {
    const chunk = texts.slice(s, s + batchSize);
    const e = text.model.embed(text.tokenizer, chunk);
    out.set(e.dataSync() as Float32Array, s * D);
    e.dispose();
  }
  return out;
}
