import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SdkInputError } from '../errors';
import { decodeImage } from './decode';

describe('decodeImage in Node: a missing file is named as missing (issue 18, item 14)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sdk-decode-'));

  test('a path that does not exist', async () => {
    const gone = join(dir, 'gone.png');
    await expect(decodeImage(gone)).rejects.toThrow(SdkInputError);
    await expect(decodeImage(gone)).rejects.toThrow(/image file .*gone\.png does not exist; check the path/);
  });

  test('a file that is not an image still gets the format hint', async () => {
    const junk = join(dir, 'junk.png');
    writeFileSync(junk, 'not an image');
    await expect(decodeImage(junk)).rejects.toThrow(/could not decode .*junk\.png as an image .*pass a PNG, JPEG/);
  });
});
