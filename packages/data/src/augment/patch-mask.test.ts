import { TransformConfigError } from '../errors';
import { checkMaskConfig, samplePatchMask } from './patch-mask';

const N = 256; // 224 / 14 = 16 → 16·16 patches

describe('samplePatchMask (via @tips/losses randomPatchMask)', () => {
  it('masks round(r·N) patches with r in the configured range', () => {
    const counts: number[] = [];
    for (let i = 0; i < 300; i++) {
      const m = samplePatchMask(N, { ratio: [0.1, 0.5] }, { seed: 1, epoch: 0, sampleId: i });
      expect(m.length).toBe(N);
      counts.push(m.reduce((a, b) => a + b, 0));
    }
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(Math.round(0.1 * N));
    expect(Math.max(...counts)).toBeLessThanOrEqual(Math.round(0.5 * N));
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length / N;
    expect(Math.abs(mean - 0.3)).toBeLessThan(0.03); // E[r] = 0.3
    expect(Math.min(...counts)).toBeLessThan(0.15 * N);
    expect(Math.max(...counts)).toBeGreaterThan(0.45 * N);
  });

  it('a fixed ratio masks exactly that many; probability leaves images unmasked', () => {
    const m = samplePatchMask(N, { ratio: [0.25, 0.25] }, { seed: 2, epoch: 1, sampleId: 'a' });
    expect(m.reduce((a, b) => a + b, 0)).toBe(64);
    let unmasked = 0;
    for (let i = 0; i < 400; i++) if (samplePatchMask(N, { ratio: [0.3, 0.3], probability: 0.5 }, { seed: 3, epoch: 0, sampleId: i }).every((v) => v === 0)) unmasked++;
    expect(Math.abs(unmasked / 400 - 0.5)).toBeLessThan(0.08);
  });

  it('is deterministic in (seed, epoch, sample id)', () => {
    const key = { seed: 4, epoch: 2, sampleId: 9 };
    expect(Array.from(samplePatchMask(N, { ratio: [0.1, 0.5] }, key))).toEqual(Array.from(samplePatchMask(N, { ratio: [0.1, 0.5] }, { ...key })));
    expect(Array.from(samplePatchMask(N, { ratio: [0.1, 0.5] }, { ...key, epoch: 3 }))).not.toEqual(Array.from(samplePatchMask(N, { ratio: [0.1, 0.5] }, key)));
  });

  it('validates the config', () => {
    expect(() => checkMaskConfig({ ratio: [0.6, 0.2] })).toThrow(TransformConfigError);
    expect(() => checkMaskConfig({ ratio: [0.1, 0.5], probability: 1.5 })).toThrow(/probability/);
  });
});
