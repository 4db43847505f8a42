// @tips/sdk — TIPS inference on ONNX Runtime for Node and browsers, and ONNX export.
export { TipsModel, isImageEmbedding, type TipsLoadOptions, type ImageEmbedding, type EmbedImageOptions, type ZeroShotOptions, type LabelScore, type SegmentationResult, type DenseFeatures, type RetrievalItem, type RetrievalHit } from './model/tips-model';
export type { ImageInput, RawImage, RgbImage, PixelTensor } from './preprocess/image-input';
export type { PcaImage } from './model/pca-image';
export type { ModelSource } from './model/sources';
export type { TokenizerLike } from './model/tokenizer';
export { loadOrt, type OrtBackend, type OrtChoice, type OrtRuntime } from './ort/runtime';
export { SessionCache } from './ort/session-cache';
export { decodeImage } from './preprocess/decode';
export { rgbToModelInput } from './preprocess/pixels';
export { toRgb } from './preprocess/to-rgb';
export { pcaImage } from './model/pca-image';
export { pca, pcaTransform, type PcaResult } from './math/pca';
export { l2Normalize, cosine, softmax, topK } from './math/similarity';
export {
  exportVisionOnnx,
  exportTextOnnx,
  readVisionCheckpoint,
  visionOnnxFromWeights,
  parseSize,
  type VisionExportOptions,
  type TextExportOptions,
  type GraphExportOptions,
} from './export';
export { buildVisionGraph, VISION_IO, type VisionGraphOptions } from './onnx/vision-graph';
export { buildTextGraph, TEXT_IO, type TextGraphConfig, type TextGraphOptions } from './onnx/text-graph';
export { summarizeModel, type ModelSummary } from './onnx/proto';
export type { WeightMap, Tensor32 } from './onnx/weights';
export type { ExternalDataSink } from './onnx/external-data';
export { ExportError, ModelLoadError, SdkInputError } from './errors';
export { SDK_VERSION } from './version';
