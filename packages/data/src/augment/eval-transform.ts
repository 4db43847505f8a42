import { TransformConfigError } from '../errors';
import { resizeBilinear8 } from '@tips/runtime';
import type { PixelLayout, RgbImage } from '../image/types';
import { centerCropBox, resizeOutputSize } from './eval-geometry';
import { checkPatchMultiple, PATCH_SIZE } from './view-config';

/**
 * Deterministic evaluation transform, torchvision-style: `Resize(resize)` (antialiased bilinear; an int
 * resizes the shorter side, [w, h] sets both) then optionally `CenterCrop(centerCrop)`.
 * The final width and height must be multiples of `patchSize` (14).
 * Examples: `{ resize: 256, centerCrop: 224 }` (classification), `{ resize: [448, 448] }` (dense tasks).
 */
export interface EvalTransformConfig {
  resize: number | [number, number];
  centerCrop?: number | [number, number];
  patchSize?: number;
  layout?: PixelLayout;
}

/** Output size of the eval transform for a `width`×`height` input; validates the config. */
export function evalOutputSize(cfg: EvalTransformConfig, width: number, height: number): { width: number; height: number } {
  const patch = cfg.patchSize ?? PATCH_SIZE;
  const r = resizeOutputSize(width, height, cfg.resize);
  let w = r.width;
  let h = r.height;
  if (cfg.centerCrop !== undefined) {
    const [cw, ch] = typeof cfg.centerCrop === 'number' ? [cfg.centerCrop, cfg.centerCrop] : cfg.centerCrop;
    if (cw > w || ch > h) throw new TransformConfigError(`centerCrop ${cw}×${ch} is larger than the resized image ${w}×${h}; resize to at least the crop size`);
    w = cw;
    h = ch;
  }
  try {
    checkPatchMultiple('eval output width', w, patch);
    checkPatchMultiple('eval output height', h, patch);
  } catch (e) {
    throw new TransformConfigError(`${(e as Error).message} (image ${width}×${height}, transform ${JSON.stringify(cfg)}); give resize as [w, h] or add a centerCrop`);
  }
  return { width: w, height: h };
}

/**
 * Applies the eval transform the way torchvision does on a PIL image — `Resize` (Pillow's antialiased
 * BILINEAR in 8-bit fixed point: @tips/runtime's `resizeBilinear8`, exact), `CenterCrop`, `ToTensor` —
 * which is what the official TIPS inference feeds the model. Returns Float32 RGB in [0, 1],
 * [H, W, 3] or [3, H, W].
 */
export function applyEvalTransform(img: RgbImage, cfg: EvalTransformConfig): { data: Float32Array; width: number; height: number } {
  const { width: outW, height: outH } = evalOutputSize(cfg, img.width, img.height);
  const layout = cfg.layout ?? 'hwc';
  const r = resizeOutputSize(img.width, img.height, cfg.resize);
  const resized = resizeBilinear8(img.data, img.width, img.height, r.width, r.height, 3);
  const box = cfg.centerCrop === undefined ? { x: 0, y: 0 } : centerCropBox(r.width, r.height, outW, outH);
  const data = new Float32Array(outW * outH * 3);
  const plane = outW * outH;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const s = ((box.y + y) * r.width + box.x + x) * 3;
      const d = layout === 'hwc' ? (y * outW + x) * 3 : y * outW + x;
      const step = layout === 'hwc' ? 1 : plane;
      data[d] = resized[s]! / 255;
      data[d + step] = resized[s + 1]! / 255;
      data[d + 2 * step] = resized[s + 2]! / 255;
    }
  }
  return { data, width: outW, height: outH };
}
