import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@tips/runtime';
import { VisionTransformer } from './model';
import { VIT_PRESETS, type VitConfig } from './config';
import { VitInputError } from './errors';
import { interpolatePosEmbed, gridResizeMatrix } from './pos-embed';

const CFG: VitConfig = { ...VIT_PRESETS.S, embedDim: 24, depth: 3, heads: 2, mlpHidden: 48, posGrid: 4 };

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

function images(B: number, H: number, W: number, seed = 1): tf.Tensor4D {
  const r = new Rng(seed);
  return tf.tensor4d(r.fill(new Float32Array(B * H * W * 3), (x) => x.uniform()), [B, H, W, 3]);
}

describe('VisionTransformer', () => {
  let model: VisionTransformer;
  beforeAll(() => {
    model = VisionTransformer.init(CFG, { seed: 3, layerScaleInit: 0.5 });
  });
  afterAll(() => model.dispose());

  it('rejects sizes that are not multiples of the patch, NCHW input and wrong mask shapes', () => {
    expect(() => model.forward(images(1, 50, 56))).toThrow(VitInputError);
    expect(() => model.forward(images(1, 50, 56))).toThrow(/not a multiple of the patch size 14/);
    const nchw = tf.zeros([1, 3, 28, 28]) as tf.Tensor4D;
    expect(() => model.forward(nchw)).toThrow(/NHWC/);
    const img = images(2, 28, 28);
    expect(() => model.forward(img, { masks: tf.zeros([2, 5]) as tf.Tensor2D })).toThrow(/masks must be \[2, 4\]/);
    tf.dispose([nchw, img]);
  });

  it('with every patch masked, the output no longer depends on the image', () => {
    const a = images(1, 28, 42, 1);
    const b = images(1, 28, 42, 2);
    const masks = tf.ones([1, 6], 'bool') as tf.Tensor2D;
    const oa = model.forward(a, { masks });
    const ob = model.forward(b, { masks });
    const free = model.forward(a);
    expect(tf.max(tf.abs(tf.sub(oa.patches, ob.patches))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(oa.patches, free.patches))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([a, b, masks, oa.cls1, oa.cls2, oa.patches, ob.cls1, ob.cls2, ob.patches, free.cls1, free.cls2, free.patches]);
  });

  it('returns intermediate layers; the last one normed equals the final output', () => {
    const x = images(2, 28, 28);
    const out = model.forward(x, { layers: [0, -1] });
    expect(out.layers!.map((l) => l.block)).toEqual([0, 2]);
    expect(out.layers![0]!.patches.shape).toEqual([2, 4, 24]);
    const diff = tf.max(tf.abs(tf.sub(out.layers![1]!.patches, out.patches))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-6);
    const raw = model.forward(x, { layers: [2], normLayers: false });
    expect(tf.max(tf.abs(tf.sub(raw.layers![0]!.patches, out.patches))).dataSync()[0]).toBeGreaterThan(1e-3);
    tf.dispose([x, out.cls1, out.cls2, out.patches, raw.cls1, raw.cls2, raw.patches]);
    for (const l of [...out.layers!, ...raw.layers!]) tf.dispose([l.cls1, l.cls2, l.patches]);
  });

  it('applies stochastic depth only in training, reproducibly from the seed', () => {
    const x = images(4, 28, 28);
    const evalOut = model.forward(x);
    const t1 = model.forward(x, { training: true, dropPathRate: 0.9, rng: new Rng(5) });
    const t2 = model.forward(x, { training: true, dropPathRate: 0.9, rng: new Rng(5) });
    const t0 = model.forward(x, { training: true, dropPathRate: 0, rng: new Rng(5) });
    expect(tf.max(tf.abs(tf.sub(t1.cls1, t2.cls1))).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(tf.sub(t1.cls1, evalOut.cls1))).dataSync()[0]).toBeGreaterThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(t0.cls1, evalOut.cls1))).dataSync()[0]).toBeLessThan(1e-6);
    expect(() => model.forward(x, { training: true, dropPathRate: 0.1 })).toThrow(/needs options.rng/);
    for (const o of [evalOut, t1, t2, t0]) tf.dispose([o.cls1, o.cls2, o.patches]);
    x.dispose();
  });

  it('trains: gradients reach every parameter, a step lowers a loss, no tensor leaks', () => {
    const x = images(2, 42, 28);
    const masks = tf.tensor2d([[1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 0]], [2, 6], 'bool');
    const vars = [...model.params.variables().values()];
    const loss = () =>
      tf.tidy(() => {
        const o = model.forward(x, { masks, training: true, dropPathRate: 0.1, rng: new Rng(1) });
        return tf.add(tf.sum(tf.square(tf.sub(o.cls1, 0.3))), tf.mean(tf.square(o.patches))) as tf.Scalar;
      });
    tf.dispose(loss()); // caches this size's position-embedding resize matrix (one tensor)
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(loss, vars);
    for (const [name, g] of Object.entries(grads)) {
      expect({ name, finite: tf.tidy(() => tf.all(tf.isFinite(g)).dataSync()[0]) }).toEqual({ name, finite: 1 });
    }
    // Every parameter (the mask token included: some patches are masked) gets a non-zero gradient.
    const zero = Object.entries(grads).filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) === 0).map(([n]) => n);
    expect(zero).toEqual([]);
    const l0 = value.dataSync()[0]!;
    for (const v of vars) tf.tidy(() => v.assign(tf.sub(v, tf.mul(grads[v.name]!, 1e-2))));
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const l1 = tf.tidy(() => loss().dataSync()[0]!);
    expect(l1).toBeLessThan(l0);
    tf.dispose([x, masks]);
  });
});

describe('position embeddings', () => {
  it('are used as stored for the native square grid and resized otherwise', () => {
    const pos = tf.randomNormal([1, 17, 5]);
    const same = interpolatePosEmbed(pos, 4, 4);
    expect(tf.max(tf.abs(tf.sub(same, pos))).dataSync()[0]).toBe(0);
    const down = interpolatePosEmbed(pos, 2, 3);
    expect(down.shape).toEqual([1, 7, 5]);
    // CLS slot untouched; patch slots = resize matrix × grid.
    const m = tf.tensor2d(gridResizeMatrix(4, 2, 3), [6, 16]);
    const ref = tf.matMul(m, tf.reshape(tf.slice(pos, [0, 1, 0], [1, 16, 5]), [16, 5]));
    expect(tf.max(tf.abs(tf.sub(tf.reshape(tf.slice(down, [0, 1, 0], [1, 6, 5]), [6, 5]), ref))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([pos, same, down, m, ref]);
  });
  it('up-sampling a grid matches tfjs resizeBilinear with half-pixel centres', () => {
    const grid = tf.randomNormal([1, 4, 4, 3]) as tf.Tensor4D;
    const pos = tf.concat([tf.zeros([1, 1, 3]), tf.reshape(grid, [1, 16, 3])], 1);
    const ours = tf.reshape(tf.slice(interpolatePosEmbed(pos, 7, 10), [0, 1, 0], [1, 70, 3]), [1, 7, 10, 3]);
    const ref = tf.image.resizeBilinear(grid, [7, 10], false, true);
    expect(tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([grid, pos, ours, ref]);
  });
});

describe('initialisation', () => {
  it('pixelMean shifts the patch-embedding bias by −mean·ΣW (a mid-grey patch embeds to the original bias)', () => {
    const cfg: VitConfig = { ...VIT_PRESETS.S, embedDim: 8, depth: 1, heads: 2, mlpHidden: 16, posGrid: 2 };
    const plain = VisionTransformer.init(cfg, { seed: 4 });
    const centred = VisionTransformer.init(cfg, { seed: 4, pixelMean: 0.5 });
    const grey = tf.fill([1, 14 * 14 * 3], 0.5);
    const embed = (m: VisionTransformer) => tf.tidy(() => tf.add(tf.matMul(grey, m.params.get('patch_embed.proj.weight') as tf.Tensor2D), m.params.get('patch_embed.proj.bias')).dataSync());
    const b0 = plain.params.get('patch_embed.proj.bias').dataSync();
    embed(centred).forEach((v, i) => expect(v).toBeCloseTo(b0[i]!, 5));
    expect(Array.from(centred.params.get('patch_embed.proj.weight').dataSync())).toEqual(Array.from(plain.params.get('patch_embed.proj.weight').dataSync()));
    tf.dispose(grey);
    plain.dispose();
    centred.dispose();
  });
});
