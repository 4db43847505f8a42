import { antialiasBilinearTaps } from '@tips/runtime';
import type { PixelLayout, RgbImage } from './types';

/** An integer pixel box inside an image: top-left (x, y), width w, height h. */
export interface CropBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Options of {@link resampleCrop}. */
export interface ResampleOptions {
  /** Mirror the output left-right (a horizontal flip after the resize). */
  flip?: boolean;
  /** Layout of the written pixels (default 'hwc'). */
  layout?: PixelLayout;
  /** Write into this array (at `offset`) instead of a new one; it must hold outW·outH·3 floats from there. */
  out?: Float32Array;
  offset?: number;
}

/**
 * Crops `box` out of `img` and resizes it to outW×outH with antialiased bilinear filtering, returning
 * Float32 RGB in [0, 1] (pixel / 255). The taps are @tips/runtime's `antialiasBilinearTaps`: the
 * geometry of PyTorch's `interpolate(mode='bilinear', antialias=True, align_corners=False)`, which
 * torchvision's Resize / RandomResizedCrop run on tensors (`antialias=True`, the default since
 * torchvision 0.17): when shrinking, the triangle filter widens by the scale so every input pixel
 * contributes (no aliasing); when enlarging it is plain bilinear with half-pixel centres. Computed in
 * float without 8-bit rounding between the passes (torchvision on a float tensor, i.e. ToTensor
 * first); Pillow rounds each pass to 8 bits, a difference of at most 1/255.
 */
export function resampleCrop(img: RgbImage, box: CropBox, outW: number, outH: number, opts: ResampleOptions = {}): Float32Array {
  const { x: bx, y: by, w: bw, h: bh } = box;
  if (bw <= 0 || bh <= 0 || bx < 0 || by < 0 || bx + bw > img.width || by + bh > img.height) {
    throw new RangeError(`resampleCrop: box ${JSON.stringify(box)} is outside the ${img.width}×${img.height} image`);
  }
  const layout = opts.layout ?? 'hwc';
  const out = opts.out ?? new Float32Array(outW * outH * 3);
  const offset = opts.offset ?? 0;
  const src = img.data;
  const stride = img.width * 3;
  const hx = antialiasBilinearTaps(bw, outW);
  const hy = antialiasBilinearTaps(bh, outH);

  // Horizontal pass over the rows of the crop: tmp [bh, outW, 3].
  const tmp = new Float32Array(bh * outW * 3);
  for (let r = 0; r < bh; r++) {
    const rowBase = (by + r) * stride + bx * 3;
    const tBase = r * outW * 3;
    for (let i = 0; i < outW; i++) {
      const s = hx.bounds[2 * i]!;
      const n = hx.bounds[2 * i + 1]!;
      const wb = i * hx.ksize;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let p = rowBase + s * 3;
      for (let j = 0; j < n; j++, p += 3) {
        const w = hx.weights[wb + j]!;
        a0 += w * src[p]!;
        a1 += w * src[p + 1]!;
        a2 += w * src[p + 2]!;
      }
      const t = tBase + i * 3;
      tmp[t] = a0;
      tmp[t + 1] = a1;
      tmp[t + 2] = a2;
    }
  }

  // Vertical pass; writes the (optionally mirrored) output in the requested layout.
  const k = 1 / 255;
  const plane = outW * outH;
  const rowLen = outW * 3;
  for (let o = 0; o < outH; o++) {
    const s = hy.bounds[2 * o]!;
    const n = hy.bounds[2 * o + 1]!;
    const wb = o * hy.ksize;
    for (let i = 0; i < outW; i++) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let p = s * rowLen + i * 3;
      for (let j = 0; j < n; j++, p += rowLen) {
        const w = hy.weights[wb + j]!;
        a0 += w * tmp[p]!;
        a1 += w * tmp[p + 1]!;
        a2 += w * tmp[p + 2]!;
      }
      const xo = opts.flip ? outW - 1 - i : i;
      if (layout === 'hwc') {
        const d = offset + (o * outW + xo) * 3;
        out[d] = a0 * k;
        out[d + 1] = a1 * k;
        out[d + 2] = a2 * k;
      } else {
        const d = offset + o * outW + xo;
        out[d] = a0 * k;
        out[d + plane] = a1 * k;
        out[d + 2 * plane] = a2 * k;
      }
    }
  }
  return out;
}
