import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMultiviewScenes } from '@tips/data';
import { initBackend, SafetensorsReader } from '@tips/runtime';
import { train } from '@tips/trainer';
import { foregroundPixels, makeLrmBatch, LrmDataSource } from './batches';
import { loadLrmModel, saveLrmModel } from './checkpoint';
import { MultiviewSet } from './dataset';
import { evaluateLrm } from './evaluate';
import { LrmHead } from './head';
import { LrmModel } from './model';
import { psnr } from './metrics';
import { reconstruct, renderImage } from './render-views';
import { TINY_VIT, tinyLrmConfig, tinyTower } from './test-utils';
import { trainLrm } from './train';
import { LrmTrainable } from './trainable';

let dir: string;
let set: MultiviewSet;
beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lrm-train-'));
  await generateMultiviewScenes({ out: join(dir, 'data'), count: 6, views: 3, size: 8, seed: 2, split: 'train' });
  await generateMultiviewScenes({ out: join(dir, 'data'), count: 2, views: 3, size: 8, seed: 2, split: 'eval' });
  set = await MultiviewSet.load(join(dir, 'data', 'train.jsonl'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const batchOptions = { batchSize: 2, targetViews: 2, raysPerView: 16, seed: 5 };

describe('batches', () => {
  it('the same position gives the same batch; targets are the pixels of the chosen rays', () => {
    const a = makeLrmBatch(set, batchOptions, { epoch: 1, index: 2 });
    const b = makeLrmBatch(set, batchOptions, { epoch: 1, index: 2 });
    expect(a.scenes).toEqual(b.scenes);
    expect(Array.from(a.targets)).toEqual(Array.from(b.targets));
    expect(Array.from(a.request.rays.directions)).toEqual(Array.from(b.request.rays.directions));
    expect(a.request.rays.count).toBe(2 * 2 * 16);
    expect(a.targets.length).toBe(a.request.rays.count * 3);
    const c = makeLrmBatch(set, batchOptions, { epoch: 2, index: 2 });
    expect(Array.from(c.targets)).not.toEqual(Array.from(a.targets));
  });
  it('foregroundFraction puts that share of the rays on non-background pixels', () => {
    const opts = { ...batchOptions, raysPerView: 20, foregroundFraction: 0.5 };
    const b = makeLrmBatch(set, opts, { epoch: 0, index: 0 });
    const isFg = (i: number) => [0, 1, 2].some((c) => Math.abs(b.targets[i * 3 + c]! - 1) > 2 / 255);
    // Per view: 10 rays from the foreground (when it has 10 pixels), 10 uniform.
    for (let v = 0; v < b.request.rays.count / 20; v++) {
      const scene = b.scenes[Math.floor(v / 2)]!;
      const fgCount = set.images[scene]!.map((img) => foregroundPixels(img, [1, 1, 1]).length);
      const firstTen = Array.from({ length: 10 }, (_, k) => isFg(v * 20 + k));
      if (Math.min(...fgCount) >= 10) expect(firstTen.every(Boolean)).toBe(true);
    }
    const uniform = makeLrmBatch(set, batchOptions, { epoch: 0, index: 0 });
    const share = (x: typeof b) => Array.from({ length: x.request.rays.count }, (_, i) => i).filter((i) => [0, 1, 2].some((c) => Math.abs(x.targets[i * 3 + c]! - 1) > 2 / 255)).length / x.request.rays.count;
    expect(share(b)).toBeGreaterThan(share(uniform));
  });

  it('an epoch visits every scene once', async () => {
    const src = new LrmDataSource(set, { ...batchOptions, batchSize: 3 });
    const seen: number[] = [];
    const it = src.batches(null)[Symbol.asyncIterator]();
    for (let i = 0; i < 2; i++) seen.push(...(await it.next()).value!.batch.scenes);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

function freshModel(): LrmModel {
  const cfg = tinyLrmConfig();
  return new LrmModel(cfg, tinyTower(4), LrmHead.init(cfg, 6));
}

describe('training through @tips/trainer', () => {
  it('training steps lower the loss on a fixed batch', async () => {
    const model = freshModel();
    const trainable = new LrmTrainable(model);
    const batch = makeLrmBatch(set, batchOptions, { epoch: 0, index: 0 });
    const lossNow = () => tf.tidy(() => trainable.loss(batch, { step: 0, rng: null as never }).total.dataSync()[0]!);
    const l0 = lossNow();
    const fixed = { async *batches() { for (;;) yield { batch, next: { epoch: 0, index: 0 } }; } };
    await train({ trainable, data: fixed, steps: 3, outDir: join(dir, 'fixed'), lr: { peak: 5e-3 }, progress: false, checkpointEvery: 0 });
    expect(lossNow()).toBeLessThan(l0);
    model.dispose();
  });

  it('exact resume: 2 + 2 steps with a restart give the same weights as 4 steps', async () => {
    const run = async (out: string, stopAfter?: number, resume?: boolean) => {
      const model = freshModel();
      const trainable = new LrmTrainable(model);
      const steps: number[] = [];
      const result = await train({ trainable, data: new LrmDataSource(set, batchOptions), steps: 4, outDir: out, seed: 3, lr: { peak: 3e-3, warmup: 1 }, adam: { beta2: 0.95 }, clipGrad: 1, checkpointEvery: 2, progress: false, stopAfter, resume, onStep: (r) => steps.push(r.step) });
      const values = new Map([...trainable.stateVariables()].map(([k, v]) => [k, Array.from(v.dataSync())]));
      model.dispose();
      return { values, steps, resumedFrom: result.resumedFrom };
    };
    const straight = (await run(join(dir, 'straight'))).values;
    expect((await run(join(dir, 'split'), 2)).steps).toEqual([1, 2]);
    const second = await run(join(dir, 'split'), undefined, true);
    // The second call really continued from the step-2 checkpoint (it ran only steps 3 and 4).
    expect(second.resumedFrom).toMatch(/step-0000002$/);
    expect(second.steps).toEqual([3, 4]);
    const resumed = second.values;
    expect([...resumed.keys()].sort()).toEqual([...straight.keys()].sort());
    const before = straight.get('head.pos_embed')!;
    expect(before.length).toBeGreaterThan(0);
    for (const [k, v] of straight) expect(resumed.get(k)).toEqual(v);
  });
});

describe('model files and evaluation', () => {
  it('save → load round trip renders the same image; a non-LRM file is refused', async () => {
    const model = freshModel();
    const path = join(dir, 'm.safetensors');
    await saveLrmModel(model, path, { note: 'test' });
    const loaded = await loadLrmModel(path);
    const rec = set.records[0]!;
    const render = (m: LrmModel) => {
      const planes = reconstruct(m, set.images[0]![0]!, 8, 8, rec.views[0]!.camera);
      const img = renderImage(m, planes, rec.views[1]!.camera, rec.background, rec.bound);
      planes.dispose();
      return img;
    };
    expect(Array.from(render(loaded).data)).toEqual(Array.from(render(model).data));
    const reader = await SafetensorsReader.open(path);
    expect(reader.keys().some((k) => k.startsWith('encoder.blocks.0.'))).toBe(true);
    await reader.close();
    await expect(loadLrmModel(join(dir, 'data', 'train.jsonl'))).rejects.toThrow(/cannot open LRM model|not an LRM model/);
    model.dispose();
    loaded.dispose();
  });

  it('evaluateLrm reports per-view PSNR of full renders, the baselines, and writes PNGs', async () => {
    const model = freshModel();
    const evalSet = await MultiviewSet.load(join(dir, 'data', 'eval.jsonl'));
    const before = tf.memory().numTensors;
    const report = await evaluateLrm(model, evalSet, { saveDir: join(dir, 'renders'), saveScenes: 1, turntableFrames: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.scenes).toBe(2);
    expect(report.views).toBe(4);
    // Recompute scene 0's PSNR independently from the renders.
    const rec = evalSet.records[0]!;
    const planes = reconstruct(model, evalSet.images[0]![0]!, 8, 8, rec.views[0]!.camera);
    const p = [1, 2].map((v) => psnr(renderImage(model, planes, rec.views[v]!.camera, rec.background, rec.bound), { width: 8, height: 8, data: evalSet.images[0]![v]! }));
    planes.dispose();
    expect(report.perScene[0]!.psnr).toBeCloseTo((p[0]! + p[1]!) / 2, 6);
    expect(report.files).toHaveLength(2);
    const png = await readFile(report.files[1]!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    model.dispose();
  });
});

describe('trainLrm', () => {
  it('trains from a random tower, writes lrm.safetensors, metrics and eval.json', async () => {
    const out = join(dir, 'run');
    const r = await trainLrm({
      train: join(dir, 'data', 'train.jsonl'),
      eval: join(dir, 'data', 'eval.jsonl'),
      out,
      encoder: { random: TINY_VIT, seed: 1 },
      config: tinyLrmConfig(),
      steps: 2,
      batchSize: 2,
      raysPerView: 16,
      progress: false,
    });
    expect(r.train.step).toBe(2);
    expect((await stat(r.model)).size).toBeGreaterThan(1000);
    const lines = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => typeof l.loss === 'number')).toHaveLength(2);
    expect(JSON.parse(await readFile(join(out, 'eval.json'), 'utf8')).views).toBe(4);
  });
});
