import { antialiasBilinearTaps, type FilterTaps } from './antialias-weights';

// Pillow's fixed-point precision for 8-bit images (Resample.c: PRECISION_BITS = 32 - 8 - 2).
const PRECISION_BITS = 22;

function fixedPoint(taps: FilterTaps): Int32Array {
  const k = new Int32Array(taps.weights.length);
  const one = 1 << PRECISION_BITS;
  for (let i = 0; i < k.length; i++) {
    const w = taps.weights[i]!;
    k[i] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
  }
  return k;
}

function clip8(ss: number): number {
  const v = Math.floor(ss / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Resizes an interleaved 8-bit image (HWC, `channels` per pixel) exactly as Pillow's
 * `Image.resize((w, h), Image.BILINEAR)` does — which is what torchvision's `Resize` runs on PIL
 * images and therefore what the official TIPS inference script feeds the model: anti-aliased
 * triangle filter, fixed-point weights, a horizontal pass then a vertical pass, each rounded to
 * 8 bits. Returns a new buffer; a same-size call returns a copy.
 */
export function resizeBilinear8(src: Uint8Array, width: number, height: number, outW: number, outH: number, channels = 3): Uint8Array {
  if (src.length !== width * height * channels) {
    throw new RangeError(`resizeBilinear8: ${src.length} bytes for ${width}×${height}×${channels}`);
  }
  let cur = src;
  let curW = width;
  if (outW !== width) {
    const taps = antialiasBilinearTaps(width, outW);
    const k = fixedPoint(taps);
    const out = new Uint8Array(outW * height * channels);
    const half = 1 << (PRECISION_BITS - 1);
    for (let y = 0; y < height; y++) {
      const row = y * width * channels;
      for (let x = 0; x < outW; x++) {
        const xmin = taps.bounds[2 * x]!;
        const n = taps.bounds[2 * x + 1]!;
        const kb = x * taps.ksize;
        for (let c = 0; c < channels; c++) {
          let ss = half;
          for (let t = 0; t < n; t++) ss += cur[row + (xmin + t) * channels + c]! * k[kb + t]!;
          out[(y * outW + x) * channels + c] = clip8(ss);
        }
      }
    }
    cur = out;
    curW = outW;
  }
  if (outH !== height) {
    const taps = antialiasBilinearTaps(height, outH);
    const k = fixedPoint(taps);
    const out = new Uint8Array(curW * outH * channels);
    const half = 1 << (PRECISION_BITS - 1);
    const stride = curW * channels;
    for (let y = 0; y < outH; y++) {
      const ymin = taps.bounds[2 * y]!;
      const n = taps.bounds[2 * y + 1]!;
      const kb = y * taps.ksize;
      for (let i = 0; i < stride; i++) {
        let ss = half;
        for (let t = 0; t < n; t++) ss += cur[(ymin + t) * stride + i]! * k[kb + t]!;
        out[y * stride + i] = clip8(ss);
      }
    }
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}

/** 8-bit HWC RGB → float32 CHW or HWC in [0, 1] (torchvision ToTensor divides by 255). */
export function rgb8ToFloat(src: Uint8Array, layout: 'HWC' | 'CHW' = 'HWC', width = 0, height = 0): Float32Array {
  const out = new Float32Array(src.length);
  if (layout === 'HWC') {
    for (let i = 0; i < src.length; i++) out[i] = src[i]! / 255;
    return out;
  }
  const n = width * height;
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) out[c * n + p] = src[p * 3 + c]! / 255;
  return out;
}
