// @tips/lrm-head: single-image-to-3D on TIPS features (LRM: image tokens → triplane transformer →
// NeRF MLP → differentiable volume rendering), training through @tips/trainer, PSNR/SSIM evaluation.
export { LrmError, LrmConfigError, LrmInputError, LrmCheckpointError } from './errors';
export { type LrmConfig, type LrmPresetName, LRM_PRESETS, lrmConfig, validateLrmConfig, planeResolution, conditionDim } from './config';
export { CAMERA_FEATURES, cameraFeatures } from './camera-features';
export { type RayBatch, type RaySamples, cameraRays, concatRays, rayBoxInterval, sampleRays } from './rays';
export { TRIPLANE_AXES, type TriplaneTaps, type TriplaneSamplerMode, triplaneTaps, sampleTriplanes, defaultSamplerMode } from './triplane-sampler';
export { composite, type CompositeResult } from './volume';
export { lrmHeadSpecs, initLrmHead } from './params';
export { LrmHead, deconvolve, type RenderRequest } from './head';
export { LrmModel } from './model';
export { type ImageF32, mse, psnr, psnrFromMse, ssim, gaussianWindow, type SsimOptions } from './metrics';
export { MultiviewSet } from './dataset';
export { type LrmBatch, type LrmBatchOptions, type LrmDataPosition, makeLrmBatch, nextLrmPosition, foregroundPixels, LrmDataSource } from './batches';
export { LrmTrainable, type LrmTrainableOptions, type LrmStepContext } from './trainable';
export { saveLrmModel, loadLrmModel, readLrmInfo, lrmModelFromVariables, LRM_FORMAT, LRM_FORMAT_KEY, LRM_CONFIG_KEY, LRM_VIT_CONFIG_KEY, LRM_INFO_KEY } from './checkpoint';
export { toRgb8, writePng, hstack, vstack, constantImage } from './png';
export { Reconstruction, reconstruct, renderImage } from './render-views';
export { modelFrame, type CameraFrame } from './camera-frame';
export { evaluateLrm, type LrmEvalOptions, type LrmEvalReport, type MetricPair } from './evaluate';
export { trainLrm, loadLrmEncoder, type TrainLrmOptions, type TrainLrmResult, type LrmEncoderSource } from './train';
