export * from './tokenizer/index';
export { TokenizerError, TextInputError } from './errors';
export {
  type TextConfig,
  type TextPresetName,
  TEXT_PRESETS,
  TIPS_VOCAB_SIZE,
  textPreset,
  validateTextConfig,
  resolveTextConfig,
} from './model/config';
export { textParamSpecs } from './model/params';
export { initTextParams, type TextInitOptions } from './model/init';
export { sinusoidalPositions } from './model/positional';
export { embeddingLookup } from './model/embedding';
export { TextTransformer, type TextForwardOptions, type EmbedOptions } from './model/text-transformer';
export { loadTextCheckpoint, saveTextCheckpoint, type LoadTextOptions } from './checkpoint/load';
export { readHfTextConfig, type HfTextConfig } from './checkpoint/hf-config';
export { parseHfTextConfig } from './checkpoint/hf-fields';
export { findTextPrefix, matchPreset, shapeConfig, resolveTextCheckpointConfig, type TextConfigSources } from './checkpoint/resolve';
export { TEXT_FORMAT, TEXT_FORMAT_KEY, TEXT_CONFIG_KEY, TEMPERATURE_KEYS, temperatureValue } from './checkpoint/format';
