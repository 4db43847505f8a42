export * from './tokenizer/index';
// The tfjs-free part (presets, checkpoint config resolution, positions) is also @tips/text-encoder/config.
export * from './checkpoint/config-entry';
export { TokenizerError } from './errors';
export { textParamSpecs } from './model/params';
export { initTextParams, type TextInitOptions } from './model/init';
export { embeddingLookup } from './model/embedding';
export { TextTransformer, type TextForwardOptions, type EmbedOptions } from './model/text-transformer';
export { loadTextCheckpoint, saveTextCheckpoint, type LoadTextOptions } from './checkpoint/load';
export { readHfTextConfig } from './checkpoint/hf-config';
