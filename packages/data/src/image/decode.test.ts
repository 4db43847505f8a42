import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ImageDecodeError } from '../errors';
import { encode, patternRgb, tempDir } from '../testing/fixtures';
import { decodeImage, imageSize } from './decode';
import { encodePng16 } from './png16';
import { readClassMask, readDepth } from './dense-maps';
import { encodeNpy } from '@tips/runtime';

const W = 13;
const H = 9;
const rgb = patternRgb(W, H, 3);
let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe('decodeImage', () => {
  it.each(['png', 'webp'] as const)('decodes lossless %s exactly', async (fmt) => {
    const p = join(tmp.dir, `a.${fmt}`);
    writeFileSync(p, await encode(rgb, W, H, fmt));
    const img = await decodeImage(p);
    expect([img.width, img.height]).toEqual([W, H]);
    expect(Buffer.from(img.data).equals(Buffer.from(rgb))).toBe(true);
  });

  it('decodes JPEG close to the source', async () => {
    const smooth = new Uint8Array(64 * 48 * 3);
    for (let i = 0; i < smooth.length; i++) smooth[i] = 100 + ((i / 3) % 64);
    const img = await decodeImage({ bytes: await encode(smooth, 64, 48, 'jpeg'), name: 'mem.jpg' });
    let err = 0;
    for (let i = 0; i < smooth.length; i++) err = Math.max(err, Math.abs(img.data[i]! - smooth[i]!));
    expect(err).toBeLessThan(12);
  });

  it('turns grey into RGB and drops alpha', async () => {
    const grey = Uint8Array.from({ length: W * H }, (_, i) => (i * 3) & 255);
    const g = await decodeImage({ bytes: await encode(grey, W, H, 'png', 1), name: 'g.png' });
    for (let i = 0; i < W * H; i++) expect([g.data[3 * i], g.data[3 * i + 1], g.data[3 * i + 2]]).toEqual([grey[i], grey[i], grey[i]]);
    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, i % 2 ? 0 : 255], 4 * i);
    const a = await decodeImage({ bytes: await encode(rgba, W, H, 'png', 4), name: 'a.png' });
    expect(Buffer.from(a.data).equals(Buffer.from(rgb))).toBe(true);
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    const bytes = await sharp(Buffer.from(rgb), { raw: { width: W, height: H, channels: 3 } }).withMetadata({ orientation: 6 }).png().toBuffer();
    const img = await decodeImage({ bytes, name: 'o.png' });
    expect([img.width, img.height]).toEqual([H, W]);
    expect(await imageSize({ bytes, name: 'o.png' })).toEqual({ width: H, height: W });
    // Rotating 90° clockwise: output (x', y') = source (x = y', y = H − 1 − x').
    for (let y2 = 0; y2 < W; y2++)
      for (let x2 = 0; x2 < H; x2++)
        for (let c = 0; c < 3; c++) expect(img.data[(y2 * H + x2) * 3 + c]).toBe(rgb[((H - 1 - x2) * W + y2) * 3 + c]);
  });

  it('names the path of a missing or corrupt file', async () => {
    const missing = join(tmp.dir, 'nope.jpg');
    await expect(decodeImage(missing)).rejects.toThrow(ImageDecodeError);
    await expect(decodeImage(missing)).rejects.toThrow(/nope\.jpg: file not found/);
    const bad = join(tmp.dir, 'bad.jpg');
    const jpg = await encode(rgb, W, H, 'jpeg');
    writeFileSync(bad, jpg.subarray(0, jpg.length >> 1));
    const err = await decodeImage(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect((err as ImageDecodeError).path).toBe(bad);
    writeFileSync(join(tmp.dir, 'text.png'), 'not an image');
    await expect(decodeImage(join(tmp.dir, 'text.png'))).rejects.toThrow(/cannot decode image/);
  });
});

describe('dense maps', () => {
  it('reads 16-bit depth PNG with the scale, and .npy as is', async () => {
    const v = Uint16Array.from([0, 1, 1000, 65535, 40000, 123]);
    const p = join(tmp.dir, 'd.png');
    writeFileSync(p, encodePng16(v, 3, 2));
    const d = await readDepth(p);
    expect([d.width, d.height]).toEqual([3, 2]);
    expect(Array.from(d.data)).toEqual(Array.from(v).map((x) => Math.fround(x * (1 / 1000))));
    const n = join(tmp.dir, 'd.npy');
    writeFileSync(n, encodeNpy({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([1.5, 2, 3, 4, 5, 6.25]) }));
    const dn = await readDepth(n);
    expect([dn.width, dn.height, dn.data[0], dn.data[5]]).toEqual([3, 2, 1.5, 6.25]);
  });

  it('reads class masks from the first channel', async () => {
    const ids = Uint8Array.from([0, 1, 2, 3, 4, 5]);
    const p = join(tmp.dir, 'm.png');
    writeFileSync(p, await encode(ids, 3, 2, 'png', 1));
    expect(Array.from((await readClassMask(p)).data)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
