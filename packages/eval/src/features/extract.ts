import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tips/vit-core';
import { EvalInputError } from '../errors';
import type { FeatureSet } from './feature-set';
import { lastBlockPatches } from './last-block';

/** Where images come from: `count` images of side `size`, loaded in groups as NHWC [k, S, S, 3] in [0, 1]. */
export interface ImageBatches {
  count: number;
  size: [number, number];
  load(indices: number[]): Promise<Float32Array>;
}

export interface ExtractOptions {
  batchSize?: number;
  /** Also compute MaskCLIP "values" patch embeddings (zero-shot segmentation). */
  valuePatches?: boolean;
  onProgress?: (done: number, total: number, imagesPerSecond: number) => void;
}

/**
 * Runs the frozen image tower over every image and keeps the features as plain arrays (no tensor
 * survives this call). Images are loaded one batch ahead of the forward pass.
 */
export async function extractFeatures(encoder: VisionTransformer, images: ImageBatches, options: ExtractOptions = {}): Promise<FeatureSet> {
  const [H, W] = images.size;
  const P = encoder.config.patchSize;
  if (H % P !== 0 || W % P !== 0) throw new EvalInputError(`image size ${H}×${W} is not a multiple of the patch size ${P}`);
  if (images.count < 1) throw new EvalInputError('no images to extract features from');
  const grid: [number, number] = [H / P, W / P];
  const N = grid[0] * grid[1];
  const D = encoder.config.embedDim;
  const n = images.count;
  const B = Math.max(1, options.batchSize ?? 16);
  const values = (options.valuePatches ?? false) && encoder.config.depth >= 2;
  const set: FeatureSet = {
    count: n,
    dim: D,
    grid,
    cls1: new Float32Array(n * D),
    cls2: new Float32Array(n * D),
    patches: new Float32Array(n * N * D),
    ...(values ? { valuePatches: new Float32Array(n * N * D) } : {}),
  };
  const start = performance.now();
  const groups: number[][] = [];
  for (let s = 0; s < n; s += B) groups.push(Array.from({ length: Math.min(B, n - s) }, (_, i) => s + i));
  let pending = images.load(groups[0]!);
  for (let g = 0; g < groups.length; g++) {
    const idx = groups[g]!;
    const pixels = await pending;
    if (g + 1 < groups.length) pending = images.load(groups[g + 1]!);
    if (pixels.length !== idx.length * H * W * 3) throw new EvalInputError(`image loader returned ${pixels.length} values for ${idx.length} images of ${H}×${W}×3`);
    const input = tf.tensor4d(pixels, [idx.length, H, W, 3]);
    const out = encoder.forward(input, values ? { layers: [encoder.config.depth - 2], normLayers: false } : {});
    const s0 = idx[0]!;
    set.cls1.set(out.cls1.dataSync() as Float32Array, s0 * D);
    set.cls2.set(out.cls2.dataSync() as Float32Array, s0 * D);
    set.patches.set(out.patches.dataSync() as Float32Array, s0 * N * D);
    const raw = out.layers?.[0];
    if (values && raw) {
      // The values trick re-runs the last block on its input (layers[0], unnormed). Without attention
      // every token is processed on its own, so the patch rows alone give the patch outputs.
      const vp = lastBlockPatches(encoder, raw.patches, N, 'values');
      set.valuePatches!.set(vp.dataSync() as Float32Array, s0 * N * D);
      vp.dispose();
    }
    tf.dispose([input, out.cls1, out.cls2, out.patches, ...(out.layers ?? []).flatMap((l) => [l.cls1, l.cls2, l.patches])]);
    const done = s0 + idx.length;
    options.onProgress?.(done, n, done / ((performance.now() - start) / 1000));
  }
  return set;
}
