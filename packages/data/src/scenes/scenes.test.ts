import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@tips/runtime';
import { readManifest } from '../formats/manifest';
import { readTarShard, interpretWdsSample } from '../formats/webdataset';
import { readClassMask, readDepth } from '../image/dense-maps';
import { decodeImage } from '../image/decode';
import { createTipsLoader } from '../loader/loader';
import { manifestSource } from '../loader/list-source';
import { tempDir } from '../testing/fixtures';
import { roughTokenCount } from './captions';
import { generateScenes } from './generate';
import { rasterise } from './raster';
import { renderScene } from './render-scene';
import { OBJECT_DEPTH_RANGE, OBJECT_SCALE_RANGE, RADIUS_AT_1M, type SceneSpec } from './scene-spec';
import { REGIONS, SHAPES, SIZES, sizeOf } from './vocabulary';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function single(shape: SceneSpec['objects'][number]['shape'], radius: number): SceneSpec {
  return {
    width: 120,
    height: 120,
    background: { texture: 'plain', colour: 'grey', rgb: [128, 128, 128], period: 10, angle: 0 },
    objects: [{ shape, colour: 'red', rgb: [220, 30, 30], size: 'large', cx: 60, cy: 60, radius, rotation: 0, depth: 3 }],
  };
}

describe('rasteriser', () => {
  it('draws shapes with their closed-form areas', () => {
    const r = 40;
    const area = (shape: SceneSpec['objects'][number]['shape']) => rasterise(single(shape, r), 1).footprint[0]!;
    expect(area('circle') / (Math.PI * r * r)).toBeCloseTo(1, 1);
    expect(Math.abs(area('circle') / (Math.PI * r * r) - 1)).toBeLessThan(0.02);
    expect(Math.abs(area('square') / (1.6 * r) ** 2 - 1)).toBeLessThan(0.03);
    expect(Math.abs(area('ring') / (Math.PI * r * r * (1 - 0.55 ** 2)) - 1)).toBeLessThan(0.03);
    expect(Math.abs(area('triangle') / (((3 * Math.sqrt(3)) / 4) * r * r) - 1)).toBeLessThan(0.03);
    expect(Math.abs(area('hexagon') / (((3 * Math.sqrt(3)) / 2) * r * r) - 1)).toBeLessThan(0.03);
  });

  it('paints nearer objects over farther ones and records the cover', () => {
    const spec = single('square', 30);
    spec.objects.push({ ...spec.objects[0]!, shape: 'circle', cx: 80, depth: 2, rgb: [0, 0, 200] });
    const r = rasterise(spec, 1);
    const p = 60 * 120 + 80; // inside both: the circle (nearer) wins
    expect(r.instances[p]).toBe(1);
    expect(r.classes[p]).toBe(SHAPES.indexOf('circle') + 1);
    expect(r.depth[p]).toBeCloseTo(2, 5);
    expect(r.cover[0 * 2 + 1]).toBeGreaterThan(0);
    expect(r.visible[0]).toBe(r.footprint[0]! - r.cover[1]!);
  });
});

describe('renderScene', () => {
  it('is deterministic in (seed, split, index)', () => {
    const a = renderScene(7, 'train', 3);
    const b = renderScene(7, 'train', 3);
    expect(sha(a.raster.rgb)).toBe(sha(b.raster.rgb));
    expect(a.syntheticCaptions).toEqual(b.syntheticCaptions);
    expect(a.webCaption).toBe(b.webCaption);
    expect(sha(renderScene(7, 'train', 4).raster.rgb)).not.toBe(sha(a.raster.rgb));
    expect(sha(renderScene(7, 'eval', 3).raster.rgb)).not.toBe(sha(a.raster.rgb));
  });

  it('captions mention every object; web captions are object-level only; the label is the dominant shape', () => {
    for (let i = 0; i < 30; i++) {
      const s = renderScene(11, 'train', i);
      const [short, medium, detailed] = s.syntheticCaptions;
      for (const o of s.objects) {
        expect(short).toContain(`${o.colour} ${o.class}`);
        expect(medium).toContain(`${o.size} ${o.colour} ${o.class} ${o.region}`);
        expect(detailed).toContain(`${o.colour} ${o.class}`);
        expect(detailed).toContain(o.region);
        expect(o.visible_fraction).toBeGreaterThanOrEqual(0.3);
        for (const b of o.occluded_by) expect(s.objects[b]!.depth_m).toBeLessThan(o.depth_m);
        if (o.occluded_by.length) expect(detailed).toMatch(/(partly|mostly) hidden behind/);
      }
      expect(roughTokenCount(detailed!)).toBeLessThanOrEqual(60);
      for (const region of REGIONS) expect(s.webCaption.toLowerCase()).not.toContain(region);
      // Dominant shape, counted independently from the class mask.
      const counts = new Array(SHAPES.length + 1).fill(0);
      for (const c of s.raster.classes) counts[c]++;
      const best = counts.slice(1).indexOf(Math.max(...counts.slice(1)));
      expect(s.label).toBe(best);
      expect(s.labelName).toBe(SHAPES[best]);
    }
  });

  it('perspective: apparent size follows depth (pinhole camera), and the size word is the apparent size class', () => {
    const radiusTimesDepth: number[] = [];
    for (let i = 0; i < 40; i++) {
      const s = renderScene(5, 'train', i, { width: 160, height: 120, perspective: true });
      for (const o of s.spec.objects) {
        const fraction = o.radius / 120;
        expect(o.depth).toBeGreaterThanOrEqual(OBJECT_DEPTH_RANGE[0]);
        expect(o.depth).toBeLessThanOrEqual(OBJECT_DEPTH_RANGE[1]);
        // radius · depth = RADIUS_AT_1M · physical scale, scale in OBJECT_SCALE_RANGE.
        const k = (fraction * o.depth) / RADIUS_AT_1M;
        expect(k).toBeGreaterThanOrEqual(OBJECT_SCALE_RANGE[0] - 1e-9);
        expect(k).toBeLessThanOrEqual(OBJECT_SCALE_RANGE[1] + 1e-9);
        radiusTimesDepth.push(k);
        expect(o.size).toBe(fraction < 0.12 ? 'small' : fraction < 0.18 ? 'medium' : 'large');
        expect(sizeOf(fraction)).toBe(o.size);
      }
    }
    // Nearer objects look larger: apparent radius and depth are strongly anti-correlated.
    const corrOf = (perspective: boolean) => {
      const objs = Array.from({ length: 60 }, (_, i) => renderScene(6, 'train', i, { perspective }).spec.objects).flat();
      const x = objs.map((o) => o.radius), y = objs.map((o) => o.depth);
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const mx = mean(x), my = mean(y);
      const cov = mean(x.map((v, i) => (v - mx) * (y[i]! - my)));
      return cov / Math.sqrt(mean(x.map((v) => (v - mx) ** 2)) * mean(y.map((v) => (v - my) ** 2)));
    };
    expect(corrOf(true)).toBeLessThan(-0.8);
    // The default scenes draw size and depth independently, radii within the SIZES ranges.
    expect(Math.abs(corrOf(false))).toBeLessThan(0.3);
    for (let i = 0; i < 20; i++) for (const o of renderScene(6, 'train', i).spec.objects) {
      const f = o.radius / 224;
      expect(f).toBeGreaterThanOrEqual(SIZES[o.size][0]);
      expect(f).toBeLessThanOrEqual(SIZES[o.size][1]);
    }
    expect(radiusTimesDepth.length).toBeGreaterThan(40);
  });

  it('web captions are noisy: junk tokens, dropped or wrong objects happen', () => {
    let junk = 0;
    let incomplete = 0;
    for (let i = 0; i < 100; i++) {
      const s = renderScene(5, 'train', i);
      const w = s.webCaption.toLowerCase();
      if (/sale|free shipping|stock photo|wallpaper|clipart|buy now|best price|download|png|4k|offer|shop now|click here|high quality|royalty|arrivals|illustration/.test(w)) junk++;
      if (s.objects.some((o) => !w.includes(o.class))) incomplete++;
    }
    expect(junk).toBeGreaterThan(50);
    expect(junk).toBeLessThan(95);
    expect(incomplete).toBeGreaterThan(10);
  });

  it('uses every shape class and a mix of labels', () => {
    const labels = new Set<number>();
    for (let i = 0; i < 120; i++) labels.add(renderScene(1, 'train', i).label);
    expect(labels.size).toBe(SHAPES.length);
  });
});

describe('generateScenes', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('writes a manifest the loader reads, with masks, depth and shards that match the render', async () => {
    const out = join(tmp.dir, 'a');
    const progress: number[] = [];
    const r = await generateScenes({ out, count: 12, seed: 3, width: 112, height: 84, shards: { size: 5 }, onProgress: (p) => progress.push(p.done) });
    expect(progress[progress.length - 1]).toBe(12);
    expect(r.shards).toHaveLength(3);
    const recs = await readManifest(r.manifest);
    expect(recs).toHaveLength(12);
    const meta = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8'));
    expect(meta.splits.train).toMatchObject({ seed: 3, count: 12, shards: 'train/shards/train-{000000..000002}.tar' });
    expect(meta.mask_classes[1]).toBe('circle');
    const rec = recs[4]!;
    const scene = renderScene(3, 'train', 4, { width: 112, height: 84 });
    const img = await decodeImage(rec.image);
    expect([img.width, img.height]).toEqual([112, 84]);
    expect(sha(img.data)).toBe(sha(scene.raster.rgb));
    expect(sha((await readClassMask(rec.mask!)).data)).toBe(sha(scene.raster.classes));
    const depth = await readDepth(rec.depth!);
    let maxErr = 0;
    for (let i = 0; i < depth.data.length; i++) maxErr = Math.max(maxErr, Math.abs(depth.data[i]! - scene.raster.depth[i]!));
    expect(maxErr).toBeLessThan(0.0006);
    expect(rec.syntheticCaptions).toEqual(scene.syntheticCaptions);
    expect((rec.extra.objects as unknown[]).length).toBe(scene.objects.length);
    // Sample 4 is the 5th of the first shard (keys 000000..000004).
    const groups = [];
    for await (const g of readTarShard(r.shards[0]!)) groups.push(g);
    expect(groups.map((g) => g.key)).toEqual(['000000', '000001', '000002', '000003', '000004']);
    const wds = interpretWdsSample(groups[4]!);
    expect(sha(wds.files.get('mask.png')!)).toBe(sha(readFileSync(rec.mask!)));
    expect(wds.syntheticCaptions).toEqual(rec.syntheticCaptions);
    const loader = createTipsLoader({ source: manifestSource(recs), batchSize: 4, views: { globalSize: 56, localSize: 28, localCount: 2 }, numWorkers: 0 });
    for await (const b of loader) {
      expect(b.global.shape).toEqual([4, 56, 56, 3]);
      break;
    }
  });

  it('is byte-identical across runs and train / eval splits do not leak', async () => {
    const a = await generateScenes({ out: join(tmp.dir, 'b1'), count: 30, seed: 9, width: 56, height: 56 });
    const b = await generateScenes({ out: join(tmp.dir, 'b2'), count: 30, seed: 9, width: 56, height: 56 });
    expect(readFileSync(a.manifest, 'utf8')).toBe(readFileSync(b.manifest, 'utf8'));
    const ev = await generateScenes({ out: join(tmp.dir, 'b1'), count: 30, seed: 9, split: 'eval', width: 56, height: 56 });
    const hashes = async (manifest: string) => Promise.all((await readManifest(manifest)).map((r) => sha(readFileSync(r.image))));
    const train = await hashes(a.manifest);
    expect(await hashes(b.manifest)).toEqual(train);
    const evalH = await hashes(ev.manifest);
    expect(new Set(train).size).toBe(30);
    expect(new Set(evalH).size).toBe(30);
    expect(train.filter((h) => evalH.includes(h))).toEqual([]);
    const meta = JSON.parse(readFileSync(join(tmp.dir, 'b1', 'dataset.json'), 'utf8'));
    expect(Object.keys(meta.splits).sort()).toEqual(['eval', 'train']);
    const ids = (await readManifest(ev.manifest)).map((r) => r.id);
    expect(ids[0]).toBe('eval-000000');
  });

  it('rejects bad options', async () => {
    await expect(generateScenes({ out: tmp.dir, count: 0 })).rejects.toThrow(/count must be a positive integer/);
    await expect(generateScenes({ out: tmp.dir, count: 1, split: '../x' })).rejects.toThrow(/split/);
  });
});

describe('scene streams', () => {
  it('train and eval use independent Rng streams', () => {
    expect(Rng.derive(1, 'scenes', 'train', 0).nextU32()).not.toBe(Rng.derive(1, 'scenes', 'eval', 0).nextU32());
  });
});
