import type { TokenizedText } from '../text/tokenizer';

/** Where a loader is in its data: `index` samples of this rank's stream of `epoch` have been consumed. */
export interface DataPosition {
  epoch: number;
  index: number;
}

/** A Float32 array with its tensor shape (row-major), ready for `tf.tensor(data, shape)`. */
export interface FloatBlock {
  data: Float32Array;
  shape: number[];
}

/**
 * One training batch of TIPS views (B samples, M local crops, global side S, local side s, patch 14).
 * Layout 'hwc' shown; with 'chw' the trailing [S, S, 3] becomes [3, S, S].
 */
export interface TipsBatch {
  size: number;
  epoch: number;
  /** Position after this batch: save it in a checkpoint and pass it as `start` to resume exactly. */
  position: DataPosition;
  /** Stable sample ids (manifest index or WebDataset key). */
  ids: (number | string)[];
  /** [B] integer class ids, -1 where the dataset has no label. */
  labels: Int32Array;
  /** Global crops, shape [B, S, S, 3]. */
  global: FloatBlock;
  /** Local crops crop-major, shape [M, B, s, s, 3]: crop m of sample b at (m·B + b); reshape to [M·B, s, s, 3]. */
  locals: FloatBlock;
  /** Patch mask of the global crop, shape [B, (S/14)²], 1 = masked; absent when masking is off. */
  mask?: { data: Uint8Array; shape: [number, number] };
  webCaptions: string[];
  /** The synthetic caption chosen for each sample this epoch (multi-granularity: one of several). */
  syntheticCaptions: string[];
  /** Tokenised captions [B, maxTokens] (pad id 0, paddings 1 at padding); present when a tokenizer was given. */
  webTokens?: TokenizedText;
  syntheticTokens?: TokenizedText;
}

/** One evaluation batch: images through the eval transform. */
export interface EvalBatch {
  size: number;
  position: DataPosition;
  ids: (number | string)[];
  labels: Int32Array;
  /** [B, H, W, 3] ('hwc') or [B, 3, H, W] ('chw'). */
  images: FloatBlock;
  webCaptions: string[];
  webTokens?: TokenizedText;
}
