import { join } from 'node:path';
import { readNpz } from '../npz';
import { resizeBilinear8 } from './resize';
import { antialiasBilinearMatrix } from './antialias-weights';

describe('resizeBilinear8 (Pillow BILINEAR)', () => {
  it('matches Pillow byte for byte when shrinking, enlarging and mixing', async () => {
    const ref = await readNpz(join(__dirname, '..', '..', 'test-data', 'pil_resize.npz'));
    const src = ref.src!.data as Uint8Array;
    const [H, W] = ref.src!.shape as [number, number];
    const keys = Object.keys(ref).filter((k) => k.startsWith('out_'));
    expect(keys.length).toBe(6);
    for (const key of keys) {
      const [h, w] = ref[key]!.shape as [number, number];
      const ours = resizeBilinear8(src, W, H, w, h);
      const theirs = ref[key]!.data as Uint8Array;
      let mismatches = 0;
      for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) mismatches++;
      expect({ key, mismatches }).toEqual({ key, mismatches: 0 });
    }
  });

  it('returns a copy at the same size', () => {
    const src = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const out = resizeBilinear8(src, 2, 1, 2, 1);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out).not.toBe(src);
  });
});

describe('antialias bilinear taps', () => {
  it('shrinking 4 → 2 gives the hand-worked triangle weights 3/7, 3/7, 1/7', () => {
    const m = antialiasBilinearMatrix(4, 2);
    const row0 = Array.from(m.subarray(0, 4));
    expect(row0[0]).toBeCloseTo(3 / 7, 12);
    expect(row0[1]).toBeCloseTo(3 / 7, 12);
    expect(row0[2]).toBeCloseTo(1 / 7, 12);
    expect(row0[3]).toBe(0);
  });
  it('enlarging is plain bilinear with half-pixel centres and clamped borders', () => {
    // 2 → 4: output centres at input coordinates -0.25, 0.25, 0.75, 1.25; rows are [out, in]
    const m = Array.from(antialiasBilinearMatrix(2, 4));
    const expected = [1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1];
    m.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });
});
