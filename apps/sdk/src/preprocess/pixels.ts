import { resizeBilinear8, rgb8ToFloat } from '@tips/runtime/core';
import type { RgbImage } from './image-input';

/**
 * The model input for one image: resized to H×W exactly as the official inference does
 * (torchvision `Resize((H, W))` on a PIL image = Pillow's anti-aliased BILINEAR on 8-bit pixels,
 * horizontal pass then vertical, each rounded to 8 bits; @tips/runtime's `resizeBilinear8`), then
 * `ToTensor` (÷255, CHW). An image already H×W is used pixel for pixel. Returns float32 [3, H, W].
 */
export function rgbToModelInput(img: RgbImage, height: number, width: number): Float32Array {
  const sized = img.width === width && img.height === height ? img.data : resizeBilinear8(img.data, img.width, img.height, width, height, 3);
  return rgb8ToFloat(sized, 'CHW', width, height);
}
