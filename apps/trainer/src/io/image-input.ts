import { existsSync, statSync } from 'node:fs';
import sharp from 'sharp';
import { resizeBilinear8, TipsError } from '@tips/runtime';

/** An image the CLI cannot read. */
export class ImageInputError extends TipsError {
  constructor(message: string) {
    super('IMAGE_INPUT', message);
  }
}

/**
 * Most patch tokens an embed may ask for. One head's attention scores take N²·4 bytes: at 16,384
 * tokens (e.g. 1792×1792) that is 1 GiB, half of what one tfjs tensor can hold on the wasm and cpu
 * backends (2 GiB) and a quarter of wasm's 4 GiB memory; beyond it the run ends in "memory access
 * out of bounds" after minutes of work.
 */
export const MAX_PATCH_TOKENS = 16_384;

/** Parses `--size 448` or `--size 224x336` (H×W). Both must be multiples of 14, at most MAX_PATCH_TOKENS patches. */
export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(text.trim());
  if (!m) throw new ImageInputError(`--size '${text}' is not N or HxW (e.g. 448 or 224x336)`);
  const h = Number(m[1]);
  const w = Number(m[2] ?? m[1]);
  if (h % 14 !== 0 || w % 14 !== 0 || h === 0 || w === 0) {
    throw new ImageInputError(`--size ${h}x${w}: both sides must be positive multiples of the patch size 14 (e.g. ${Math.max(14, Math.round(h / 14) * 14)}x${Math.max(14, Math.round(w / 14) * 14)})`);
  }
  const tokens = (h / 14) * (w / 14);
  if (tokens > MAX_PATCH_TOKENS) {
    throw new ImageInputError(
      `--size ${h}x${w} gives ${tokens.toLocaleString('en-US')} patch tokens; at most ${MAX_PATCH_TOKENS.toLocaleString('en-US')} fit (attention needs N²·4 bytes per head, and one tensor holds at most 2 GiB on the wasm/cpu backends): use 1792 or less (e.g. --size 448)`,
    );
  }
  return [h, w];
}

/**
 * Decodes an image file (PNG, JPEG, WebP, …) with sharp into 8-bit RGB (EXIF orientation applied,
 * alpha dropped as PIL's convert('RGB') does, grey expanded) and brings it to H×W the way the
 * official script does (torchvision Resize on a PIL image = Pillow bilinear, reproduced exactly);
 * an image already at H×W is used pixel for pixel. Returns float32 HWC values in [0, 1].
 */
export async function loadImageForModel(path: string, size: [number, number]): Promise<Float32Array> {
  let data: Buffer;
  let info: sharp.OutputInfo;
  if (!existsSync(path)) throw new ImageInputError(`image ${path} does not exist; check the path (relative paths are from ${process.cwd()})`);
  if (!statSync(path).isFile()) throw new ImageInputError(`image ${path} is not a file; pass an image file, not a folder`);
  try {
    ({ data, info } = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new ImageInputError(`cannot decode image ${path}: ${(e as Error).message}. Use a PNG, JPEG or WebP file`);
  }
  let rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (info.channels === 1) {
    const grey = rgb;
    rgb = new Uint8Array(grey.length * 3);
    for (let i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i]!;
  } else if (info.channels !== 3) {
    throw new ImageInputError(`${path}: ${info.channels} channels after decoding; expected RGB`);
  }
  const [H, W] = size;
  if (info.width !== W || info.height !== H) rgb = resizeBilinear8(rgb, info.width, info.height, W, H, 3);
  const out = new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) out[i] = rgb[i]! / 255;
  return out;
}
