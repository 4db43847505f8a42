import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resampleCrop } from './resample';

// Reference produced by torch.nn.functional.interpolate(bilinear, antialias=True, align_corners=False):
// see test-data/make_resize_reference.py.
const ref = JSON.parse(readFileSync(join(__dirname, '..', '..', 'test-data', 'resize-reference.json'), 'utf8')) as {
  height: number;
  width: number;
  image: number[];
  cases: { box: [number, number, number, number]; out: [number, number]; hwc: number[] }[];
};
const img = { data: Uint8Array.from(ref.image), width: ref.width, height: ref.height };

describe('resampleCrop matches torch antialiased bilinear', () => {
  for (const c of ref.cases) {
    it(`box ${c.box.join(',')} → ${c.out.join('×')}`, () => {
      const [x, y, w, h] = c.box;
      const got = resampleCrop(img, { x, y, w, h }, c.out[0], c.out[1]);
      expect(got.length).toBe(c.hwc.length);
      let maxErr = 0;
      for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - c.hwc[i]!));
      expect(maxErr).toBeLessThan(2e-6);
    });
  }

  it('flip mirrors columns and chw transposes', () => {
    const c = ref.cases[1]!;
    const [x, y, w, h] = c.box;
    const [ow, oh] = c.out;
    const flipped = resampleCrop(img, { x, y, w, h }, ow, oh, { flip: true, layout: 'chw' });
    for (let r = 0; r < oh; r++)
      for (let col = 0; col < ow; col++)
        for (let ch = 0; ch < 3; ch++) {
          const want = c.hwc[(r * ow + (ow - 1 - col)) * 3 + ch]!;
          expect(Math.abs(flipped[ch * ow * oh + r * ow + col]! - want)).toBeLessThan(2e-6);
        }
  });

  it('rejects a box outside the image', () => {
    expect(() => resampleCrop(img, { x: 20, y: 0, w: 10, h: 5 }, 4, 4)).toThrow(RangeError);
  });
});
