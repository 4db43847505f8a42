import type { CropBox } from '../image/resample';
import { pyRound } from './py-round';

/**
 * Output size of torchvision's `Resize(size)`: an int resizes the shorter side to `size` and the longer
 * one to int(size · long / short) (truncated, as torchvision's `_compute_resized_output_size`); a pair
 * [w, h] is used as is.
 */
export function resizeOutputSize(width: number, height: number, size: number | readonly [number, number]): { width: number; height: number } {
  if (typeof size !== 'number') return { width: size[0], height: size[1] };
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((size * long) / short);
  return width <= height ? { width: size, height: newLong } : { width: newLong, height: size };
}

/**
 * Box of torchvision's `CenterCrop` (crop_top = round((H − h)/2), crop_left = round((W − w)/2),
 * Python rounding). The crop must fit (eval transforms resize first).
 */
export function centerCropBox(width: number, height: number, cropW: number, cropH: number): CropBox {
  return { x: pyRound((width - cropW) / 2), y: pyRound((height - cropH) / 2), w: cropW, h: cropH };
}
