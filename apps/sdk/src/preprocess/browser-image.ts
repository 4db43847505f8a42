import { SdkInputError } from '../errors';
import type { RgbImage } from './image-input';
import { toRgb } from './to-rgb';

// Browser decoding: everything goes through a 2D canvas and getImageData (straight, not
// premultiplied, RGBA), then alpha is dropped. Files and bytes are decoded with createImageBitmap
// without colour-space conversion or alpha premultiplication, so a PNG/JPEG gives the bytes its
// decoder produces — the same bytes sharp (Node) and PIL produce for sRGB images without an ICC profile.

type Ctor = abstract new (...args: never[]) => unknown;

function has(name: string): Ctor | undefined {
  const c = (globalThis as Record<string, unknown>)[name];
  return typeof c === 'function' ? (c as Ctor) : undefined;
}

const DOM_SOURCES = ['HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap', 'HTMLVideoElement', 'SVGImageElement', 'VideoFrame'];

/** True for HTMLImageElement, canvases, ImageBitmap, video frames (whatever drawImage takes). */
export function isDomImageSource(x: unknown): boolean {
  return DOM_SOURCES.some((n) => {
    const c = has(n);
    return c !== undefined && x instanceof c;
  });
}

export function isBlob(x: unknown): x is Blob {
  const c = has('Blob');
  return c !== undefined && x instanceof c;
}

function sourceSize(src: CanvasImageSource): { width: number; height: number } {
  const s = src as { naturalWidth?: number; naturalHeight?: number; videoWidth?: number; videoHeight?: number; width: number | { baseVal: { value: number } }; height: number | { baseVal: { value: number } } };
  if (s.naturalWidth) return { width: s.naturalWidth, height: s.naturalHeight! };
  if (s.videoWidth) return { width: s.videoWidth, height: s.videoHeight! };
  const w = typeof s.width === 'number' ? s.width : s.width.baseVal.value;
  const h = typeof s.height === 'number' ? s.height : s.height.baseVal.value;
  return { width: w, height: h };
}

function context2d(width: number, height: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  const Offscreen = has('OffscreenCanvas') as (new (w: number, h: number) => OffscreenCanvas) | undefined;
  const canvas = Offscreen ? new Offscreen(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = (canvas as OffscreenCanvas).getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new SdkInputError('this browser has no 2D canvas to read image pixels from; pass ImageData or raw pixels instead');
  return ctx;
}

/** Pixels of an HTMLImageElement / canvas / ImageBitmap / video frame at its natural size. */
export function pixelsFromDomSource(src: CanvasImageSource): RgbImage {
  const { width, height } = sourceSize(src);
  if (!width || !height) throw new SdkInputError('the image has no pixels yet (0×0); wait for it to load (img.decode()) before embedding it');
  const ctx = context2d(width, height);
  ctx.drawImage(src, 0, 0);
  const data = ctx.getImageData(0, 0, width, height);
  return toRgb({ data: data.data, width, height, channels: 4 });
}

/** Decodes encoded bytes or a Blob/File in the browser. */
export async function decodeInBrowser(input: Blob | Uint8Array | ArrayBuffer): Promise<RgbImage> {
  const blob = isBlob(input) ? input : new Blob([input instanceof Uint8Array ? input.slice().buffer : input]);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (e) {
    throw new SdkInputError(`the browser could not decode these ${blob.size} bytes as an image (${(e as Error).message}); pass a PNG, JPEG, WebP or GIF`, { cause: e });
  }
  try {
    return pixelsFromDomSource(bitmap);
  } finally {
    bitmap.close();
  }
}
