import { patternRgb } from '../testing/fixtures';
import { resampleCrop } from '../image/resample';
import { makeTipsViews } from './tips-views';
import { resolveViewConfig } from './view-config';

const img = { data: patternRgb(160, 120, 1), width: 160, height: 120 };

describe('makeTipsViews', () => {
  const cfg = resolveViewConfig({ globalSize: 56, localSize: 28, localCount: 3 });

  it('makes one global and M local crops of the configured sizes', () => {
    const v = makeTipsViews(img, cfg, { seed: 1, epoch: 0, sampleId: 5 });
    expect(v.global.length).toBe(56 * 56 * 3);
    expect(v.locals.length).toBe(3 * 28 * 28 * 3);
    expect(v.boxes).toHaveLength(4);
    for (const x of v.global) expect(x >= 0 && x <= 1).toBe(true);
  });

  it('each crop is the resized box it reports (flipped when it says so)', () => {
    const v = makeTipsViews(img, cfg, { seed: 9, epoch: 2, sampleId: 'k' });
    const g = resampleCrop(img, v.boxes[0]!, 56, 56, { flip: v.flips[0] });
    expect(Array.from(v.global)).toEqual(Array.from(g));
    for (let m = 0; m < 3; m++) {
      const l = resampleCrop(img, v.boxes[m + 1]!, 28, 28, { flip: v.flips[m + 1] });
      expect(Array.from(v.locals.subarray(m * l.length, (m + 1) * l.length))).toEqual(Array.from(l));
    }
  });

  it('local crops come from the smaller scale range', () => {
    for (let i = 0; i < 50; i++) {
      const v = makeTipsViews(img, cfg, { seed: 3, epoch: 0, sampleId: i });
      const area = (b: { w: number; h: number }) => (b.w * b.h) / (160 * 120);
      expect(area(v.boxes[0]!)).toBeGreaterThan(0.3);
      for (const b of v.boxes.slice(1)) expect(area(b)).toBeLessThan(0.34);
    }
  });

  it('is deterministic in (seed, epoch, sample id) and varies with each', () => {
    const key = { seed: 5, epoch: 1, sampleId: 17 };
    const a = makeTipsViews(img, cfg, key);
    const b = makeTipsViews(img, cfg, { ...key });
    expect(a.boxes).toEqual(b.boxes);
    expect(Buffer.from(a.global.buffer).equals(Buffer.from(b.global.buffer))).toBe(true);
    for (const other of [{ ...key, seed: 6 }, { ...key, epoch: 2 }, { ...key, sampleId: 18 }]) {
      expect(makeTipsViews(img, cfg, other).boxes).not.toEqual(a.boxes);
    }
  });

  it('flips about half of the crops; flipProb 0 and 1 are respected', () => {
    let flips = 0;
    let n = 0;
    for (let i = 0; i < 200; i++) {
      const v = makeTipsViews(img, cfg, { seed: 0, epoch: 0, sampleId: i });
      flips += v.flips.filter(Boolean).length;
      n += v.flips.length;
    }
    expect(Math.abs(flips / n - 0.5)).toBeLessThan(0.06);
    expect(makeTipsViews(img, { ...cfg, flipProb: 0 }, { seed: 0, epoch: 0, sampleId: 1 }).flips.every((f) => !f)).toBe(true);
    expect(makeTipsViews(img, { ...cfg, flipProb: 1 }, { seed: 0, epoch: 0, sampleId: 1 }).flips.every((f) => f)).toBe(true);
  });
});
