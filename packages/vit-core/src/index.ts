export { type VitConfig, type VitPresetName, VIT_PRESETS, vitPreset, ffnHiddenDim } from './config';
export { vitParamSpecs } from './params';
export { initVitParams, type VitInitOptions } from './init';
export { gridResizeMatrix, interpolatePosEmbed } from './pos-embed';
export { patchify } from './patchify';
export { VisionTransformer, type VitOutput, type VitLayerOutput, type VitForwardOptions } from './model';
export { loadVisionCheckpoint, saveVisionCheckpoint, type LoadVisionOptions } from './checkpoint';
export { resolveVisionConfig, findVisionPrefix, HF_VISION_FN, VIT_FORMAT, VIT_FORMAT_KEY, VIT_CONFIG_KEY, type VisionConfigSources, type HfConfigSource } from './config-resolve';
export { VitInputError } from './errors';
