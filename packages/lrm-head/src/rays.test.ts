import * as tf from '@tensorflow/tfjs-core';
import { intrinsicsFromFov, invertRigid, lookAt, orbitPosition, projectPoint, type PinholeCamera } from '@tips/data';
import { initBackend, Rng } from '@tips/runtime';
import { modelFrame } from './camera-frame';
import { cameraRays, rayBoxInterval, sampleRays } from './rays';
import { composite } from './volume';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol);

describe('ray generation (hand-worked cameras)', () => {
  // 4×4 image, 90° field of view → f = 2, cx = cy = 2; camera at (0, 0, 3) looking at the origin.
  const cam: PinholeCamera = { width: 4, height: 4, K: intrinsicsFromFov(90, 4, 4), c2w: lookAt([0, 0, 3], [0, 0, 0]) };

  it('pixel (0, 0) looks left and up; pixel (3, 3) right and down; all start at the camera centre', () => {
    const rays = cameraRays(cam);
    expect(rays.count).toBe(16);
    // Pixel (0,0) centre (0.5, 0.5): camera ray ((0.5−2)/2, (0.5−2)/2, 1) = (−0.75, −0.75, 1);
    // camera x = world x, camera y = world −y, camera z = world −z → world (−0.75, 0.75, −1)/‖·‖.
    const n = Math.hypot(0.75, 0.75, 1);
    const want0 = [-0.75 / n, 0.75 / n, -1 / n];
    for (let k = 0; k < 3; k++) close(rays.directions[k]!, want0[k]!, 1e-6);
    const last = 15 * 3;
    const want15 = [0.75 / n, -0.75 / n, -1 / n];
    for (let k = 0; k < 3; k++) close(rays.directions[last + k]!, want15[k]!, 1e-6);
    for (let i = 0; i < 16; i++) expect(Array.from(rays.origins.slice(i * 3, i * 3 + 3))).toEqual([0, 0, 3]);
    // Selected pixels: index 6 = (x 2, y 1) → camera ((2.5−2)/2, (1.5−2)/2, 1) = (0.25, −0.25, 1) → world (0.25, 0.25, −1).
    const one = cameraRays(cam, [6]);
    const m = Math.hypot(0.25, 0.25, 1);
    [0.25 / m, 0.25 / m, -1 / m].forEach((v, k) => close(one.directions[k]!, v, 1e-6));
    expect(() => cameraRays(cam, [16])).toThrow(/outside the 4×4 image/);
  });

  it('box intervals: straight, oblique, missing, starting inside', () => {
    const o = [0, 0, 3];
    let r = rayBoxInterval(o, [0, 0, -1], 0, 1);
    expect(r).toEqual({ near: 2, far: 4, hit: true });
    // Direction (0.5, 0, −1)/‖·‖ reaches the plane z = 1 exactly at the edge x = 1: it only grazes the box.
    expect(rayBoxInterval(o, [0.5 / Math.sqrt(1.25), 0, -1 / Math.sqrt(1.25)], 0, 1).hit).toBe(false);
    const d2 = [0.2 / Math.hypot(0.2, 1), 0, -1 / Math.hypot(0.2, 1)];
    r = rayBoxInterval(o, d2, 0, 1);
    close(r.near, 2 * Math.hypot(0.2, 1), 1e-9);
    close(r.far, 4 * Math.hypot(0.2, 1), 1e-9); // leaves through z = −1 at x = 0.8
    expect(rayBoxInterval(o, [0, 1, 0], 0, 1).hit).toBe(false);
    expect(rayBoxInterval([0, 0, 0], [1, 0, 0], 0, 1)).toEqual({ near: 0, far: 1, hit: true });
  });

  it('stratified samples: bin centres without rng, one per bin with rng, deltas add up to the chord', () => {
    const rays = { count: 1, origins: new Float32Array([0, 0, 3]), directions: new Float32Array([0, 0, -1]) };
    const det = sampleRays(rays, 4, 1, null);
    expect(Array.from(det.t)).toEqual([2.25, 2.75, 3.25, 3.75]);
    expect(Array.from(det.deltas)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(det.points.slice(0, 3))).toEqual([0, 0, 0.75]);
    const jit = sampleRays(rays, 4, 1, new Rng(1));
    for (let i = 0; i < 4; i++) {
      expect(jit.t[i]!).toBeGreaterThanOrEqual(2 + 0.5 * i);
      expect(jit.t[i]!).toBeLessThan(2 + 0.5 * (i + 1));
    }
    const miss = sampleRays({ count: 1, origins: new Float32Array([0, 5, 3]), directions: new Float32Array([0, 0, -1]) }, 3, 1, null);
    expect(Array.from(miss.deltas)).toEqual([0, 0, 0]);
  });
});

describe('volume rendering of a uniform-density sphere (closed form)', () => {
  it('transmittance exp(−σ·chord) and colour (1 − T)·c + T·bg, through the centre and off-centre', () => {
    const a = 0.6;
    const sigma0 = 2.5;
    const S = 1000;
    const impacts = [0, 0.3, 0.55, 0.7];
    const rays = { count: impacts.length, origins: new Float32Array(impacts.flatMap((b) => [b, 0, 3])), directions: new Float32Array(impacts.flatMap(() => [0, 0, -1])) };
    const samples = sampleRays(rays, S, 1, null);
    const N = rays.count;
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const sig = new Float32Array(N * S);
      for (let i = 0; i < N * S; i++) {
        const p = samples.points.subarray(i * 3, i * 3 + 3);
        sig[i] = Math.hypot(p[0]!, p[1]!, p[2]!) <= a ? sigma0 : 0;
      }
      const rgb = tf.tile(tf.tensor3d([0.2, 0.4, 0.9], [1, 1, 3]), [N, S, 1]) as tf.Tensor3D;
      const r = composite(tf.tensor2d(sig, [N, S]), rgb, tf.tensor2d(samples.deltas, [N, S]), tf.tensor1d([1, 1, 1]));
      return { rgb: r.rgb.arraySync(), opacity: Array.from(r.opacity.dataSync()) };
    });
    expect(tf.memory().numTensors).toBe(before);
    const bin = 2 / S;
    impacts.forEach((b, i) => {
      const chord = b < a ? 2 * Math.sqrt(a * a - b * b) : 0;
      const T = Math.exp(-sigma0 * chord);
      const depth = -Math.log(1 - out.opacity[i]!);
      // Midpoint quadrature of an indicator: the chord is resolved to within one bin at each end.
      close(depth, sigma0 * chord, sigma0 * 2 * bin + 1e-5);
      const c = [0.2, 0.4, 0.9];
      for (let k = 0; k < 3; k++) close(out.rgb[i]![k]!, (1 - T) * c[k]! + T, 0.01);
    });
  });
});

describe('model camera frame', () => {
  const K = intrinsicsFromFov(45, 16, 16);
  const src: PinholeCamera = { width: 16, height: 16, K, c2w: lookAt(orbitPosition(2.7, 1.1, 0.4), [0, 0, 0]) };
  const tgt: PinholeCamera = { width: 16, height: 16, K, c2w: lookAt(orbitPosition(2.5, -0.7, -0.1), [0, 0, 0]) };
  const mul = (a: number[], b: number[]) => Array.from({ length: 16 }, (_, k) => [0, 1, 2, 3].reduce((s, j) => s + a[Math.floor(k / 4) * 4 + j]! * b[j * 4 + (k % 4)]!, 0));

  it("'source' puts the input camera at the canonical pose, keeps relative poses and distances to the origin", () => {
    const toModel = modelFrame('source', src);
    const s = toModel(src).c2w;
    // Canonical: looking along −z from (0, 0, 2.7), image y = world −y.
    [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 2.7].forEach((v, i) => close(s[i]!, v, 1e-9));
    const t = toModel(tgt).c2w;
    close(Math.hypot(t[3]!, t[7]!, t[11]!), 2.5, 1e-9);
    // Relative pose source⁻¹·target is unchanged, so a world point seen by both is seen the same way.
    const before = mul(invertRigid(src.c2w), tgt.c2w);
    const after = mul(invertRigid(s), t);
    before.forEach((v, i) => close(after[i]!, v, 1e-9));
    const p = projectPoint(tgt, [0.2, -0.1, 0.3]);
    const M = mul(t, invertRigid(tgt.c2w)); // the rotation applied to the world
    const q: [number, number, number] = [0, 1, 2].map((r) => M[r * 4]! * 0.2 + M[r * 4 + 1]! * -0.1 + M[r * 4 + 2]! * 0.3 + M[r * 4 + 3]!) as [number, number, number];
    const p2 = projectPoint(toModel(tgt), q);
    close(p2.u, p.u, 1e-9);
    close(p2.v, p.v, 1e-9);
    close(M[3]!, 0, 1e-12); // a rotation about the origin: no translation
  });

  it("'world' is the identity", () => {
    expect(modelFrame('world', src)(tgt)).toBe(tgt);
  });
});
