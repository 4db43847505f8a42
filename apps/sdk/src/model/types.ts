import type { VitConfig } from '@tips/vit-core/config';
import type { GraphExportOptions } from '../export-options';
import type { OrtChoice } from '../ort/runtime';
import type { ImageInput } from '../preprocess/image-input';
import type { ModelSource } from './sources';
import type { TokenizerLike } from './tokenizer';

// Options and results of TipsModel.

export interface TipsLoadOptions extends OrtChoice, GraphExportOptions {
  /** Image tower: an exported .onnx, or a checkpoint (.npz / .safetensors, exported here on the fly). */
  vision?: ModelSource;
  /** Text tower: an exported .onnx or a checkpoint. */
  text?: ModelSource;
  /** SentencePiece tokenizer.model (path, URL or bytes) or a tokenizer object; needed for texts. */
  tokenizer?: ModelSource | TokenizerLike;
  /** Checkpoints: S, B, L, So400m or g (optional when the file or its width tells). */
  variant?: string;
  /** Checkpoints: image-tower configuration overrides (custom sizes; see @tips/vit-core VitConfig). */
  visionConfig?: Partial<VitConfig>;
  /** Checkpoints: attention heads of a text tower whose width is not a published preset. */
  textHeads?: number;
  /** Checkpoints: default input size (side or [H, W]); default the checkpoint's native size. */
  imageSize?: number | [number, number];
  /** Images per ONNX Runtime run (default 8). */
  batchSize?: number;
  /** Checkpoints: how many input sizes keep a ready session (default 2). */
  sessionCacheSize?: number;
  /** Softmax temperature for zero-shot scores; default the text checkpoint's, else 0.01. */
  temperature?: number;
}

/** One image's embedding. */
export interface ImageEmbedding {
  /** First CLS token (pairs with web captions), L2-normalised. */
  cls1: Float32Array;
  /** Second CLS token (the register; pairs with synthetic captions), L2-normalised. */
  cls2: Float32Array;
  /** Patch tokens after the final norm, [h·w, D] row-major (not normalised). */
  patches: Float32Array;
  /** Patch grid [h, w]. */
  grid: [number, number];
  dim: number;
}

export interface EmbedImageOptions {
  /** Input size for this call (checkpoint-loaded towers only); default the model's. */
  size?: number | [number, number];
}

export interface ZeroShotOptions {
  /** Prompt template(s) with `{}` for the label; several are averaged (prompt ensemble). Default 'a photo of a {}.'. */
  template?: string | string[];
  /** Which image token to compare: 'cls1' (default, as the official demo) or 'cls2'. */
  cls?: 'cls1' | 'cls2';
  temperature?: number;
}

export interface LabelScore {
  label: string;
  /** Softmax probability over the labels (cosine / temperature). */
  score: number;
  /** Cosine similarity of the image and label embeddings. */
  similarity: number;
}

export interface SegmentationResult {
  labels: string[];
  grid: [number, number];
  /** Cosine similarity of each patch with each label, [labels, h, w]. */
  similarity: Float32Array;
  /** Index of the best label per patch, [h, w]. */
  labelMap: Int32Array;
}

export interface DenseFeatures {
  /** Patch tokens [h·w, D] (L2-normalised per patch when asked). */
  features: Float32Array;
  grid: [number, number];
  dim: number;
}

/** A query or gallery item for retrieve(): a text, an image, or a ready embedding. */
export type RetrievalItem = string | ImageInput | Float32Array;

export interface RetrievalHit {
  index: number;
  score: number;
}
