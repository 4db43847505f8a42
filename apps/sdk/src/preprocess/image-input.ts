/** 8-bit RGB pixels, row-major HWC (what every decoder here produces). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Raw 8-bit pixels with 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA) channels, row-major. ImageData
 * is one (RGBA). `channels` defaults to data.length / (width·height).
 */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels?: number;
}

/** Model-ready pixels: float32 CHW RGB in [0, 1], already at the model's size (used as is). */
export interface PixelTensor {
  pixels: Float32Array;
  height: number;
  width: number;
}

/**
 * Anything an SDK call accepts as an image.
 * - Node: a file path, an http(s) URL, encoded bytes (PNG/JPEG/WebP/…; decoded with sharp), raw pixels.
 * - Browsers: HTMLImageElement, HTMLCanvasElement, OffscreenCanvas, ImageBitmap, ImageData, a Blob/File,
 *   a URL, encoded bytes, raw pixels.
 */
export type ImageInput = string | URL | Uint8Array | ArrayBuffer | Blob | RawImage | PixelTensor | object;

export function isPixelTensor(x: unknown): x is PixelTensor {
  return typeof x === 'object' && x !== null && (x as PixelTensor).pixels instanceof Float32Array && typeof (x as PixelTensor).height === 'number';
}

export function isRawImage(x: unknown): x is RawImage {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as RawImage;
  return (r.data instanceof Uint8Array || r.data instanceof Uint8ClampedArray) && typeof r.width === 'number' && typeof r.height === 'number';
}
