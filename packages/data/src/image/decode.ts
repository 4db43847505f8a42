import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { ImageDecodeError } from '../errors';
import type { RgbImage } from './types';

/** Where an image comes from: a file path, or encoded bytes (with a name used in error messages). */
export type ImageInput = string | { bytes: Uint8Array; name: string };

function nameOf(input: ImageInput): string {
  return typeof input === 'string' ? input : input.name;
}

async function readBytes(input: ImageInput): Promise<Uint8Array> {
  if (typeof input !== 'string') return input.bytes;
  try {
    return await readFile(input);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`;
    throw new ImageDecodeError(input, `${input}: ${why}; fix the path in the dataset or remove the record`, { cause: e });
  }
}

/**
 * Decodes a JPEG, PNG or WebP (anything sharp/libvips reads) into 8-bit RGB.
 * - EXIF orientation is applied (the pixels come out the way a viewer shows them).
 * - Grey images are replicated to three channels; an alpha channel is dropped (not composited), like
 *   PIL's `Image.convert('RGB')`; 16-bit images are reduced to 8 bits; CMYK and other spaces go to sRGB.
 * Throws ImageDecodeError (with the path) for a missing, truncated or undecodable file.
 */
export async function decodeImage(input: ImageInput): Promise<RgbImage> {
  const bytes = await readBytes(input);
  const name = nameOf(input);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    throw new ImageDecodeError(name, `${name}: cannot decode image (${msg}); the file is corrupt or not a JPEG/PNG/WebP`, { cause: e });
  }
}

/** Reads the width and height after EXIF orientation, without decoding the pixels. */
export async function imageSize(input: ImageInput): Promise<{ width: number; height: number }> {
  const bytes = await readBytes(input);
  try {
    const m = await sharp(bytes).metadata();
    if (!m.width || !m.height) throw new Error('no size in header');
    const swap = (m.orientation ?? 1) >= 5;
    return swap ? { width: m.height, height: m.width } : { width: m.width, height: m.height };
  } catch (e) {
    const name = nameOf(input);
    throw new ImageDecodeError(name, `${name}: cannot read image header (${(e as Error).message})`, { cause: e });
  }
}
