import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageInputError, loadImageForModel, MAX_PATCH_TOKENS, parseSize } from './image-input';

describe('CLI image input (issue 18, item 14)', () => {
  test('--size: multiples of 14 up to the token limit the backend can hold', () => {
    expect(parseSize('448')).toEqual([448, 448]);
    expect(parseSize('224x336')).toEqual([224, 336]);
    expect(parseSize('1792')).toEqual([1792, 1792]); // 128·128 = 16384 = MAX_PATCH_TOKENS
    expect((1792 / 14) ** 2).toBe(MAX_PATCH_TOKENS);
    expect(() => parseSize('14000')).toThrow(ImageInputError);
    expect(() => parseSize('14000')).toThrow(/--size 14000x14000 gives 1,000,000 patch tokens; at most 16,384 fit .*use 1792 or less/);
    expect(() => parseSize('1806')).toThrow(/16,641 patch tokens/);
    expect(() => parseSize('100')).toThrow(/multiples of the patch size 14/);
  });

  test('a missing image says it is missing, not "use a PNG"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'img-in-'));
    const gone = join(dir, 'gone.png');
    await expect(loadImageForModel(gone, [14, 14])).rejects.toThrow(new RegExp(`image ${gone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist; check the path`));
    await expect(loadImageForModel(dir, [14, 14])).rejects.toThrow(/is not a file/);
    const junk = join(dir, 'junk.png');
    writeFileSync(junk, 'not an image');
    await expect(loadImageForModel(junk, [14, 14])).rejects.toThrow(/cannot decode image .*junk\.png.*Use a PNG, JPEG or WebP file/);
  });
});
