import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@tips/runtime';
import { bilinearMatrix, resizeMapsBilinear, upsampleBilinear } from './bilinear';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

function randomArray(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return new Float32Array(n).map(() => r.normal());
}

describe('bilinear resize (align_corners=False)', () => {
  it('matches hand-computed weights', () => {
    // 2 → 4: source coordinates 0 (clamped from −0.25), 0.25, 0.75, 1.25 → clamped to the last pixel.
    expect(Array.from(bilinearMatrix(2, 4))).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1]);
    // 4 → 2 (no antialias): source 0.5 and 2.5.
    expect(Array.from(bilinearMatrix(4, 2))).toEqual([0.5, 0.5, 0, 0, 0, 0, 0.5, 0.5]);
  });

  it('agrees with tf.image.resizeBilinear(halfPixelCenters) in JS and tensor form', () => {
    const x = randomArray(3 * 4 * 5 * 2, 1);
    const xt = tf.tensor4d(x, [3, 4, 5, 2]);
    const ref = tf.image.resizeBilinear(xt, [9, 13], false, true);
    const ours = upsampleBilinear(xt, [9, 13]);
    expect(ours.shape).toEqual([3, 9, 13, 2]);
    const r = ref.dataSync();
    const o = ours.dataSync();
    let err = 0;
    for (let i = 0; i < r.length; i++) err = Math.max(err, Math.abs(r[i]! - o[i]!));
    expect(err).toBeLessThan(1e-5);
    const js = resizeMapsBilinear(x.subarray(0, 40), 4, 5, 2, 9, 13);
    let errJs = 0;
    for (let i = 0; i < js.length; i++) errJs = Math.max(errJs, Math.abs(js[i]! - r[i]!));
    expect(errJs).toBeLessThan(1e-5);
    tf.dispose([xt, ref, ours]);
  });

  it('has the gradient of a linear map (finite differences) and frees its tensors', () => {
    const x = tf.tensor4d(randomArray(2 * 3 * 3 * 2, 2), [2, 3, 3, 2]);
    const wts = tf.tensor4d(randomArray(2 * 7 * 5 * 2, 3), [2, 7, 5, 2]);
    const f = (v: tf.Tensor) => tf.sum(tf.mul(upsampleBilinear(v as tf.Tensor4D, [7, 5]), wts)) as tf.Scalar;
    const before = tf.memory().numTensors;
    const g = tf.grad(f)(x);
    const gv = g.dataSync();
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const base = x.dataSync();
    for (const i of [0, 5, 17]) {
      const e = 1e-2;
      const plus = base.slice();
      plus[i]! += e;
      const minus = base.slice();
      minus[i]! -= e;
      const fp = tf.tidy(() => f(tf.tensor4d(plus, x.shape)).dataSync()[0]!);
      const fm = tf.tidy(() => f(tf.tensor4d(minus, x.shape)).dataSync()[0]!);
      expect(gv[i]).toBeCloseTo((fp - fm) / (2 * e), 2);
    }
    tf.dispose([x, wts]);
  });
});
