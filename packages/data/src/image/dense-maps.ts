import { readFile } from 'node:fs/promises';
import { allocate, parseNpyHeader, toFloat32 } from '@tips/runtime';
import sharp from 'sharp';
import { ImageDecodeError } from '../errors';

/** A single-channel map (class ids or depth) of width × height, row-major. */
export interface DenseMap<T extends Uint8Array | Float32Array> {
  data: T;
  width: number;
  height: number;
}

async function bytesOf(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new ImageDecodeError(path, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
}

/** Reads a segmentation mask PNG: the first channel's 8-bit values are the class ids. */
export async function readClassMask(path: string): Promise<DenseMap<Uint8Array>> {
  const bytes = await bytesOf(path);
  try {
    const { data, info } = await sharp(bytes).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (e) {
    throw new ImageDecodeError(path, `${path}: cannot decode mask PNG (${(e as Error).message})`, { cause: e });
  }
}

/**
 * Reads a depth map as Float32 (metres, or whatever unit `scale` gives):
 * - 16-bit PNG: value · `scale` (default 1/1000: millimetres, the built-in scenes' and NYUv2 toolbox
 *   convention; KITTI uses 1/256). 0 stays 0 (= no depth).
 * - .npy: a float or integer [H, W] (or [H, W, 1]) array, returned as is (`scale` ignored).
 */
export async function readDepth(path: string, scale = 1 / 1000): Promise<DenseMap<Float32Array>> {
  const bytes = await bytesOf(path);
  if (path.toLowerCase().endsWith('.npy')) {
    let h;
    try {
      h = parseNpyHeader(bytes, path);
    } catch (e) {
      throw new ImageDecodeError(path, (e as Error).message, { cause: e });
    }
    if (!h) throw new ImageDecodeError(path, `${path}: truncated .npy header`);
    const shape = h.shape.length === 3 && h.shape[2] === 1 ? h.shape.slice(0, 2) : h.shape;
    if (shape.length !== 2) throw new ImageDecodeError(path, `${path}: depth .npy must be [H, W], got [${h.shape.join(', ')}]`);
    if (h.bigEndian) throw new ImageDecodeError(path, `${path}: big-endian .npy; save it little-endian (numpy's default)`);
    const n = shape[0]! * shape[1]!;
    const data = allocate(h.dtype, n);
    const need = data.byteLength;
    if (bytes.length < h.dataOffset + need) throw new ImageDecodeError(path, `${path}: .npy data is truncated`);
    new Uint8Array(data.buffer).set(bytes.subarray(h.dataOffset, h.dataOffset + need));
    return { data: toFloat32({ dtype: h.dtype, shape, data }), width: shape[1]!, height: shape[0]! };
  }
  try {
    const { data, info } = await sharp(bytes).toColourspace('grey16').extractChannel(0).raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const u16 = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
    const out = new Float32Array(u16.length);
    for (let i = 0; i < u16.length; i++) out[i] = u16[i]! * scale;
    return { data: out, width: info.width, height: info.height };
  } catch (e) {
    throw new ImageDecodeError(path, `${path}: cannot decode 16-bit depth PNG (${(e as Error).message})`, { cause: e });
  }
}
