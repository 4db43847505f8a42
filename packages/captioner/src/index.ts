// @tips/captioner: synthetic captions at scale — one interface, three backends (OpenAI-compatible
// vision endpoints, local transformers.js models, annotation templates) and a resumable, sharded batch job.
export {
  CaptionerError,
  CaptionConfigError,
  CaptionImageError,
  CaptionHttpError,
  CaptionTimeoutError,
  CaptionNetworkError,
  CaptionResponseError,
  CaptionModelError,
  CaptionManifestError,
  CaptionAnnotationError,
} from './errors';
export { BaseCaptioner, type Captioner, type CaptionImage, type CaptionOptions, type CaptionResult, type RawPixels } from './captioner';
export { GRANULARITIES, DEFAULT_MAX_TOKENS, parseGranularities, promptFor, isGranularity, type Granularity, type PromptStyle } from './prompts';
export { toEncodedImage, toDataUrl, toRgbPixels, sniffImageMime, type EncodedImage } from './images/image-bytes';
export { imageRecordCaptioner, type RecordCaptioner, type ImageRecordCaptionerOptions } from './record-captioner';

// Backends
export { OpenAICaptioner, type OpenAICaptionerOptions, type RetryEvent } from './backends/openai';
export { DEFAULT_RETRY, backoffDelayMs, parseRetryAfterMs, isRetryableStatus, type RetryPolicy } from './backends/retry';
export { ConcurrencyLimiter } from './backends/limiter';
export { TransformersCaptioner, loadTransformersModule, type TransformersCaptionerOptions } from './backends/transformers';
export { TemplateCaptioner, TEMPLATE_MODEL, annotationFromRecord, type TemplateCaptionerOptions } from './backends/template';

// Templates
export { validateAnnotation, type BBox, type ImageAnnotation, type ObjectAnnotation } from './templates/annotation';
export { gridCell, cellName, cellPhrase, type GridCell } from './templates/grid';
export { directionOf, depthRelationOf, relationOf, type Relation, type DirectionRelation, type DepthRelation } from './templates/relations';
export { templateCaption, shortCaption, detailedCaption, spatialCaption, sizeWord, type TemplateOptions } from './templates/spatial-captions';
export { annotationFromCocoBoxes, type CocoBox, type CocoCategory } from './templates/coco';
export { annotationFromSceneRecord, hasSceneObjects } from './templates/scenes';

// Batch job
export { runCaptionJob, type CaptionJobOptions, type CaptionJobSummary } from './job/run-caption-job';
export { mergeCaptionShards, type MergeOptions, type MergeSummary } from './job/merge';
export { parseShard, inShard, type ShardSpec } from './job/shard';
export { manifestRecords } from './job/manifest-records';
export { outputRecord, PROVENANCE_FIELD, type CaptionProvenance } from './job/output-record';
export { progressBar, type ProgressReporter, type ProgressState } from './job/progress';
export { JsonlLog } from './job/jsonl-log';
export type { CaptionFailure } from './job/failures';
export type { JobRecord } from './job/record';

// Test double of an OpenAI-compatible server (tests, benchmarks, users' own pipelines)
export { startChatServer, digestCaption, type ChatServer, type ChatServerOptions, type ChatRequestInfo, type PlanAction } from './testing/chat-server';
export { createRecordCaptioner, BACKENDS, type BackendName, type BackendSpec } from './create-captioner';
