export { SentencePieceTokenizer, TIPS_MAX_LEN, type TokenizeOptions, type TokenizedBatch } from './tokenizer';
export { SentencePieceProcessor, type EncodedPiece } from './processor';
export { decodeModelProto, PieceType, ModelType, type SentencePieceModelProto, type ModelPiece, type NormalizerSpec, type TrainerSpec } from './proto';
export { Normalizer } from './normalizer';
export { Vocabulary, byteToPiece, pieceToByte } from './vocab';
export { UnigramModel } from './unigram';
export { BpeModel } from './bpe';
export { asciiLower } from './ascii-lower';
export type { Segment, SegmentationModel } from './segment';
