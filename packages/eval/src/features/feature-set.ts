import * as tf from '@tensorflow/tfjs-core';
import type { EncoderFeatures } from '@tips/trainer';
import { EvalInputError } from '../errors';

/**
 * Frozen features of a set of images, kept in memory as plain arrays (row-major): the two CLS
 * embeddings [n, D] and the patch tokens [n, h·w, D] after the final norm, as the image tower
 * returns them. `valuePatches` (optional) are the MaskCLIP "values" patch embeddings used by
 * zero-shot segmentation.
 */
export interface FeatureSet {
  count: number;
  dim: number;
  grid: [number, number];
  cls1: Float32Array;
  cls2: Float32Array;
  patches: Float32Array;
  valuePatches?: Float32Array;
}

/** Rows `indices` of a [n, width] matrix. */
export function gatherRows(x: Float32Array, width: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * width);
  indices.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** Encoder features of the samples `indices` as new tensors (the caller disposes them: disposeFeatures). */
export function featureBatch(set: FeatureSet, indices: readonly number[]): EncoderFeatures {
  const D = set.dim;
  const N = set.grid[0] * set.grid[1];
  for (const i of indices) if (!(Number.isInteger(i) && i >= 0 && i < set.count)) throw new EvalInputError(`feature index ${i} is outside 0..${set.count - 1}`);
  const B = indices.length;
  return {
    cls1: tf.tensor2d(gatherRows(set.cls1, D, indices), [B, D]),
    cls2: tf.tensor2d(gatherRows(set.cls2, D, indices), [B, D]),
    patches: tf.tensor3d(gatherRows(set.patches, N * D, indices), [B, N, D]),
    grid: [...set.grid] as [number, number],
  };
}

/** Frees the tensors of an EncoderFeatures (intermediate layers included). */
export function disposeFeatures(f: EncoderFeatures): void {
  tf.dispose([f.cls1, f.cls2, f.patches, ...(f.layers ?? []).flatMap((l) => [l.cls1, l.cls2, l.patches])]);
}

/** Patch tokens of sample `i` [h·w, D] (a view, not a copy). */
export function patchesOf(set: FeatureSet, i: number, which: 'patches' | 'valuePatches' = 'patches'): Float32Array {
  const src = which === 'valuePatches' ? set.valuePatches : set.patches;
  if (!src) throw new EvalInputError('these features were extracted without value patches; extract with { valuePatches: true }');
  const w = set.grid[0] * set.grid[1] * set.dim;
  return src.subarray(i * w, (i + 1) * w);
}
