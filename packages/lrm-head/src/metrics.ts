import { LrmInputError } from './errors';

/** An RGB image as Float32 values in [0, 1], HWC (what renders and decoded views are). */
export interface ImageF32 {
  width: number;
  height: number;
  data: Float32Array;
}

function checkPair(a: ImageF32, b: ImageF32): void {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) {
    throw new LrmInputError(`images differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  }
  if (a.data.length !== a.width * a.height * 3) throw new LrmInputError(`image data has ${a.data.length} values, expected ${a.width}×${a.height}×3`);
}

/** Mean squared error over every pixel and channel. */
export function mse(a: ImageF32, b: ImageF32): number {
  checkPair(a, b);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i]! - b.data[i]!;
    s += d * d;
  }
  return s / a.data.length;
}

/** PSNR in dB for images in [0, 1]: 10·log10(1 / MSE); identical images give +Infinity. */
export function psnr(a: ImageF32, b: ImageF32): number {
  const m = mse(a, b);
  return m === 0 ? Infinity : -10 * Math.log10(m);
}

/** PSNR from an MSE (peak 1). */
export function psnrFromMse(m: number): number {
  return m === 0 ? Infinity : -10 * Math.log10(m);
}

/** Normalised 1-D Gaussian taps (the 2-D window is their outer product). */
export function gaussianWindow(size: number, sigma: number): Float64Array {
  const w = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) {
    w[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
    s += w[i]!;
  }
  for (let i = 0; i < size; i++) w[i]! /= s;
  return w;
}

/** 'valid' separable filtering of one channel (H×W, stride 3 in the HWC array) → (H−k+1)×(W−k+1). */
function filterValid(src: Float64Array, H: number, W: number, w: Float64Array): Float64Array {
  const k = w.length;
  const oh = H - k + 1;
  const ow = W - k + 1;
  const tmp = new Float64Array(H * ow);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += w[i]! * src[y * W + x + i]!;
      tmp[y * ow + x] = s;
    }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += w[i]! * tmp[(y + i) * ow + x]!;
      out[y * ow + x] = s;
    }
  return out;
}

export interface SsimOptions {
  /** Window side (default 11). */
  window?: number;
  /** Gaussian σ (default 1.5). */
  sigma?: number;
  /** Dynamic range L (default 1 for images in [0, 1]). */
  range?: number;
  k1?: number;
  k2?: number;
}

/**
 * SSIM (Wang et al. 2004, "Image quality assessment: from error visibility to structural
 * similarity"): 11×11 Gaussian window with σ = 1.5, K1 = 0.01, K2 = 0.03, computed per channel over
 * the 'valid' window positions (as the reference ssim_index.m) and averaged over positions and
 * channels. Images smaller than the window use a window as large as the image.
 */
export function ssim(a: ImageF32, b: ImageF32, options: SsimOptions = {}): number {
  checkPair(a, b);
  const { width: W, height: H } = a;
  const size = Math.min(options.window ?? 11, W, H);
  const w = gaussianWindow(size, options.sigma ?? 1.5);
  const L = options.range ?? 1;
  const C1 = ((options.k1 ?? 0.01) * L) ** 2;
  const C2 = ((options.k2 ?? 0.03) * L) ** 2;
  let total = 0;
  let count = 0;
  for (let ch = 0; ch < 3; ch++) {
    const x = new Float64Array(H * W);
    const y = new Float64Array(H * W);
    for (let i = 0; i < H * W; i++) {
      x[i] = a.data[i * 3 + ch]!;
      y[i] = b.data[i * 3 + ch]!;
    }
    const sq = (v: Float64Array) => v.map((t) => t * t);
    const xy = x.map((t, i) => t * y[i]!);
    const mx = filterValid(x, H, W, w);
    const my = filterValid(y, H, W, w);
    const sxx = filterValid(sq(x), H, W, w);
    const syy = filterValid(sq(y), H, W, w);
    const sxy = filterValid(xy, H, W, w);
    for (let i = 0; i < mx.length; i++) {
      const ux = mx[i]!;
      const uy = my[i]!;
      const vx = sxx[i]! - ux * ux;
      const vy = syy[i]! - uy * uy;
      const cxy = sxy[i]! - ux * uy;
      total += ((2 * ux * uy + C1) * (2 * cxy + C2)) / ((ux * ux + uy * uy + C1) * (vx + vy + C2));
      count++;
    }
  }
  return total / count;
}
