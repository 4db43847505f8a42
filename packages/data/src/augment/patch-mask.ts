import { Rng } from '@tips/runtime';
import { randomPatchMask } from '@tips/losses';
import { TransformConfigError } from '../errors';
import type { ViewKey } from './tips-views';

/**
 * Random patch masking of the student's global crop (TIPS masks random patches, not blocks).
 * `ratio`: each image's masked fraction is drawn uniformly from [min, max].
 * `probability`: fraction of images masked at all (DINOv2's `ibot.mask_sample_probability`, 0.5 there,
 * with `mask_ratio_min_max` (0.1, 0.5): facebookresearch/dinov2 dinov2/configs/ssl_default_config.yaml).
 */
export interface PatchMaskConfig {
  ratio: [number, number];
  probability?: number;
}

export function checkMaskConfig(c: PatchMaskConfig): void {
  const [lo, hi] = c.ratio;
  if (!(lo >= 0 && lo <= hi && hi <= 1)) throw new TransformConfigError(`mask.ratio must be [min, max] with 0 ≤ min ≤ max ≤ 1, got [${c.ratio.join(', ')}]`);
  const p = c.probability ?? 1;
  if (!(p >= 0 && p <= 1)) throw new TransformConfigError(`mask.probability must be in [0, 1], got ${p}`);
}

/**
 * The mask of one sample's global crop: Uint8Array [numPatches] (row-major patch grid, 1 = masked),
 * from @tips/losses' `randomPatchMask` (the one masking implementation: a ratio drawn uniformly from
 * `ratio`, then exactly round(ratio·N) patches chosen without replacement), driven by
 * Rng.derive(seed, 'mask', epoch, sampleId) so that a resumed run masks the same patches.
 */
export function samplePatchMask(numPatches: number, cfg: PatchMaskConfig, key: ViewKey): Uint8Array {
  const rng = Rng.derive(key.seed, 'mask', key.epoch, key.sampleId);
  return randomPatchMask({ batch: 1, numPatches, ratio: cfg.ratio, probability: cfg.probability ?? 1, random: () => rng.uniform() });
}
