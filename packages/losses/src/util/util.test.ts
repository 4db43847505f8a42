import * as tf from '@tensorflow/tfjs-core';
import { expFloored, logSumExpLast, sumAll, sumLast } from './reduce';
import { diagonal, l2Normalize, matMulFast, stopGradient } from './ops';
import { seededRandom } from './random';
import { expectNoLeak, expectRelClose, finiteDifference, logSumExp64, pseudoRandom, take, useTestBackend } from '../test-utils';

beforeAll(useTestBackend);

describe('blocked reductions', () => {
  it('sum 16.7M float32 terms to float32 accuracy (a plain sequential float32 sum is off by ~1e-3)', () => {
    const n = 1 << 24;
    const x = new Float32Array(n);
    let ref = 0;
    for (let i = 0; i < n; i++) {
      x[i] = 1 + ((i * 2654435761) % 1000) / 1e4; // values in [1, 1.1)
      ref += x[i]!;
    }
    const t = tf.tensor1d(x);
    expectRelClose(take(sumAll(t)), ref, 1e-6);
    t.dispose();
  });

  it('sumLast over rows of uneven length (padding) matches float64', () => {
    const [r, c] = [3, 1000];
    const x = pseudoRandom(r * c, 4);
    const t = tf.tensor2d(Float32Array.from(x), [r, c]);
    const want = [0, 1, 2].map((i) => x.subarray(i * c, (i + 1) * c).reduce((a, b) => a + b, 0));
    expectRelClose(take(sumLast(t)), want, 1e-5);
    expect(sumLast(t, true).shape).toEqual([3, 1]);
    t.dispose();
  });

  it('logSumExpLast over 4096 logits spread over ±100 matches float64, and its gradient is the softmax', () => {
    const [r, c] = [8, 4096];
    const x = pseudoRandom(r * c, 5, 100);
    const t = tf.tensor2d(Float32Array.from(x), [r, c]);
    const want = Array.from({ length: r }, (_, i) => logSumExp64(x.subarray(i * c, (i + 1) * c)));
    expectNoLeak(() => expectRelClose(take(logSumExpLast(t)), want, 1e-6));
    const small = tf.tensor2d([[1, 2, 3], [-50, 0, 50]]);
    const g = take(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(logSumExpLast(v), tf.tensor1d([1, 2]))))(small));
    const sm = take(tf.softmax(small));
    expectRelClose(g, [...sm.slice(0, 3), ...Array.from(sm.slice(3), (v) => 2 * v)], 1e-6);
    tf.dispose([t, small]);
  });

  it('expFloored is exp above −40 and e^−40 (a normal float32, no subnormals) below', () => {
    const d = tf.tensor1d([0, -1, -39, -41, -200]);
    expectRelClose(take(expFloored(d)), [1, Math.exp(-1), Math.exp(-39), Math.exp(-40), Math.exp(-40)], 1e-5);
    d.dispose();
  });
});

describe('ops', () => {
  it('matMulFast = matMul, and its gradients match finite differences (wasm: explicit transposes)', () => {
    const [m, k, n] = [3, 4, 5];
    const a = pseudoRandom(m * k, 1);
    const b = pseudoRandom(k * n, 2);
    const w = pseudoRandom(m * n, 3);
    const f64 = (A: Float64Array, Bm: Float64Array) => {
      let s = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) s += A[i * k + q]! * Bm[q * n + j]! * w[i * n + j]!;
      return s;
    };
    const A = tf.tensor2d(Float32Array.from(a), [m, k]);
    const Bt = tf.tensor2d(Float32Array.from(b), [k, n]);
    const W = tf.tensor2d(Float32Array.from(w), [m, n]);
    expectRelClose(take(matMulFast(A, Bt)), take(tf.matMul(A, Bt)), 1e-6);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMulFast(x as tf.Tensor2D, y as tf.Tensor2D), W)))([A, Bt]);
    expectRelClose(take(ga!), finiteDifference((v) => f64(v, b), a), 1e-4);
    expectRelClose(take(gb!), finiteDifference((v) => f64(a, v), b), 1e-4);
    tf.dispose([A, Bt, W]);
  });

  it('diagonal, l2Normalize (zero rows stay finite) and stopGradient', () => {
    const m = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(Array.from(take(diagonal(m)))).toEqual([1, 5, 9]);
    const x = tf.tensor2d([[3, 4], [0, 0]]);
    expectRelClose(take(l2Normalize(x)), [0.6, 0.8, 0, 0], 1e-7);
    expect(take(tf.grad((v: tf.Tensor) => tf.sum(l2Normalize(v)))(x)).every(Number.isFinite)).toBe(true);
    expect(Array.from(take(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), v)))(x)))).toEqual([3, 4, 0, 0]);
    tf.dispose([m, x]);
  });

  it('seededRandom repeats per seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(xs.reduce((s, v) => s + v, 0) / 1000 - 0.5)).toBeLessThan(0.05);
  });
});
