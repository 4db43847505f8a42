import type { Rng } from '@tips/runtime';
import type { CropBox } from '../image/resample';
import { pyRound } from './py-round';

/** Scale (area fraction) and aspect-ratio ranges of a random resized crop. */
export interface CropRanges {
  /** [min, max] fraction of the image area the crop covers. */
  scale: readonly [number, number];
  /** [min, max] width/height ratio of the crop, sampled log-uniformly. */
  ratio: readonly [number, number];
}

/**
 * Chooses the crop box of a RandomResizedCrop exactly as torchvision's
 * `RandomResizedCrop.get_params` does (torchvision/transforms/transforms.py), with our Rng instead of
 * torch's generator: up to 10 tries of (area ~ U(scale)·H·W, log-ratio ~ U(log ratio)),
 * w = round(sqrt(area·r)), h = round(sqrt(area/r)) (Python rounding), accepted when it fits, with a
 * uniform integer position; otherwise a centre crop with the ratio clamped to the range.
 */
export function randomResizedCropBox(width: number, height: number, ranges: CropRanges, rng: Rng): CropBox {
  const area = width * height;
  const logLo = Math.log(ranges.ratio[0]);
  const logHi = Math.log(ranges.ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.range(ranges.scale[0], ranges.scale[1]);
    const aspect = Math.exp(rng.range(logLo, logHi));
    const w = pyRound(Math.sqrt(targetArea * aspect));
    const h = pyRound(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const y = rng.int(height - h + 1);
      const x = rng.int(width - w + 1);
      return { x, y, w, h };
    }
  }
  // Fallback: central crop.
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < Math.min(ranges.ratio[0], ranges.ratio[1])) {
    w = width;
    h = pyRound(w / Math.min(ranges.ratio[0], ranges.ratio[1]));
  } else if (inRatio > Math.max(ranges.ratio[0], ranges.ratio[1])) {
    h = height;
    w = pyRound(h * Math.max(ranges.ratio[0], ranges.ratio[1]));
  } else {
    w = width;
    h = height;
  }
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), w, h };
}
