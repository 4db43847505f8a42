import { SdkInputError } from '../errors';
import type { RawImage, RgbImage } from './image-input';

/**
 * Raw pixels with 1–4 channels → RGB, as PIL's `convert('RGB')` does: grey is replicated, alpha is
 * dropped (not composited). RGB input is returned without a copy.
 */
export function toRgb(raw: RawImage): RgbImage {
  const { width, height } = raw;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new SdkInputError(`image size ${width}×${height} is not a positive integer size`);
  }
  const n = width * height;
  const channels = raw.channels ?? raw.data.length / n;
  if (![1, 2, 3, 4].includes(channels) || raw.data.length !== n * channels) {
    throw new SdkInputError(`image data has ${raw.data.length} bytes for ${width}×${height}; expected 1, 2, 3 or 4 bytes per pixel (${n}, ${2 * n}, ${3 * n} or ${4 * n})`);
  }
  const src = raw.data;
  if (channels === 3) return { data: src instanceof Uint8Array ? src : new Uint8Array(src.buffer, src.byteOffset, src.length), width, height };
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    if (channels >= 3) {
      out[p * 3] = src[p * channels]!;
      out[p * 3 + 1] = src[p * channels + 1]!;
      out[p * 3 + 2] = src[p * channels + 2]!;
    } else {
      const v = src[p * channels]!;
      out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = v;
    }
  }
  return { data: out, width, height };
}
