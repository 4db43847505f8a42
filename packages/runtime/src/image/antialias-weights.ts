/**
 * Separable anti-aliased bilinear (triangle) filter taps, as both Pillow's `Image.resize(...,
 * BILINEAR)` (Resample.c, precompute_coeffs) and PyTorch's `interpolate(mode='bilinear',
 * antialias=True, align_corners=False)` compute them: when down-sampling the filter widens by the
 * scale; taps are clipped at the borders and renormalised to sum to 1.
 */
export interface FilterTaps {
  /** Taps per output sample (row stride of `weights`). */
  ksize: number;
  /** For output i: first input index bounds[2i] and number of taps bounds[2i+1]. */
  bounds: Int32Array;
  /** Normalised weights, [outSize, ksize]; entries past the tap count are 0. */
  weights: Float64Array;
}

export function antialiasBilinearTaps(inSize: number, outSize: number): FilterTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // bilinear support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Float64Array(outSize * ksize);
  const ss = 1 / filterScale;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      const w = t < 1 ? 1 - t : 0;
      weights[i * ksize + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) weights[i * ksize + x]! /= total;
    bounds[2 * i] = xmin;
    bounds[2 * i + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

/** The same taps as a dense [outSize, inSize] matrix (rows sum to 1). */
export function antialiasBilinearMatrix(inSize: number, outSize: number): Float64Array {
  const { ksize, bounds, weights } = antialiasBilinearTaps(inSize, outSize);
  const m = new Float64Array(outSize * inSize);
  for (let i = 0; i < outSize; i++) {
    const xmin = bounds[2 * i]!;
    for (let x = 0; x < bounds[2 * i + 1]!; x++) m[i * inSize + xmin + x] = weights[i * ksize + x]!;
  }
  return m;
}
