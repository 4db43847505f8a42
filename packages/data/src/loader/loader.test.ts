import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TooManySkippedError } from '../errors';
import { writeManifest, readManifest } from '../formats/manifest';
import { writeTarShard } from '../formats/tar-writer';
import { decodeImage } from '../image/decode';
import { resampleCrop } from '../image/resample';
import { encode, patternRgb, tempDir, WordTokenizer } from '../testing/fixtures';
import type { TipsBatch } from './batch';
import { listSource, manifestSource } from './list-source';
import { createEvalLoader, createTipsLoader } from './loader';
import { webDatasetSource } from './webdataset-source';
import { defaultWorkerScript } from './worker-pool';

const N = 10;
let tmp: ReturnType<typeof tempDir>;
let manifest: string;
const views = { globalSize: 28, localSize: 14, localCount: 2 };

beforeAll(async () => {
  tmp = tempDir();
  const lines = [];
  for (let i = 0; i < N; i++) {
    const w = 40 + i * 3;
    const h = 30 + i;
    writeFileSync(join(tmp.dir, `img${i}.png`), await encode(patternRgb(w, h, i), w, h, 'png'));
    lines.push({ image: `img${i}.png`, web_caption: `web ${i} sale`, synthetic_caption: [`short ${i}`, `long caption ${i}`], label: i % 3 });
  }
  manifest = join(tmp.dir, 'train.jsonl');
  await writeManifest(manifest, lines);
});
afterAll(() => tmp.cleanup());

async function take<B>(it: AsyncIterable<B>, n: number): Promise<B[]> {
  const out: B[] = [];
  for await (const b of it) {
    out.push(b);
    if (out.length === n) break;
  }
  return out;
}

describe('createTipsLoader', () => {
  it('yields batches with the documented layout and tokenised captions', async () => {
    const src = manifestSource(await readManifest(manifest), { seed: 1 });
    const loader = createTipsLoader({ source: src, batchSize: 4, seed: 1, views, tokenizer: new WordTokenizer(), maxTokens: 8, numWorkers: 0 });
    const [b] = (await take(loader, 1)) as [TipsBatch];
    expect(b.size).toBe(4);
    expect(b.global.shape).toEqual([4, 28, 28, 3]);
    expect(b.global.data.length).toBe(4 * 28 * 28 * 3);
    expect(b.locals.shape).toEqual([2, 4, 14, 14, 3]);
    expect(b.webTokens!.shape).toEqual([4, 8]);
    expect(b.syntheticTokens!.shape).toEqual([4, 8]);
    expect(b.position).toEqual({ epoch: 0, index: 4 });
    expect(loader.position).toEqual({ epoch: 0, index: 4 });
    for (let k = 0; k < 4; k++) {
      const id = b.ids[k] as number;
      expect(b.webCaptions[k]).toBe(`web ${id} sale`);
      expect([`short ${id}`, `long caption ${id}`]).toContain(b.syntheticCaptions[k]);
      expect(b.labels[k]).toBe(id % 3);
      // "web i sale" = 3 tokens, then padding
      expect(Array.from(b.webTokens!.paddings.subarray(k * 8, k * 8 + 8))).toEqual([0, 0, 0, 1, 1, 1, 1, 1]);
      expect(b.webTokens!.ids[k * 8 + 3]).toBe(0);
    }
    // Local crop m of sample b sits at m·B + b, and equals the crop made from the decoded image.
    const img = await decodeImage(join(tmp.dir, `img${b.ids[1]}.png`));
    const { makeTipsViews } = await import('../augment/tips-views');
    const { resolveViewConfig } = await import('../augment/view-config');
    const v = makeTipsViews(img, resolveViewConfig(views), { seed: 1, epoch: 0, sampleId: b.ids[1]! });
    const L = 14 * 14 * 3;
    expect(Array.from(b.locals.data.subarray((1 * 4 + 1) * L, (1 * 4 + 2) * L))).toEqual(Array.from(v.locals.subarray(L, 2 * L)));
    expect(Array.from(b.global.data.subarray(28 * 28 * 3, 2 * 28 * 28 * 3))).toEqual(Array.from(resampleCrop(img, v.boxes[0]!, 28, 28, { flip: v.flips[0] })));
  });

  it('adds the global-crop patch mask [B, (S/14)²] when masking is on', async () => {
    const src = manifestSource(await readManifest(manifest), { seed: 1 });
    const [b] = await take(createTipsLoader({ source: src, batchSize: 3, seed: 1, views, mask: { ratio: [0.5, 0.5] }, numWorkers: 0 }), 1);
    expect(b!.mask!.shape).toEqual([3, 4]);
    for (let k = 0; k < 3; k++) expect(b!.mask!.data.subarray(k * 4, k * 4 + 4).reduce((x, y) => x + y, 0)).toBe(2);
  });

  it('picks one synthetic caption per sample per epoch, deterministically, using all of them', async () => {
    const src = manifestSource(await readManifest(manifest), { seed: 1 });
    const run = async () => {
      const caps: string[] = [];
      for await (const b of createTipsLoader({ source: src, batchSize: 5, seed: 1, views, epochs: 4, numWorkers: 0 })) caps.push(...b.syntheticCaptions);
      return caps;
    };
    const a = await run();
    expect(a).toHaveLength(4 * N);
    expect(await run()).toEqual(a);
    expect(a.filter((c) => c.startsWith('short')).length).toBeGreaterThan(5);
    expect(a.filter((c) => c.startsWith('long')).length).toBeGreaterThan(5);
  });

  it('resumes exactly from a saved position, across epochs', async () => {
    const src = manifestSource(await readManifest(manifest), { seed: 3 });
    const opts = { source: src, batchSize: 3, seed: 3, views, numWorkers: 0 };
    const all = await take(createTipsLoader(opts), 7); // 3 batches per epoch (dropLast): crosses two epochs
    expect(all.map((b) => b.position)).toEqual([
      { epoch: 0, index: 3 }, { epoch: 0, index: 6 }, { epoch: 0, index: 9 },
      { epoch: 1, index: 3 }, { epoch: 1, index: 6 }, { epoch: 1, index: 9 },
      { epoch: 2, index: 3 },
    ]);
    const resumed = await take(createTipsLoader({ ...opts, start: all[3]!.position }), 3);
    for (let k = 0; k < 3; k++) {
      expect(resumed[k]!.ids).toEqual(all[4 + k]!.ids);
      expect(Buffer.from(resumed[k]!.global.data.buffer).equals(Buffer.from(all[4 + k]!.global.data.buffer))).toBe(true);
      expect(resumed[k]!.syntheticCaptions).toEqual(all[4 + k]!.syntheticCaptions);
    }
    const end = { epoch: 0, index: 9 };
    expect((await take(createTipsLoader({ ...opts, start: end }), 1))[0]!.position).toEqual({ epoch: 1, index: 3 });
  });

  it('keeps the last partial batch when dropLast is false', async () => {
    const src = manifestSource(await readManifest(manifest), { seed: 3 });
    const sizes: number[] = [];
    for await (const b of createTipsLoader({ source: src, batchSize: 4, views, epochs: 1, dropLast: false, numWorkers: 0 })) sizes.push(b.size);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('skips corrupt and missing images, reports them, and fails past the limit', async () => {
    const lines = [];
    for (let i = 0; i < 6; i++) lines.push({ image: `img${i}.png`, web_caption: 'w', synthetic_caption: 's' });
    writeFileSync(join(tmp.dir, 'broken.png'), 'garbage');
    lines.push({ image: 'broken.png', web_caption: 'w', synthetic_caption: 's' }, { image: 'gone.png', web_caption: 'w', synthetic_caption: 's' });
    const p = join(tmp.dir, 'broken.jsonl');
    await writeManifest(p, lines);
    const src = manifestSource(await readManifest(p), { shuffle: false });
    const skipped: string[] = [];
    const loader = createTipsLoader({ source: src, batchSize: 2, views, epochs: 1, numWorkers: 0, maxSkippedFraction: 0.3, onSkip: (path) => skipped.push(path) });
    const ids: (number | string)[] = [];
    for await (const b of loader) ids.push(...b.ids);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5]);
    expect(skipped).toEqual([join(tmp.dir, 'broken.png'), join(tmp.dir, 'gone.png')]);
    expect(loader.skips.skipped.map((s) => s.path)).toEqual(skipped);
    const strict = createTipsLoader({ source: src, batchSize: 2, views, epochs: 1, numWorkers: 0, maxSkippedFraction: 0.1, skipAllowance: 1, onSkip: () => undefined });
    const err = await take(strict, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManySkippedError);
    expect((err as TooManySkippedError).message).toMatch(/2 of 8 images could not be decoded .*broken\.png/);
  });

  it('reads WebDataset shards into the same batches', async () => {
    const samples = [];
    for (let i = 0; i < 6; i++) samples.push({ key: `k${i}`, files: { png: await encode(patternRgb(32, 32, i), 32, 32, 'png'), json: JSON.stringify({ web_caption: `w${i}`, synthetic_caption: `s${i}` }) } });
    await writeTarShard(join(tmp.dir, 'wds-0.tar'), samples.slice(0, 3));
    await writeTarShard(join(tmp.dir, 'wds-1.tar'), samples.slice(3));
    const source = webDatasetSource(join(tmp.dir, 'wds-{0..1}.tar'), { seed: 5, bufferSize: 4 });
    const ids: (number | string)[] = [];
    for await (const b of createTipsLoader({ source, batchSize: 3, views, epochs: 1, numWorkers: 0 })) {
      ids.push(...b.ids);
      b.ids.forEach((id, k) => expect(b.webCaptions[k]).toBe(`w${String(id).slice(1)}`));
    }
    expect([...ids].sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });

  const script = defaultWorkerScript();
  (script ? it : it.skip)('gives identical batches with worker threads (dist/worker.cjs) and shuts them down', async () => {
    const src = manifestSource(await readManifest(manifest), { seed: 8 });
    const opts = { source: src, batchSize: 3, seed: 8, views, epochs: 2 };
    const inProc = await take(createTipsLoader({ ...opts, numWorkers: 0 }), 5);
    const loader = createTipsLoader({ ...opts, numWorkers: 2, prefetch: 2 });
    const threaded: TipsBatch[] = [];
    for await (const b of loader) {
      expect(loader.workerThreads).toBe(2);
      threaded.push(b);
      if (threaded.length === 5) break; // terminates the workers
    }
    expect(loader.workerThreads).toBe(0);
    for (let k = 0; k < 5; k++) {
      expect(threaded[k]!.ids).toEqual(inProc[k]!.ids);
      expect(Buffer.from(threaded[k]!.global.data.buffer).equals(Buffer.from(inProc[k]!.global.data.buffer))).toBe(true);
      expect(Buffer.from(threaded[k]!.locals.data.buffer).equals(Buffer.from(inProc[k]!.locals.data.buffer))).toBe(true);
    }
  });
});

describe('createEvalLoader', () => {
  it('resizes + centre-crops every image in order, one epoch, keeping the last batch', async () => {
    const records = await readManifest(manifest);
    const loader = createEvalLoader({ source: manifestSource(records, { shuffle: false }), batchSize: 4, transform: { resize: 32, centerCrop: 28 }, numWorkers: 0 });
    const batches = [];
    for await (const b of loader) batches.push(b);
    expect(batches.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(batches[0]!.images.shape).toEqual([4, 28, 28, 3]);
    expect(batches.flatMap((b) => b.ids)).toEqual(Array.from({ length: N }, (_, i) => i));
  });

  it('refuses to batch images of different sizes', async () => {
    const src = listSource([{ image: join(tmp.dir, 'img0.png') }, { image: join(tmp.dir, 'img5.png') }], { shuffle: false });
    await expect(take(createEvalLoader({ source: src, batchSize: 2, transform: { resize: 28 }, numWorkers: 0 }), 1)).rejects.toThrow(/multiple of the patch size|mixes image sizes/);
  });
});
