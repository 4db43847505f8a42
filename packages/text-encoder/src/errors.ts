import { TipsError } from '@tips/runtime/core';

/** A SentencePiece model file is missing, corrupt or of a kind we do not support, or a tokenizer input is invalid. */
export class TokenizerError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TOKENIZER', message, options);
  }
}

/** An input the text tower cannot take (ids/paddings shapes, token ids outside the vocabulary, a bad config). */
export class TextInputError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TEXT_INPUT', message, options);
  }
}
