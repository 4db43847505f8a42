// @tips/lrm-head: single-image-to-3D on TIPS features (LRM: image tokens → triplane transformer →
// NeRF MLP → differentiable volume rendering), training through @tips/trainer, PSNR/SSIM evaluation.
export { LrmError, LrmConfigError, LrmInputError, LrmCheckpointError } from './errors';
export { type LrmConfig, type LrmPresetName, LRM_PRESETS, lrmConfig, validateLrmConfig, planeResolution, conditionDim } from './config';
export { CAMERA_FEATURES, cameraFeatures } from './camera-features';
export { type RayBatch, type RaySamples, cameraRays, concatRays, rayBoxInterval, sampleRays } from './rays';
export { TRIPLANE_AXES, type TriplaneTaps, triplaneTaps, sampleTriplanes } from './triplane-sampler';
export { composite, type CompositeResult } from './volume';
export { lrmHeadSpecs, initLrmHead } from './params';
export { LrmHead, deconvolve, type RenderRequest } from './head';
export { LrmModel } from './model';
export { type ImageF32, mse, psnr, psnrFromMse, ssim, gaussianWindow, type SsimOptions } from './metrics';
