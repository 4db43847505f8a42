import { isNode } from '../env';
import { SdkInputError } from '../errors';
import { decodeInBrowser, isBlob, isDomImageSource, pixelsFromDomSource } from './browser-image';
import { isPixelTensor, isRawImage, type ImageInput, type PixelTensor, type RgbImage } from './image-input';
import { toRgb } from './to-rgb';

const URL_LIKE = /^(https?:|data:|blob:)/i;

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new SdkInputError(`could not fetch ${url} (${(e as Error).message})`, { cause: e });
  }
  if (!res.ok) throw new SdkInputError(`fetching ${url} failed with HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function decodeBytes(bytes: Uint8Array): Promise<RgbImage> {
  if (isNode()) {
    const { decodeInNode } = await import('../node/image-io');
    return decodeInNode(bytes);
  }
  return decodeInBrowser(bytes);
}

/**
 * Turns any accepted image input into 8-bit RGB pixels (or passes model-ready float pixels through).
 * See ImageInput for what each environment accepts.
 */
export async function decodeImage(input: ImageInput): Promise<RgbImage | PixelTensor> {
  if (isPixelTensor(input)) return input;
  if (isRawImage(input)) return toRgb(input);
  if (isDomImageSource(input)) return pixelsFromDomSource(input as CanvasImageSource);
  if (isBlob(input)) return isNode() ? decodeBytes(new Uint8Array(await input.arrayBuffer())) : decodeInBrowser(input);
  if (input instanceof Uint8Array) return decodeBytes(input);
  if (input instanceof ArrayBuffer) return decodeBytes(new Uint8Array(input));
  if (input instanceof URL) return decodeBytes(await fetchBytes(input.href));
  if (typeof input === 'string') {
    if (URL_LIKE.test(input) || !isNode()) return decodeBytes(await fetchBytes(input));
    const { decodeInNode } = await import('../node/image-io');
    return decodeInNode(input);
  }
  throw new SdkInputError(
    `unsupported image input (${Object.prototype.toString.call(input)}); pass a path or URL, encoded bytes, a Blob, ImageData/raw pixels {data, width, height}, an HTMLImageElement, canvas or ImageBitmap`,
  );
}
