import { TransformConfigError } from '../errors';
import type { PixelLayout } from '../image/types';

/** ViT patch size every crop side must be a multiple of (TIPS/DINOv2: 14). */
export const PATCH_SIZE = 14;

/**
 * The TIPS training views of one image: one global crop and `localCount` local crops, each a
 * RandomResizedCrop followed by a horizontal flip with probability `flipProb`.
 *
 * Defaults: sizes from the TIPS paper (Maninis et al., ICLR 2025, §3/§4: one global crop at 224 and
 * M = 6 local crops at 98). The paper does not give scale ranges; we use DINOv2's defaults
 * (facebookresearch/dinov2, dinov2/configs/ssl_default_config.yaml: `crops.global_crops_scale: [0.32, 1.0]`,
 * `crops.local_crops_scale: [0.05, 0.32]`), and torchvision's default aspect-ratio range (3/4, 4/3).
 * The high-resolution fine-tune uses 448 / 140.
 */
export interface TipsViewConfig {
  globalSize: number;
  globalScale: [number, number];
  localCount: number;
  localSize: number;
  localScale: [number, number];
  ratio: [number, number];
  flipProb: number;
  /** Crop sides must be multiples of this (default 14). */
  patchSize: number;
  layout: PixelLayout;
}

export const DEFAULT_VIEW_CONFIG: Readonly<TipsViewConfig> = Object.freeze({
  globalSize: 224,
  globalScale: [0.32, 1.0] as [number, number],
  localCount: 6,
  localSize: 98,
  localScale: [0.05, 0.32] as [number, number],
  ratio: [3 / 4, 4 / 3] as [number, number],
  flipProb: 0.5,
  patchSize: PATCH_SIZE,
  layout: 'hwc' as PixelLayout,
});

function checkRange(name: string, r: readonly [number, number], lo: number, hi: number): void {
  if (!(r.length === 2 && r[0] > lo && r[0] <= r[1] && r[1] <= hi)) {
    throw new TransformConfigError(`${name} must be [min, max] with ${lo} < min ≤ max ≤ ${hi}, got [${r.join(', ')}]`);
  }
}

/** Throws TransformConfigError unless `size` is a positive multiple of `patch`. */
export function checkPatchMultiple(name: string, size: number, patch: number): void {
  if (!Number.isInteger(size) || size <= 0 || size % patch !== 0) {
    const lo = Math.max(patch, Math.floor(size / patch) * patch);
    throw new TransformConfigError(
      `${name} = ${size} is not a positive multiple of the patch size ${patch}; use e.g. ${lo} or ${lo + patch}`,
    );
  }
}

/** Fills defaults and validates; throws TransformConfigError naming the bad option. */
export function resolveViewConfig(partial: Partial<TipsViewConfig> = {}): TipsViewConfig {
  const c: TipsViewConfig = { ...DEFAULT_VIEW_CONFIG, ...partial } as TipsViewConfig;
  checkPatchMultiple('globalSize', c.globalSize, c.patchSize);
  if (!Number.isInteger(c.localCount) || c.localCount < 0) throw new TransformConfigError(`localCount must be an integer ≥ 0, got ${c.localCount}`);
  if (c.localCount > 0) checkPatchMultiple('localSize', c.localSize, c.patchSize);
  checkRange('globalScale', c.globalScale, 0, 1);
  checkRange('localScale', c.localScale, 0, 1);
  checkRange('ratio', c.ratio, 0, Infinity);
  if (!(c.flipProb >= 0 && c.flipProb <= 1)) throw new TransformConfigError(`flipProb must be in [0, 1], got ${c.flipProb}`);
  if (c.layout !== 'hwc' && c.layout !== 'chw') throw new TransformConfigError(`layout must be 'hwc' or 'chw', got ${String(c.layout)}`);
  return c;
}
