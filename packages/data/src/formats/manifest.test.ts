import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetFormatError } from '../errors';
import { tempDir } from '../testing/fixtures';
import { labelIds, readManifest, writeManifest } from './manifest';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

function write(name: string, lines: unknown[] | string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, typeof lines === 'string' ? lines : lines.map((l) => JSON.stringify(l)).join('\n'));
  return p;
}

describe('readManifest', () => {
  it('reads records, resolves paths against the manifest folder, keeps extra fields', async () => {
    const p = write('m.jsonl', [
      { image: 'imgs/a.png', web_caption: 'red circle sale', synthetic_caption: 'a red circle', label: 'circle', mask: 'masks/a.png', depth: '/abs/d.npy', objects: [{ class: 'circle' }] },
      { image: '/abs/b.jpg', web_caption: 'x', synthetic_caption: ['short', 'long one'], id: 'b7', label: 3 },
    ]);
    const r = await readManifest(p);
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ index: 0, line: 1, id: '0', image: join(tmp.dir, 'imgs/a.png'), syntheticCaptions: ['a red circle'], label: 'circle', mask: join(tmp.dir, 'masks/a.png'), depth: '/abs/d.npy' });
    expect(r[0]!.extra).toEqual({ objects: [{ class: 'circle' }] });
    expect(r[1]).toMatchObject({ index: 1, line: 2, id: 'b7', image: '/abs/b.jpg', syntheticCaptions: ['short', 'long one'], label: 3 });
  });

  it('skips blank and comment lines but counts them in line numbers', async () => {
    const p = write('c.jsonl', '# header\n\n' + JSON.stringify({ image: 'a.png', web_caption: 'w', synthetic_caption: 's' }) + '\n');
    const r = await readManifest(p);
    expect(r[0]!.line).toBe(3);
  });

  it('names the file, line and field of a bad record', async () => {
    const good = JSON.stringify({ image: 'a.png', web_caption: 'w', synthetic_caption: 's' });
    const p1 = write('bad1.jsonl', `${good}\n${JSON.stringify({ image: 'b.png', web_caption: 'w', synthetic_caption: 5 })}\n`);
    await expect(readManifest(p1)).rejects.toThrow(DatasetFormatError);
    await expect(readManifest(p1)).rejects.toThrow(/bad1\.jsonl line 2: synthetic_caption/);
    const p2 = write('bad2.jsonl', `${good}\n{"image": "x.png",\n`);
    await expect(readManifest(p2)).rejects.toThrow(/bad2\.jsonl line 2: not valid JSON/);
    const p3 = write('bad3.jsonl', JSON.stringify({ web_caption: 'w' }));
    await expect(readManifest(p3)).rejects.toThrow(/line 1: image: Required/);
    const p4 = write('bad4.jsonl', JSON.stringify({ image: 'a.png', web_caption: 'w' }));
    await expect(readManifest(p4)).rejects.toThrow(/line 1: missing synthetic_caption; .*tips caption/);
    expect((await readManifest(p4, { requireCaptions: false }))[0]!.syntheticCaptions).toEqual([]);
    // image-only records: no web caption is fine (they train the synthetic term only)
    const p6 = write('imageonly.jsonl', JSON.stringify({ image: 'a.png', synthetic_caption: 's' }));
    expect((await readManifest(p6))[0]!.webCaption).toBeUndefined();
    const p5 = write('bad5.jsonl', JSON.stringify({ image: 'a.png', web_caption: 'w', synthetic_caption: [] }));
    await expect(readManifest(p5)).rejects.toThrow(/synthetic_caption: must hold at least one caption/);
  });

  it('reports a missing manifest, an empty one and missing images on request', async () => {
    await expect(readManifest(join(tmp.dir, 'none.jsonl'))).rejects.toThrow(/cannot open manifest \(ENOENT\)/);
    await expect(readManifest(write('empty.jsonl', '\n'))).rejects.toThrow(/no records/);
    const p = write('files.jsonl', [{ image: 'missing.png', web_caption: 'w', synthetic_caption: 's' }]);
    await expect(readManifest(p, { checkFiles: true })).rejects.toThrow(/line 1: image .*missing\.png does not exist/);
  });

  it('round-trips through writeManifest', async () => {
    const p = join(tmp.dir, 'out', 'w.jsonl');
    await writeManifest(p, [{ image: 'a.png', web_caption: 'w', synthetic_caption: ['s1', 's2'], label: 1 }]);
    const r = await readManifest(p);
    expect(r[0]).toMatchObject({ image: join(tmp.dir, 'out', 'a.png'), webCaption: 'w', syntheticCaptions: ['s1', 's2'], label: 1 });
  });
});

describe('labelIds', () => {
  it('maps string labels to sorted class ids and keeps integers', () => {
    expect(labelIds([{ label: 'star' }, { label: 'circle' }, {}, { label: 'star' }])).toEqual({ ids: Int32Array.from([1, 0, -1, 1]), classes: ['circle', 'star'] });
    expect(labelIds([{ label: 4 }]).ids[0]).toBe(4);
    expect(() => labelIds([{ label: 'x' }], ['a'])).toThrow(/label 'x' is not one of the classes/);
  });
});
