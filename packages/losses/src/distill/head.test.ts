import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DinoHead } from './head';
import { LossError } from '../errors';
import { dot64, erf64, expectNoLeak, expectRelClose, finiteDifference, fixturesDir, loadNpz, pseudoRandom, take, toTensor, useTestBackend, values } from '../test-utils';
import type { TensorData } from '@tips/runtime';

beforeAll(useTestBackend);

type Torch = Record<string, { shape: number[]; data: Float64Array }>;

/** float64 DINOv2 DINOHead forward from PyTorch-layout weights (nlayers Linear + GELU, normalise, weight-norm). */
function head64(w: Torch, x: Float64Array, rows: number, nlayers: number): Float64Array {
  let h = Array.from({ length: rows }, (_, r) => x.slice(r * (x.length / rows), (r + 1) * (x.length / rows)));
  for (let i = 0; i < nlayers; i++) {
    const W = w[`mlp.${2 * i}.weight`]!;
    const b = w[`mlp.${2 * i}.bias`]!;
    const [out, inp] = W.shape as [number, number];
    h = h.map((v) => {
      const y = new Float64Array(out);
      for (let o = 0; o < out; o++) {
        y[o] = dot64(v, W.data.subarray(o * inp, (o + 1) * inp)) + b.data[o]!;
        if (i < nlayers - 1) y[o] = 0.5 * y[o]! * (1 + erf64(y[o]! / Math.SQRT2));
      }
      return y;
    });
  }
  const V = w['last_layer.weight_v']!;
  const g = w['last_layer.weight_g']!;
  const [K, bott] = V.shape as [number, number];
  const out = new Float64Array(rows * K);
  h.forEach((v, r) => {
    const n = Math.max(Math.sqrt(dot64(v, v)), 1e-12);
    for (let k = 0; k < K; k++) {
      const vk = V.data.subarray(k * bott, (k + 1) * bott);
      out[r * K + k] = (g.data[k]! * dot64(v, vk)) / n / Math.sqrt(dot64(vk, vk));
    }
  });
  return out;
}

const DINOV2_NAMES = ['mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias', 'mlp.4.weight', 'mlp.4.bias', 'last_layer.weight_g', 'last_layer.weight_v'];

describe('DinoHead against DINOv2 DINOHead (fixtures/losses/dino_head_dev.npz)', () => {
  let fx: Record<string, TensorData>;
  beforeAll(async () => {
    fx = await loadNpz(join(fixturesDir(), 'losses', 'dino_head_dev.npz'));
  });

  it('loads the PyTorch-layout weights, names them as DINOv2 does, and reproduces y to 1e-4', () => {
    const head = DinoHead.fromTorch(fx, { prefix: 'w.' });
    expect([...head.params.keys()]).toEqual(DINOV2_NAMES);
    expect([head.inDim, head.hiddenDim, head.bottleneckDim, head.outDim, head.nlayers]).toEqual([16, 32, 8, 20, 3]);
    // stored [in, out] in memory
    expect(head.params.get('mlp.0.weight')!.shape).toEqual([16, 32]);
    expect(head.params.get('last_layer.weight_v')!.shape).toEqual([8, 20]);
    expect(head.params.get('last_layer.weight_g')!.shape).toEqual([1, 20]);
    const x = toTensor(fx.x!);
    expectNoLeak(() => expectRelClose(take(head.apply(x)), values(fx.y!), 1e-4));
    // and back to PyTorch layout, bit for bit
    const back = head.toTorch();
    for (const n of DINOV2_NAMES) {
      expect(back[n]!.shape).toEqual(fx[`w.${n}`]!.shape);
      expect(Array.from(back[n]!.data)).toEqual(Array.from(values(fx[`w.${n}`]!)));
    }
    x.dispose();
    head.dispose();
  });

  it('works on patch tokens [B, N, D] as on [B, D]', () => {
    const head = DinoHead.fromTorch(fx, { prefix: 'w.' });
    const x = toTensor(fx.x!);
    const x3 = tf.reshape(tf.concat([x, x]), [2, 5, 16]);
    const y3 = take(head.apply(x3));
    expectRelClose(y3.slice(0, 100), values(fx.y!), 1e-4);
    expectRelClose(y3.slice(100), values(fx.y!), 1e-4);
    tf.dispose([x, x3]);
    head.dispose();
  });

  it('reports missing, unexpected and wrongly shaped arrays by name', () => {
    const head = new DinoHead({ inDim: 16, outDim: 20, hiddenDim: 32, bottleneckDim: 8, seed: 1 });
    const arrays: Record<string, TensorData> = { ...fx };
    delete arrays['w.mlp.2.bias'];
    arrays['w.extra'] = fx['w.mlp.0.bias']!;
    arrays['w.mlp.4.weight'] = fx['w.mlp.0.weight']!;
    try {
      head.loadTorch(arrays, { prefix: 'w.' });
      throw new Error('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(LossError);
      expect((e as LossError).code).toBe('checkpoint');
      expect((e as Error).message).toMatch(/missing: w\.mlp\.2\.bias/);
      expect((e as Error).message).toMatch(/unexpected: w\.extra/);
      expect((e as Error).message).toMatch(/w\.mlp\.4\.weight is \[32, 16\], expected \[8, 32\]/);
    }
    const half = { ...fx, 'w.mlp.0.bias': { ...fx['w.mlp.0.bias']!, dtype: 'float16' as const } };
    expect(() => head.loadTorch(half, { prefix: 'w.' })).toThrow(/float16; convert it to float32/);
    head.dispose();
  });
});

describe('DinoHead gradients against finite differences of a float64 reference', () => {
  const [inDim, hidden, bott, K, rows] = [5, 7, 4, 6, 3];
  const torch: Torch = {};
  let seed = 100;
  const add = (name: string, shape: number[], scale: number) => {
    torch[name] = { shape, data: pseudoRandom(shape.reduce((a, b) => a * b, 1), seed++, scale) };
  };
  add('mlp.0.weight', [hidden, inDim], 0.6);
  add('mlp.0.bias', [hidden], 0.2);
  add('mlp.2.weight', [hidden, hidden], 0.5);
  add('mlp.2.bias', [hidden], 0.2);
  add('mlp.4.weight', [bott, hidden], 0.5);
  add('mlp.4.bias', [bott], 0.2);
  add('last_layer.weight_v', [K, bott], 1);
  torch['last_layer.weight_g'] = { shape: [K, 1], data: Float64Array.from({ length: K }, (_, k) => 0.5 + 0.25 * k) };
  const x = pseudoRandom(rows * inDim, 7, 1.5);
  const R = pseudoRandom(rows * K, 8, 1); // loss = Σ y·R
  const loss64 = (w: Torch, xs: Float64Array) => dot64(head64(w, xs, rows, 3), R);
  const asF32 = Object.fromEntries(Object.entries(torch).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));

  it('w.r.t. the input and every parameter (converted back to PyTorch layout)', () => {
    const head = DinoHead.fromTorch(asF32);
    const X = tf.tensor2d(Float32Array.from(x), [rows, inDim]);
    const Rt = tf.tensor2d(Float32Array.from(R), [rows, K]);
    expectRelClose(take(tf.sum(tf.mul(head.apply(X), Rt))), loss64(torch, x), 1e-5);
    expectNoLeak(() => {
      const gx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(head.apply(v), Rt)))(X);
      expectRelClose(take(gx), finiteDifference((v) => loss64(torch, v), x), 1e-3);
    });
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(head.apply(X), Rt)) as tf.Scalar, head.trainableVariables());
    value.dispose();
    for (const name of DINOV2_NAMES) {
      const v = head.params.get(name)!;
      const g = grads[v.name]!;
      const gTorch = take(g.rank === 2 ? tf.transpose(g) : g.clone());
      const fd = finiteDifference((p) => loss64({ ...torch, [name]: { shape: torch[name]!.shape, data: p } }, x), torch[name]!.data);
      expectRelClose(gTorch, fd, 1e-3);
    }
    tf.dispose(grads);
    tf.dispose([X, Rt]);
    head.dispose();
  });
});

describe('DinoHead construction', () => {
  it('initialises as DINOv2: N(0, 0.02) Linear weights, zero biases, g = 1, v ~ U(±1/√bottleneck); seeded', () => {
    const a = new DinoHead({ inDim: 64, outDim: 100, hiddenDim: 128, bottleneckDim: 32, seed: 3 });
    const b = new DinoHead({ inDim: 64, outDim: 100, hiddenDim: 128, bottleneckDim: 32, seed: 3 });
    const w = Array.from(a.params.get('mlp.2.weight')!.dataSync() as Float32Array);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    expect(a.params.get('mlp.0.bias')!.dataSync().every((v) => v === 0)).toBe(true);
    expect(a.params.get('last_layer.weight_g')!.dataSync().every((v) => v === 1)).toBe(true);
    const v = Array.from(a.params.get('last_layer.weight_v')!.dataSync() as Float32Array);
    expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32));
    expect(Array.from(b.params.get('mlp.2.weight')!.dataSync())).toEqual(Array.from(w));
    a.dispose();
    b.dispose();
  });

  it('needs a seed or a random source; nlayers 1 uses the name mlp.weight; freezeWeightG and trainable', () => {
    expect(() => new DinoHead({ inDim: 4, outDim: 4 })).toThrow(/seed/);
    const one = new DinoHead({ inDim: 4, outDim: 6, bottleneckDim: 3, nlayers: 1, random: Math.random, freezeWeightG: true });
    expect([...one.params.keys()]).toEqual(['mlp.weight', 'mlp.bias', 'last_layer.weight_g', 'last_layer.weight_v']);
    expect(one.trainableVariables().map((v) => v.name.split('/')[1])).toEqual(['mlp.weight', 'mlp.bias', 'last_layer.weight_v']);
    const y = one.apply(tf.ones([2, 4]));
    expect(y.shape).toEqual([2, 6]);
    y.dispose();
    const teacher = DinoHead.fromTorch(one.toTorch(), { trainable: false });
    expect(teacher.trainableVariables()).toEqual([]);
    expect(teacher.nlayers).toBe(1);
    one.dispose();
    teacher.dispose();
  });
});
