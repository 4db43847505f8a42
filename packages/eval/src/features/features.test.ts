import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@tips/runtime';
import { VisionTransformer, type VitConfig } from '@tips/vit-core';
import { extractFeatures } from './extract';
import { lastBlockPatches } from './last-block';
import { featureBatch, disposeFeatures } from './feature-set';
import { featureSource } from './feature-source';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

const tiny: VitConfig = { embedDim: 16, depth: 2, heads: 2, mlpHidden: 32, ffn: 'mlp', patchSize: 14, posGrid: 2, registers: 1, eps: 1e-6, layerScale: true, qkvBias: true };

function pixels(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return new Float32Array(n * 28 * 28 * 3).map(() => r.uniform());
}

describe('feature extraction', () => {
  let model: VisionTransformer;
  beforeAll(() => {
    model = VisionTransformer.init(tiny, { seed: 3, layerScaleInit: 1 });
  });
  afterAll(() => model.dispose());

  it('caches what the tower returns, batch by batch, and leaves no tensor behind', async () => {
    const all = pixels(5, 1);
    const before = tf.memory().numTensors;
    const set = await extractFeatures(model, { count: 5, size: [28, 28], load: async (idx) => all.slice(idx[0]! * 28 * 28 * 3, (idx[idx.length - 1]! + 1) * 28 * 28 * 3) }, { batchSize: 2, valuePatches: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(set.grid).toEqual([2, 2]);
    const input = tf.tensor4d(all, [5, 28, 28, 3]);
    const ref = model.forward(input);
    input.dispose();
    const err = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
    expect(err(set.cls1, ref.cls1.dataSync())).toBeLessThan(1e-5);
    expect(err(set.cls2, ref.cls2.dataSync())).toBeLessThan(1e-5);
    expect(err(set.patches, ref.patches.dataSync())).toBeLessThan(1e-5);
    expect(set.valuePatches!.length).toBe(set.patches.length);
    tf.dispose([ref.cls1, ref.cls2, ref.patches]);
  });

  it("the last-block re-run reproduces the tower's patches with attention; 'values' changes only the token mixing", () => {
    tf.tidy(() => {
      const x = tf.tensor4d(pixels(2, 2), [2, 28, 28, 3]);
      const out = model.forward(x, { layers: [0], normLayers: false });
      const l = out.layers![0]!;
      const tokens = tf.concat([tf.expandDims(l.cls1, 1), tf.expandDims(l.cls2, 1), l.patches], 1) as tf.Tensor3D;
      const again = lastBlockPatches(model, tokens, 4, 'attention');
      expect(tf.max(tf.abs(tf.sub(again, out.patches))).dataSync()[0]).toBeLessThan(1e-5);
      // Values mode: each patch's output depends on itself only, so patch rows alone give the same answer.
      const v1 = lastBlockPatches(model, tokens, 4, 'values');
      const v2 = lastBlockPatches(model, l.patches, 4, 'values');
      expect(tf.max(tf.abs(tf.sub(v1, v2))).dataSync()[0]).toBeLessThan(1e-6);
      expect(tf.max(tf.abs(tf.sub(v1, out.patches))).dataSync()[0]).toBeGreaterThan(1e-3);
    });
  });

  it('probe batches: seeded shuffles per epoch, exact resume from a position, released tensors', async () => {
    const set = { count: 5, dim: 2, grid: [1, 1] as [number, number], cls1: new Float32Array(10).map((_, i) => i), cls2: new Float32Array(10), patches: new Float32Array(10) };
    const src = featureSource(set, { batchSize: 2, seed: 4, target: (idx) => idx, releaseTarget: () => {} });
    const take = async (from: Record<string, number> | null, k: number) => {
      const seen: { idx: number[]; next: Record<string, number> }[] = [];
      for await (const { batch, next } of src.batches(from)) {
        seen.push({ idx: batch.target, next });
        src.release!(batch);
        if (seen.length === k) break;
      }
      return seen;
    };
    const before = tf.memory().numTensors;
    const run = await take(null, 6);
    expect(tf.memory().numTensors).toBe(before);
    // 5 samples, batches of 2 (drop_last): 2 batches per epoch, each epoch a permutation's prefix.
    expect(run.map((r) => r.next.epoch)).toEqual([0, 0, 1, 1, 2, 2]);
    for (const e of [0, 1, 2]) expect(new Set([...run[2 * e]!.idx, ...run[2 * e + 1]!.idx]).size).toBe(4);
    expect(run[0]!.idx).not.toEqual(run[2]!.idx);
    const resumed = await take(run[2]!.next, 3);
    expect(resumed.map((r) => r.idx)).toEqual(run.slice(3, 6).map((r) => r.idx));
    const f = featureBatch(set, [3, 1]);
    expect(Array.from(f.cls1.dataSync())).toEqual([6, 7, 2, 3]);
    disposeFeatures(f);
  });
});
