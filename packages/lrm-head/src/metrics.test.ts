import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mse, psnr, ssim, type ImageF32 } from './metrics';

// The same deterministic pictures as test-data/make_ssim_ref.py.
function image(h: number, w: number, phase: number): ImageF32 {
  const data = new Float32Array(h * w * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const v = 0.5 + 0.35 * Math.sin(0.7 * x + 0.3 * y + phase + c) * Math.cos(0.2 * x - 0.5 * y + 2 * c);
        data[(y * w + x) * 3 + c] = Math.round(v * 255) / 255;
      }
  return { width: w, height: h, data };
}

const constant = (h: number, w: number, v: number): ImageF32 => ({ width: w, height: h, data: new Float32Array(h * w * 3).fill(v) });

describe('PSNR', () => {
  it('identical images: MSE 0, PSNR +Infinity', () => {
    const a = image(8, 8, 0);
    expect(mse(a, a)).toBe(0);
    expect(psnr(a, a)).toBe(Infinity);
  });
  it('a known MSE gives 10·log10(1/MSE)', () => {
    const a = constant(4, 5, 0.25);
    const b = constant(4, 5, 0.35); // every difference 0.1 → MSE 0.01 → 20 dB
    expect(psnr(a, b)).toBeCloseTo(20, 5);
    const c = constant(4, 5, 0.25);
    c.data[0] = 0.25 + 0.6; // one value off by 0.6 among 60: MSE = 0.36/60 = 0.006
    expect(psnr(a, c)).toBeCloseTo(-10 * Math.log10(0.006), 4);
  });
  it('refuses images of different sizes', () => {
    expect(() => psnr(constant(4, 4, 0), constant(4, 5, 0))).toThrow(/differ in size/);
  });
});

describe('SSIM', () => {
  it('identical images → 1', () => {
    const a = image(16, 16, 0.3);
    expect(ssim(a, a)).toBeCloseTo(1, 12);
  });
  it('constant images: the closed form (2ab + C1)/(a² + b² + C1)', () => {
    const C1 = 0.01 ** 2;
    const [a, b] = [0.3, 0.7];
    expect(ssim(constant(12, 12, a), constant(12, 12, b))).toBeCloseTo((2 * a * b + C1) / (a * a + b * b + C1), 6); // float32 pixel values
  });
  it('matches the numpy reference (ssim_index.m semantics) on three image pairs', () => {
    const ref = JSON.parse(readFileSync(join(__dirname, '..', 'test-data', 'ssim_ref.json'), 'utf8')) as {
      cases: { height: number; width: number; phaseA: number; phaseB: number; ssim: number; mse: number }[];
    };
    for (const c of ref.cases) {
      const a = image(c.height, c.width, c.phaseA);
      const b = image(c.height, c.width, c.phaseB);
      expect(Math.abs(ssim(a, b) - c.ssim)).toBeLessThan(1e-5);
      expect(Math.abs(mse(a, b) - c.mse)).toBeLessThan(1e-6);
    }
  });
});
