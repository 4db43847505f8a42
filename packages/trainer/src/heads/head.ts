import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@tips/runtime';

/** What a TIPS encoder hands to a head: the two CLS embeddings, the patch tokens and their grid. */
export interface EncoderFeatures {
  /** [B, D] first CLS (web-caption embedding). */
  cls1: tf.Tensor2D;
  /** [B, D] second CLS (synthetic-caption embedding). */
  cls2: tf.Tensor2D;
  /** [B, h·w, D] patch tokens, row-major over the grid. */
  patches: tf.Tensor3D;
  /** Patch grid [h, w]. */
  grid: [number, number];
  /** Intermediate blocks' outputs when the head asked for them (DPT-style heads). */
  layers?: { block: number; cls1: tf.Tensor2D; cls2: tf.Tensor2D; patches: tf.Tensor3D }[];
}

/**
 * A head on TIPS features: our probes (segmentation, depth, classification) and users' own heads
 * implement this and are trained by the same loop (HeadTrainable + train()).
 * `forward` and `loss` create tensors inside the loop's tape/tidy; the loop frees them.
 */
export interface Head<Target> {
  /** A short identifier (used in file metadata and logs). */
  readonly kind: string;
  /** The head's parameters (saved and loaded alone with saveHead/loadHead). */
  readonly params: ParamStore;
  /** Block indices of intermediate layers the head needs (default: none). */
  readonly layers?: number[];
  /** Prediction from the encoder's features. */
  forward(features: EncoderFeatures, options: { training: boolean }): tf.Tensor;
  /** Training loss of a prediction against the batch's target. */
  loss(prediction: tf.Tensor, target: Target): tf.Scalar;
  /** JSON-serialisable configuration, enough to rebuild the head with its factory. */
  config(): Record<string, unknown>;
}
