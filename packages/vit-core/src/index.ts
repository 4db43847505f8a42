// The tfjs-free part (presets, checkpoint config resolution) is also @tips/vit-core/config.
export * from './config-entry';
export { vitParamSpecs } from './params';
export { initVitParams, type VitInitOptions } from './init';
export { gridResizeMatrix, interpolatePosEmbed } from './pos-embed';
export { patchify } from './patchify';
export { VisionTransformer, type VitOutput, type VitLayerOutput, type VitForwardOptions } from './model';
export { loadVisionCheckpoint, saveVisionCheckpoint, type LoadVisionOptions } from './checkpoint';
export { VitInputError } from './errors';
