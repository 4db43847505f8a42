// @tips/data: datasets, decoding, TIPS views, batching and the built-in spatial-scenes dataset.
export * from './errors';

// Formats
export { readManifest, writeManifest, parseManifestLine, labelIds, manifestLineSchema, type ManifestLine, type ManifestRecord, type ReadManifestOptions } from './formats/manifest';
export { readJsonLines, type JsonLinesErrors } from './formats/json-lines';
export { expandBraces } from './formats/brace';
export { readTarShard, interpretWdsSample, splitKey, WDS_IMAGE_EXTENSIONS, type WdsEntryGroup, type WdsSample } from './formats/webdataset';
export { writeTarShard } from './formats/tar-writer';
export { readImageFolder, IMAGE_FILE_EXTENSIONS, type ImageFolder } from './formats/image-folder';
export { readCocoCaptions, type RetrievalSet } from './formats/coco-captions';

// Images
export type { RgbImage, FloatImage, PixelLayout } from './image/types';
export { decodeImage, imageSize, type ImageInput } from './image/decode';
export { resampleCrop, type CropBox, type ResampleOptions } from './image/resample';
export { readClassMask, readDepth, type DenseMap } from './image/dense-maps';
export { encodePng16 } from './image/png16';

// Augmentations
export { PATCH_SIZE, DEFAULT_VIEW_CONFIG, resolveViewConfig, checkPatchMultiple, type TipsViewConfig } from './augment/view-config';
export { makeTipsViews, viewRng, type TipsViews, type ViewKey } from './augment/tips-views';
export { randomResizedCropBox, type CropRanges } from './augment/random-resized-crop';
export { resizeOutputSize, centerCropBox } from './augment/eval-geometry';
export { applyEvalTransform, evalOutputSize, type EvalTransformConfig } from './augment/eval-transform';
export { samplePatchMask, checkMaskConfig, type PatchMaskConfig } from './augment/patch-mask';
export { pyRound } from './augment/py-round';

// Text
export { DEFAULT_MAX_TOKENS, type Tokenizer, type TokenizedText } from './text/tokenizer';
export { pickSyntheticCaption } from './text/caption-choice';

// Loading
export type { RawSample, SampleSource, ShardPart } from './loader/source';
export { rankOrder, shuffleBuffer } from './loader/sharding';
export { listSource, manifestSource, imageFolderSource, retrievalImageSource, type ListItem, type ListSourceOptions } from './loader/list-source';
export { webDatasetSource, type WebDatasetSourceOptions } from './loader/webdataset-source';
export { SkipTracker } from './loader/skip-tracker';
export { processSample, type SampleTask, type SampleResult } from './loader/process-sample';
export type { TransformSpec } from './loader/transform-spec';
export { defaultWorkerScript, type SampleRunner } from './loader/worker-pool';
export type { DataPosition, FloatBlock, TipsBatch, EvalBatch } from './loader/batch';
export { DataLoader, workerCount, createTipsLoader, createEvalLoader, type LoaderOptions, type TipsLoaderOptions, type EvalLoaderOptions } from './loader/loader';

// Built-in spatial-scenes dataset
export { SHAPES, MASK_CLASSES, COLOURS, COLOUR_NAMES, SIZES, sizeOf, REGIONS, TEXTURES, BACKGROUND_COLOURS, regionOf, type ShapeName, type ColourName, type SizeName } from './scenes/vocabulary';
export { renderScene, MIN_VISIBLE_FRACTION, type RenderedScene, type SceneOptions } from './scenes/render-scene';
export type { SceneObject } from './scenes/annotate';
export type { SceneSpec, SceneObjectSpec } from './scenes/scene-spec';
export { OBJECT_DEPTH_RANGE, RADIUS_AT_1M, OBJECT_SCALE_RANGE } from './scenes/scene-spec';
export { DEPTH_PNG_SCALE, encodeScenePngs } from './scenes/encode-scene';
export { generateScenes, SCENE_LABEL_CLASSES, SCENE_LABEL_PROMPT, type GenerateScenesOptions, type GenerateScenesResult, type GenerateProgress } from './scenes/generate';

export * from './multiview/index';
export { scenesTokenizerPath, loadScenesTokenizer } from './scenes/tokenizer-asset';
