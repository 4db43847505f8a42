// @tips/vit-core/config: the image tower's presets and the resolution of a checkpoint's
// configuration, without tfjs or Node built-ins (browser-safe; @tips/sdk uses it).
export { type VitConfig, type VitPresetName, VIT_PRESETS, vitPreset, ffnHiddenDim } from './config';
export {
  resolveVisionConfig,
  findVisionPrefix,
  HF_VISION_FN,
  VIT_FORMAT,
  VIT_FORMAT_KEY,
  VIT_CONFIG_KEY,
  type VisionConfigSources,
  type HfConfigSource,
} from './config-resolve';
export { validateVitConfig, VitConfigError } from './config-validate';
