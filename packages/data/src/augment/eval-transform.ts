import { TransformConfigError } from '../errors';
import { resampleCrop } from '../image/resample';
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

/** Applies the eval transform: Float32 RGB in [0, 1], [H, W, 3] or [3, H, W]. */
export function applyEvalTransform(img: RgbImage, cfg: EvalTransformConfig): { data: Float32Array; width: number; height: number } {
  const { width: outW, height: outH } = evalOutputSize(cfg, img.width, img.height);
  const layout = cfg.layout ?? 'hwc';
  const r = resizeOutputSize(img.width, img.height, cfg.resize);
  const full = { x: 0, y: 0, w: img.width, h: img.height };
  if (cfg.centerCrop === undefined) return { data: resampleCrop(img, full, r.width, r.height, { layout }), width: outW, height: outH };
  const resized = resampleCrop(img, full, r.width, r.height);
  const box = centerCropBox(r.width, r.height, outW, outH);
  const data = new Float32Array(outW * outH * 3);
  const plane = outW * outH;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const s = ((box.y + y) * r.width + box.x + x) * 3;
      if (layout === 'hwc') {
        const d = (y * outW + x) * 3;
        data[d] = resized[s]!;
        data[d + 1] = resized[s + 1]!;
        data[d + 2] = resized[s + 2]!;
      } else {
        const d = y * outW + x;
        data[d] = resized[s]!;
        data[d + plane] = resized[s + 1]!;
        data[d + 2 * plane] = resized[s + 2]!;
      }
    }
  }
  return { data, width: outW, height: outH };
}
