/** An 8-bit RGB image, row-major, channels interleaved (HWC): pixel (x, y) channel c at `(y * width + x) * 3 + c`. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Pixel layout of Float32 image outputs.
 * - `hwc`: [H, W, 3] per image (NHWC for a batch): what tfjs convolutions and the ViT patch embedding take.
 * - `chw`: [3, H, W] per image (NCHW for a batch): the PyTorch layout.
 */
export type PixelLayout = 'hwc' | 'chw';

/** A Float32 RGB image with values in [0, 1] in the given layout. */
export interface FloatImage {
  data: Float32Array;
  width: number;
  height: number;
  layout: PixelLayout;
}
