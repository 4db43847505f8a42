import sharp from 'sharp';
import { writeFileAtomic } from '@tips/runtime';
import type { ImageF32 } from './metrics';

/** Float RGB in [0, 1] → 8-bit (rounded, clamped). */
export function toRgb8(img: ImageF32): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(img.data[i]! * 255)));
  return out;
}

/** Encodes an image as PNG (sharp) and writes it atomically. */
export async function writePng(path: string, img: ImageF32): Promise<void> {
  const rgb = toRgb8(img);
  const png = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length), { raw: { width: img.width, height: img.height, channels: 3 } })
    .png()
    .toBuffer();
  await writeFileAtomic(path, png);
}

/** Images of one height side by side, with `gap` pixels of `fill` between them. */
export function hstack(images: readonly ImageF32[], gap = 2, fill = 1): ImageF32 {
  const H = images[0]!.height;
  const W = images.reduce((s, im) => s + im.width, 0) + gap * (images.length - 1);
  const data = new Float32Array(H * W * 3).fill(fill);
  let x0 = 0;
  for (const im of images) {
    if (im.height !== H) throw new RangeError(`hstack: heights differ (${im.height} vs ${H})`);
    for (let y = 0; y < H; y++) data.set(im.data.subarray(y * im.width * 3, (y + 1) * im.width * 3), (y * W + x0) * 3);
    x0 += im.width + gap;
  }
  return { width: W, height: H, data };
}

/** Rows of images stacked vertically (rows are padded to the widest). */
export function vstack(rows: readonly ImageF32[], gap = 2, fill = 1): ImageF32 {
  const W = Math.max(...rows.map((r) => r.width));
  const H = rows.reduce((s, r) => s + r.height, 0) + gap * (rows.length - 1);
  const data = new Float32Array(H * W * 3).fill(fill);
  let y0 = 0;
  for (const r of rows) {
    for (let y = 0; y < r.height; y++) data.set(r.data.subarray(y * r.width * 3, (y + 1) * r.width * 3), ((y0 + y) * W) * 3);
    y0 += r.height + gap;
  }
  return { width: W, height: H, data };
}

/** A constant-colour image. */
export function constantImage(width: number, height: number, color: readonly number[]): ImageF32 {
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(color.slice(0, 3), i * 3);
  return { width, height, data };
}
