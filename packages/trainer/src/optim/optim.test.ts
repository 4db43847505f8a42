import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tips/runtime';
import { AdamW, decays } from './adamw';
import { clipGradNorm } from './clip-grad';
import { cosine, linearWarmup, warmupCosine } from './schedules';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('AdamW', () => {
  it('first step: p·(1 − lr·wd) − lr·sign(g) (bias-corrected moments make m̂/√v̂ = sign g)', () => {
    const w = tf.variable(tf.tensor2d([[1, 2]]));
    const b = tf.variable(tf.tensor1d([3]));
    const opt = new AdamW({ eps: 0 });
    opt.step(new Map<string, tf.Variable>([['w', w], ['b', b]]), new Map<string, tf.Tensor>([['w', tf.tensor2d([[0.5, -1]])], ['b', tf.tensor1d([2])]]), 0.1, 0.01);
    const wv = Array.from(w.dataSync());
    expect(wv[0]).toBeCloseTo(1 * (1 - 0.001) - 0.1, 6);
    expect(wv[1]).toBeCloseTo(2 * (1 - 0.001) + 0.1, 6);
    // 1-D parameters (biases, norms) get no weight decay
    expect(b.dataSync()[0]).toBeCloseTo(3 - 0.1, 6);
    opt.dispose();
  });
  it('second step matches the recurrence computed by hand', () => {
    const p = tf.variable(tf.tensor2d([[1]]));
    const opt = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const params = new Map([['p', p]]);
    opt.step(params, new Map<string, tf.Tensor>([['p', tf.tensor2d([[1]])]]), 0.01, 0);
    opt.step(params, new Map<string, tf.Tensor>([['p', tf.tensor2d([[3]])]]), 0.01, 0);
    const m = 0.9 * 0.1 + 0.1 * 3;
    const v = 0.999 * 0.001 + 0.001 * 9;
    const expected = 1 - 0.01 - (0.01 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    expect(p.dataSync()[0]).toBeCloseTo(expected, 6);
    opt.dispose();
  });
  it('decays matrices but not tokens, biases or norms', () => {
    expect(decays('blocks.0.attn.qkv.weight', [4, 12])).toBe(true);
    expect(decays('blocks.0.attn.qkv.bias', [12])).toBe(false);
    expect(decays('pos_embed', [1, 17, 4])).toBe(false);
    expect(decays('cls_token', [1, 1, 4])).toBe(false);
  });
});

describe('clipGradNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) when the global norm is larger', () => {
    const g = new Map<string, tf.Tensor>([['a', tf.tensor1d([3])], ['b', tf.tensor1d([4])]]);
    const { norm, grads } = clipGradNorm(g, 1);
    expect(norm).toBeCloseTo(5, 5);
    expect(grads.get('a')!.dataSync()[0]).toBeCloseTo(3 / 5, 5);
    expect(grads.get('b')!.dataSync()[0]).toBeCloseTo(4 / 5, 5);
    const small = new Map<string, tf.Tensor>([['a', tf.tensor1d([0.1])]]);
    expect(clipGradNorm(small, 1).grads.get('a')).toBe(small.get('a'));
  });
});

describe('schedules', () => {
  it('warm-up then cosine', () => {
    const o = { peak: 1, end: 0, warmup: 10, total: 110 };
    expect(warmupCosine(0, o)).toBe(0);
    expect(warmupCosine(5, o)).toBeCloseTo(0.5);
    expect(warmupCosine(10, o)).toBeCloseTo(1);
    expect(warmupCosine(60, o)).toBeCloseTo(0.5);
    expect(warmupCosine(110, o)).toBeCloseTo(0);
    expect(cosine(0, { start: 0.996, end: 1, total: 100 })).toBeCloseTo(0.996);
    expect(cosine(100, { start: 0.996, end: 1, total: 100 })).toBeCloseTo(1);
    expect(linearWarmup(15, { start: 0.04, end: 0.07, steps: 30 })).toBeCloseTo(0.055);
    expect(linearWarmup(40, { start: 0.04, end: 0.07, steps: 30 })).toBe(0.07);
  });
});
