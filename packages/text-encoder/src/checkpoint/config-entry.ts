// @tips/text-encoder/config: the text tower's presets, the resolution of a checkpoint's
// configuration (prefix, sizes, heads, temperature keys, TIPSv2 config.json fields) and the
// sinusoidal position table, without tfjs or Node built-ins (browser-safe; @tips/sdk uses it).
export {
  type TextConfig,
  type TextPresetName,
  TEXT_PRESETS,
  TIPS_VOCAB_SIZE,
  textPreset,
  validateTextConfig,
  resolveTextConfig,
} from '../model/config';
export { sinusoidalPositions } from '../model/positional';
export { TextInputError } from '../errors';
export { findTextPrefix, matchPreset, shapeConfig, resolveTextCheckpointConfig, type TextConfigSources } from './resolve';
export { parseHfTextConfig, type HfTextConfig } from './hf-fields';
export { TEXT_FORMAT, TEXT_FORMAT_KEY, TEXT_CONFIG_KEY, TEMPERATURE_KEYS, temperatureValue } from './format';
