import { SdkInputError } from '../errors';
import type { RgbImage } from '../preprocess/image-input';
import { toRgb } from '../preprocess/to-rgb';
import { loadModule } from '@tips/runtime/core';

interface SharpLike {
  (input: Uint8Array | string, options?: Record<string, unknown>): {
    raw(options?: Record<string, unknown>): { toBuffer(o: { resolveWithObject: true }): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }> };
  };
}

let sharpPromise: Promise<SharpLike> | null = null;

async function loadSharp(): Promise<SharpLike> {
  sharpPromise ??= loadModule<unknown>('sharp').then((m) => (typeof m === 'function' ? m : (m as { default: unknown }).default) as SharpLike);
  try {
    return await sharpPromise;
  } catch (e) {
    sharpPromise = null;
    throw new SdkInputError(`decoding image files in Node needs sharp (npm i sharp), or pass raw pixels {data, width, height} (${(e as Error).message})`, { cause: e });
  }
}

/**
 * Decodes an image file (path) or encoded bytes in Node with sharp, to 8-bit RGB, as PIL's
 * `Image.open(...).convert('RGB')` would: no EXIF rotation, alpha dropped, grey replicated.
 */
export async function decodeInNode(input: string | Uint8Array): Promise<RgbImage> {
  if (typeof input === 'string') {
    const fs = await loadModule<typeof import('node:fs/promises')>('node:fs/promises');
    const exists = await fs.stat(input).then(() => true, () => false);
    if (!exists) throw new SdkInputError(`image file ${input} does not exist; check the path`);
  }
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(input, { failOn: 'error' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return toRgb({ data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels });
  } catch (e) {
    if (e instanceof SdkInputError) throw e;
    const what = typeof input === 'string' ? input : `${input.byteLength} bytes`;
    throw new SdkInputError(`could not decode ${what} as an image (${(e as Error).message}); pass a PNG, JPEG, WebP, GIF, TIFF or AVIF file`, { cause: e });
  }
}

/** Reads a whole file (Node); a missing or unreadable file becomes `makeError(message)`. */
export async function readFileBytes(path: string, what: string, makeError: (message: string, cause: unknown) => Error): Promise<Uint8Array> {
  const fs = await loadModule<typeof import('node:fs/promises')>('node:fs/promises');
  try {
    const b = await fs.readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${(e as Error).message})`;
    throw makeError(`${what} ${path} ${why}`, e);
  }
}
