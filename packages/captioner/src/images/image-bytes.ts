import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { CaptionImage, RawPixels } from '../captioner';
import { CaptionImageError } from '../errors';

/** Encoded image bytes with their MIME type. */
export interface EncodedImage {
  bytes: Uint8Array;
  mime: string;
}

/** MIME types that vision chat endpoints accept as data URLs without conversion. */
const PASS_THROUGH = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

/** Recognises PNG, JPEG, WebP, GIF, BMP and TIFF by their magic bytes; undefined otherwise. */
export function sniffImageMime(b: Uint8Array): string | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'image/webp';
  if (b.length >= 6 && ascii(b, 0, 4) === 'GIF8') return 'image/gif';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'image/bmp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a))) return 'image/tiff';
  return undefined;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

export function isRawPixels(image: CaptionImage): image is RawPixels {
  return typeof image === 'object' && !(image instanceof Uint8Array) && 'data' in image && 'width' in image;
}

/** Checks that a pixel buffer has width·height·channels bytes. */
export function checkRawPixels(p: RawPixels): void {
  const { width, height, channels } = p;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new CaptionImageError(`Raw image has invalid size ${width}×${height}: width and height must be positive integers.`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new CaptionImageError(`Raw image has ${String(channels)} channels: use 1 (grey), 3 (RGB) or 4 (RGBA).`);
  }
  if (p.data.length !== width * height * channels) {
    throw new CaptionImageError(
      `Raw image buffer has ${p.data.length} bytes but ${width}×${height}×${channels} = ${width * height * channels} were expected: pass interleaved 8-bit pixels.`,
    );
  }
}

/** Reads a path, or returns the bytes given; paths that do not exist give a CaptionImageError. */
export async function readImageBytes(image: string | Uint8Array): Promise<Uint8Array> {
  if (typeof image !== 'string') return image;
  try {
    return new Uint8Array(await readFile(image));
  } catch (e) {
    throw new CaptionImageError(`Cannot read image file ${image}: ${(e as Error).message}. Check the path (relative paths in a manifest are resolved against the manifest's folder).`, { cause: e });
  }
}

export interface EncodeOptions {
  /** When set, images whose longer side exceeds it are shrunk (aspect kept) and re-encoded. */
  maxSide?: number;
}

/**
 * Encoded bytes for an HTTP request: PNG/JPEG/WebP/GIF pass through unchanged unless they must be
 * shrunk; other formats and raw pixels are encoded as PNG (lossless) with sharp.
 */
export async function toEncodedImage(image: CaptionImage, options: EncodeOptions = {}): Promise<EncodedImage> {
  if (isRawPixels(image)) {
    checkRawPixels(image);
    let pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
      raw: { width: image.width, height: image.height, channels: image.channels },
    });
    if (options.maxSide && Math.max(image.width, image.height) > options.maxSide) {
      pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside' });
    }
    return { bytes: new Uint8Array(await pipeline.png().toBuffer()), mime: 'image/png' };
  }
  const bytes = await readImageBytes(image);
  const mime = sniffImageMime(bytes);
  const where = typeof image === 'string' ? image : 'the given bytes';
  if (!mime) {
    throw new CaptionImageError(`${where} is not an image in a known format (PNG, JPEG, WebP, GIF, BMP, TIFF): check the file.`);
  }
  let needsResize = false;
  if (options.maxSide) {
    const meta = await sharp(bytes).metadata().catch((e: unknown) => {
      throw new CaptionImageError(`Cannot decode ${where} (${mime}): ${(e as Error).message}.`, { cause: e });
    });
    needsResize = Math.max(meta.width ?? 0, meta.height ?? 0) > options.maxSide;
  }
  if (PASS_THROUGH.has(mime) && !needsResize) return { bytes, mime };
  try {
    let pipeline = sharp(bytes);
    if (needsResize) pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside' });
    const out = mime === 'image/jpeg' ? await pipeline.jpeg({ quality: 92 }).toBuffer() : await pipeline.png().toBuffer();
    return { bytes: new Uint8Array(out), mime: mime === 'image/jpeg' ? 'image/jpeg' : 'image/png' };
  } catch (e) {
    throw new CaptionImageError(`Cannot decode ${where} (${mime}): ${(e as Error).message}.`, { cause: e });
  }
}

/** `data:<mime>;base64,<…>` for an `image_url` content part. */
export function toDataUrl(img: EncodedImage): string {
  return `data:${img.mime};base64,${Buffer.from(img.bytes.buffer, img.bytes.byteOffset, img.bytes.length).toString('base64')}`;
}

/** Decodes any CaptionImage to 8-bit RGB pixels (alpha dropped, grey expanded). */
export async function toRgbPixels(image: CaptionImage): Promise<RawPixels> {
  let input: sharp.Sharp;
  if (isRawPixels(image)) {
    checkRawPixels(image);
    if (image.channels === 3) return image;
    input = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
      raw: { width: image.width, height: image.height, channels: image.channels },
    });
  } else {
    input = sharp(await readImageBytes(image));
  }
  try {
    const { data, info } = await input.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    const where = typeof image === 'string' ? image : 'the given image';
    throw new CaptionImageError(`Cannot decode ${where} to RGB: ${(e as Error).message}. Check that it is a valid image file.`, { cause: e });
  }
}
