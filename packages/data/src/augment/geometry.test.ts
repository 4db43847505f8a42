import { Rng } from '@tips/runtime';
import { TransformConfigError } from '../errors';
import { centerCropBox, resizeOutputSize } from './eval-geometry';
import { applyEvalTransform, evalOutputSize } from './eval-transform';
import { pyRound } from './py-round';
import { randomResizedCropBox } from './random-resized-crop';
import { resolveViewConfig } from './view-config';

describe('pyRound (Python 3 round)', () => {
  it('rounds halves to even', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.4999, 2.5001].map(pyRound)).toEqual([0, 2, 2, 4, 0, -2, 2, 3]);
  });
});

describe('randomResizedCropBox', () => {
  const ranges = { scale: [0.32, 1] as [number, number], ratio: [3 / 4, 4 / 3] as [number, number] };

  it('keeps area fraction and aspect ratio in range, box inside the image', () => {
    const rng = new Rng(7);
    const W = 640;
    const H = 480;
    for (let i = 0; i < 2000; i++) {
      const b = randomResizedCropBox(W, H, ranges, rng);
      expect(b.x >= 0 && b.y >= 0 && b.x + b.w <= W && b.y + b.h <= H).toBe(true);
      // w and h are each rounded to an integer: allow that much slack on area and ratio.
      const frac = (b.w * b.h) / (W * H);
      const slack = (b.w + b.h + 1) / (W * H);
      expect(frac).toBeGreaterThanOrEqual(0.32 - slack);
      expect(frac).toBeLessThanOrEqual(1 + slack);
      const r = b.w / b.h;
      expect(r).toBeGreaterThanOrEqual((3 / 4) * (1 - 1 / b.h) - 1 / b.h);
      expect(r).toBeLessThanOrEqual((4 / 3) * (1 + 1 / b.h) + 1 / b.h);
    }
  });

  it('covers the scale range (small crops for local views)', () => {
    const rng = new Rng(3);
    const fr: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const b = randomResizedCropBox(500, 500, { scale: [0.05, 0.32], ratio: [3 / 4, 4 / 3] }, rng);
      fr.push((b.w * b.h) / 250000);
    }
    expect(Math.min(...fr)).toBeLessThan(0.06);
    expect(Math.max(...fr)).toBeGreaterThan(0.3);
    expect(Math.max(...fr)).toBeLessThan(0.33);
    // area ~ U(0.05, 0.32): mean 0.185
    expect(Math.abs(fr.reduce((a, b) => a + b, 0) / fr.length - 0.185)).toBeLessThan(0.01);
  });

  it('falls back to torchvision’s centre crop when no try fits', () => {
    // A 1000×10 strip with scale ≥ 0.9 and ratio ≤ 4/3 never fits: centre crop w = round(10·4/3) = 13.
    const b = randomResizedCropBox(1000, 10, { scale: [0.9, 1], ratio: [3 / 4, 4 / 3] }, new Rng(1));
    expect(b).toEqual({ x: Math.floor((1000 - 13) / 2), y: 0, w: 13, h: 10 });
    const t = randomResizedCropBox(10, 1000, { scale: [0.9, 1], ratio: [3 / 4, 4 / 3] }, new Rng(1));
    expect(t).toEqual({ x: 0, y: Math.floor((1000 - 13) / 2), w: 10, h: 13 });
  });

  it('is deterministic for a seed', () => {
    const a = Array.from({ length: 5 }, (_, i) => randomResizedCropBox(300, 200, ranges, Rng.derive(42, 'v', i)));
    const b = Array.from({ length: 5 }, (_, i) => randomResizedCropBox(300, 200, ranges, Rng.derive(42, 'v', i)));
    expect(a).toEqual(b);
  });
});

describe('eval geometry (torchvision Resize / CenterCrop)', () => {
  it('resizes the shorter side and truncates the longer', () => {
    expect(resizeOutputSize(500, 375, 256)).toEqual({ width: 341, height: 256 }); // int(256·500/375) = 341
    expect(resizeOutputSize(375, 500, 256)).toEqual({ width: 256, height: 341 });
    expect(resizeOutputSize(640, 480, [448, 224])).toEqual({ width: 448, height: 224 });
  });

  it('centre-crops with Python rounding', () => {
    expect(centerCropBox(341, 256, 224, 224)).toEqual({ x: 58, y: 16, w: 224, h: 224 }); // round(58.5) = 58
    expect(centerCropBox(343, 256, 224, 224)).toEqual({ x: 60, y: 16, w: 224, h: 224 }); // round(59.5) = 60
  });

  it('checks sizes are multiples of 14', () => {
    expect(() => evalOutputSize({ resize: 256, centerCrop: 225 }, 500, 375)).toThrow(TransformConfigError);
    expect(() => evalOutputSize({ resize: 224 }, 500, 375)).toThrow(/multiple of the patch size 14/);
    expect(evalOutputSize({ resize: 256, centerCrop: 224 }, 500, 375)).toEqual({ width: 224, height: 224 });
  });

  it('crops the centre of the resized image', () => {
    // 4×2 image, resize to [4, 2] (identity), centre crop 2×2 → columns 1..2 (round(1) = 1).
    const data = Uint8Array.from([0, 0, 0, 51, 0, 0, 102, 0, 0, 153, 0, 0, 0, 51, 0, 51, 51, 0, 102, 51, 0, 153, 51, 0]);
    const r = applyEvalTransform({ data, width: 4, height: 2 }, { resize: [4, 2], centerCrop: [2, 2], patchSize: 1, layout: 'chw' });
    expect(Array.from(r.data).map((v) => Math.round(v * 255))).toEqual([51, 102, 51, 102, 0, 0, 51, 51, 0, 0, 0, 0]);
  });
});

describe('resolveViewConfig', () => {
  it('has the TIPS defaults', () => {
    const c = resolveViewConfig();
    expect([c.globalSize, c.localCount, c.localSize, c.globalScale, c.localScale]).toEqual([224, 6, 98, [0.32, 1], [0.05, 0.32]]);
  });
  it('rejects sizes that are not multiples of 14 and bad ranges', () => {
    expect(() => resolveViewConfig({ globalSize: 225 })).toThrow(TransformConfigError);
    expect(() => resolveViewConfig({ localSize: 96 })).toThrow(/localSize = 96 is not a positive multiple of the patch size 14; use e.g. 84 or 98/);
    expect(() => resolveViewConfig({ globalScale: [0.5, 0.2] })).toThrow(/globalScale/);
    expect(() => resolveViewConfig({ flipProb: 2 })).toThrow(/flipProb/);
  });
});
