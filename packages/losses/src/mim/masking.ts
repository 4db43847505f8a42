import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { expectInRange, expectInt } from '../util/check';
import { randomFrom, type RandomSource } from '../util/random';

export interface RandomMaskOptions {
  /** Number of images B. */
  batch: number;
  /** Number of patch tokens per image N (e.g. 16·16 for 224 px at patch 14). */
  numPatches: number;
  /**
   * [min, max] of the per-image mask ratio, drawn uniformly (default [0.1, 0.5], DINOv2's
   * `mask_ratio_min_max`).
   */
  ratio?: readonly [number, number];
  /** Probability that an image is masked at all (default 1; DINOv2 uses 0.5). */
  probability?: number;
  /** Randomness: a seed, or a source of uniforms in [0, 1) (e.g. the trainer's saved RNG). */
  seed?: number;
  random?: RandomSource;
}

/**
 * Random (not block-wise) patch masks: for each image, with probability `probability`, a ratio r is
 * drawn uniformly from `ratio` and exactly round(r·N) positions are chosen uniformly without
 * replacement (a partial Fisher–Yates shuffle). Returns a Uint8Array of B·N, row-major [B, N],
 * 1 = masked. Plain JS: usable in data-loading workers without tfjs.
 */
export function randomPatchMask(options: RandomMaskOptions): Uint8Array {
  const { batch: B, numPatches: N } = options;
  expectInt(B, 0, 'randomPatchMask batch');
  expectInt(N, 1, 'randomPatchMask numPatches');
  const [lo, hi] = options.ratio ?? [0.1, 0.5];
  expectInRange(lo, 0, 1, 'randomPatchMask ratio[0]');
  expectInRange(hi, 0, 1, 'randomPatchMask ratio[1]');
  if (lo > hi) throw new LossError('value', `randomPatchMask ratio [${lo}, ${hi}] must be [min, max] with min ≤ max`);
  const probability = options.probability ?? 1;
  expectInRange(probability, 0, 1, 'randomPatchMask probability');
  const random = randomFrom(options, 'randomPatchMask');
  const out = new Uint8Array(B * N);
  const order = new Int32Array(N);
  for (let b = 0; b < B; b++) {
    if (probability < 1 && random() >= probability) continue;
    const count = Math.round((lo + (hi - lo) * random()) * N);
    for (let i = 0; i < N; i++) order[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (N - i));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
      out[b * N + order[i]!] = 1;
    }
  }
  return out;
}

/**
 * `randomPatchMask` as a boolean tf tensor [B, N] (true = masked). The caller disposes it.
 */
export function randomPatchMaskTensor(options: RandomMaskOptions): tf.Tensor2D {
  return tf.tensor2d(randomPatchMask(options), [options.batch, options.numPatches], 'bool');
}
