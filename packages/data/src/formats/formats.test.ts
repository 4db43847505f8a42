import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DatasetFormatError } from '../errors';
import { encode, patternRgb, tempDir } from '../testing/fixtures';
import { expandBraces } from './brace';
import { readCocoCaptions } from './coco-captions';
import { readImageFolder } from './image-folder';
import { interpretWdsSample, readTarShard, splitKey, type WdsEntryGroup } from './webdataset';
import { writeTarShard } from './tar-writer';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

describe('expandBraces', () => {
  it('expands zero-padded ranges, lists and several groups', () => {
    expect(expandBraces('s-{0000..0002}.tar')).toEqual(['s-0000.tar', 's-0001.tar', 's-0002.tar']);
    expect(expandBraces('{train,val}/s{8..10}.tar')).toEqual(['train/s8.tar', 'train/s9.tar', 'train/s10.tar', 'val/s8.tar', 'val/s9.tar', 'val/s10.tar']);
    expect(expandBraces(['a.tar', 'b{1..2}.tar'])).toEqual(['a.tar', 'b1.tar', 'b2.tar']);
    expect(expandBraces('shards-{0000..0099}.tar')).toHaveLength(100);
  });
  it('rejects malformed patterns', () => {
    expect(() => expandBraces('a{1..')).toThrow(DatasetFormatError);
    expect(() => expandBraces('a{5..1}')).toThrow(/empty/);
    expect(() => expandBraces('a{x}')).toThrow(/neither a range/);
  });
});

describe('WebDataset shards', () => {
  it('splits keys like WebDataset', () => {
    expect(splitKey('dir/000123.mask.png')).toEqual({ key: 'dir/000123', ext: 'mask.png' });
    expect(splitKey('a.JPG')).toEqual({ key: 'a', ext: 'jpg' });
    expect(splitKey('.hidden')).toBeNull();
  });

  it('writes and streams samples grouped by key, with json / txt / cls', async () => {
    const png = await encode(patternRgb(8, 8), 8, 8, 'png');
    const p = join(tmp.dir, 'shard-0.tar');
    await writeTarShard(p, [
      { key: 's0', files: { png, json: JSON.stringify({ web_caption: 'w0', synthetic_caption: ['a', 'b'], label: 2 }) } },
      { key: 's1', files: { jpg: png, txt: 'just text\n', cls: '5' } },
      { key: 's2', files: { json: JSON.stringify({ web_caption: 'no image' }) } },
    ]);
    const groups = [];
    for await (const g of readTarShard(p)) groups.push(g);
    expect(groups.map((g) => g.key)).toEqual(['s0', 's1', 's2']);
    const [a, b, c] = groups.map(interpretWdsSample);
    expect(a).toMatchObject({ webCaption: 'w0', syntheticCaptions: ['a', 'b'], label: 2 });
    expect(Buffer.from(a!.image!.bytes).equals(png)).toBe(true);
    expect(a!.image!.name).toBe(`${p}:s0.png`);
    expect(b).toMatchObject({ webCaption: 'just text', syntheticCaptions: ['just text'], label: 5 });
    expect(c!.image).toBeNull();
  });

  it('names the shard and sample of a bad json, and a truncated tar', async () => {
    const p = join(tmp.dir, 'bad.tar');
    await writeTarShard(p, [{ key: 'k', files: { json: '{"web_caption": 3}' } }]);
    const groups: WdsEntryGroup[] = [];
    for await (const g of readTarShard(p)) groups.push(g);
    expect(() => interpretWdsSample(groups[0]!)).toThrow(/bad\.tar: sample 'k': k\.json: web_caption: Expected string/);
    const big = join(tmp.dir, 'big.tar');
    await writeTarShard(big, Array.from({ length: 4 }, (_, i) => ({ key: `k${i}`, files: { txt: 'x'.repeat(3000) } })));
    const cut = join(tmp.dir, 'cut.tar');
    writeFileSync(cut, readFileSync(big).subarray(0, 8000));
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const g of readTarShard(cut)) got.push(g.key);
      })(),
    ).rejects.toThrow(/cut\.tar: cannot read tar shard after/);
    expect(got.length).toBeGreaterThanOrEqual(1);
    await expect(readTarShard(join(tmp.dir, 'missing.tar')).next()).rejects.toThrow(/file not found/);
  });
});

describe('readImageFolder', () => {
  it('lists classes and images sorted, ignoring other files', async () => {
    const root = join(tmp.dir, 'folder');
    for (const [cls, files] of [['dog', ['b.png', 'a.jpg', 'notes.txt']], ['cat', ['z.webp']]] as const) {
      mkdirSync(join(root, cls), { recursive: true });
      for (const f of files) writeFileSync(join(root, cls, f), 'x');
    }
    const f = await readImageFolder(root);
    expect(f.classes).toEqual(['cat', 'dog']);
    expect(f.items.map((i) => [i.className, i.label, i.path.split('/').pop()])).toEqual([
      ['cat', 0, 'z.webp'],
      ['dog', 1, 'a.jpg'],
      ['dog', 1, 'b.png'],
    ]);
    mkdirSync(join(root, 'empty'));
    await expect(readImageFolder(root)).rejects.toThrow(/empty: class folder has no images/);
    await expect(readImageFolder(join(tmp.dir, 'nowhere'))).rejects.toThrow(/cannot read image folder/);
  });
});

describe('readCocoCaptions', () => {
  it('groups captions by image and resolves paths', async () => {
    const p = join(tmp.dir, 'captions.json');
    writeFileSync(
      p,
      JSON.stringify({
        images: [{ id: 7, file_name: 'a.jpg' }, { id: 9, file_name: 'b.jpg' }],
        annotations: [{ image_id: 9, caption: ' a dog ' }, { image_id: 7, caption: 'a cat' }, { image_id: 9, caption: 'dog' }],
      }),
    );
    const s = await readCocoCaptions(p, '/imgs');
    expect(s.images).toEqual([
      { id: '7', path: '/imgs/a.jpg', captionIndices: [1] },
      { id: '9', path: '/imgs/b.jpg', captionIndices: [0, 2] },
    ]);
    expect(s.captions[0]).toEqual({ text: 'a dog', imageIndex: 1 });
    writeFileSync(p, JSON.stringify({ images: [{ id: 1, file_name: 'a.jpg' }], annotations: [{ image_id: 2, caption: 'x' }] }));
    await expect(readCocoCaptions(p)).rejects.toThrow(/annotations\[0\] refers to image_id 2/);
    writeFileSync(p, JSON.stringify({ images: [{ id: 1 }], annotations: [] }));
    await expect(readCocoCaptions(p)).rejects.toThrow(/not a COCO captions file: images\.0\.file_name: Required/);
  });
});
