import * as tf from '@tensorflow/tfjs-core';
import { intrinsicsFromFov, lookAt, orbitPosition, type PinholeCamera } from '@tips/data';
import { initBackend, Rng } from '@tips/runtime';
import { cameraFeatures } from './camera-features';
import { planeResolution } from './config';
import { deconvolve, LrmHead } from './head';
import { LrmModel } from './model';
import { cameraRays } from './rays';
import { randomTensor, tinyLrmConfig, tinyTower } from './test-utils';
import { sampleTriplanes, triplaneTaps, TRIPLANE_AXES } from './triplane-sampler';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

/**
 * Independent reference of bilinear triplane sampling: every grid cell weighted by the tent
 * function max(0, 1 − |x − j|)·max(0, 1 − |y − i|) in cell units (cell centres at −b + (j + ½)·2b/R),
 * as one dense matrix product per plane, differentiated by tfjs's own matmul gradient.
 */
function denseReference(planes: tf.Tensor, points: Float32Array, batch: Int32Array, R: number, bound: number): tf.Tensor {
  const [B, , , , C] = planes.shape as number[];
  const P = points.length / 3;
  const outs: tf.Tensor[] = [];
  for (let plane = 0; plane < 3; plane++) {
    const [ca, ra] = TRIPLANE_AXES[plane]!;
    const Wm = new Float32Array(P * B! * R * R);
    for (let p = 0; p < P; p++) {
      const cx = ((points[p * 3 + ca]! + bound) / (2 * bound)) * R - 0.5;
      const cy = ((points[p * 3 + ra]! + bound) / (2 * bound)) * R - 0.5;
      for (let i = 0; i < R; i++)
        for (let j = 0; j < R; j++) {
          const w = Math.max(0, 1 - Math.abs(cx - j)) * Math.max(0, 1 - Math.abs(cy - i));
          Wm[p * B! * R * R + batch[p]! * R * R + i * R + j] = w;
        }
    }
    const table = tf.reshape(tf.slice(planes, [0, plane, 0, 0, 0], [B!, 1, R, R, C!]), [B! * R * R, C!]);
    outs.push(tf.matMul(tf.tensor2d(Wm, [P, B! * R * R]), table as tf.Tensor2D));
  }
  return tf.stack(outs, 1); // [P, 3, C]
}

describe('triplane bilinear sampler', () => {
  it.each(['js', 'ops'] as const)('(%s) matches the dense tent-function reference in value and gradient, zero outside the box', (mode) => {
    const B = 2, R = 5, C = 3, bound = 1.2;
    const planes = tf.variable(randomTensor([B, 3, R, R, C], 1) as tf.Tensor5D);
    const rng = new Rng(4);
    const P = 40;
    const points = rng.fill(new Float32Array(P * 3), (r) => r.range(-1.4, 1.4)); // some outside the box
    const batch = Int32Array.from({ length: P }, (_, p) => p % B);
    const upstream = randomTensor([P, 3, C], 9);
    const before = tf.memory().numTensors;
    const ours = tf.variableGrads(() => tf.sum(tf.mul(sampleTriplanes(planes, triplaneTaps(points, (p) => batch[p]!, R, bound), mode), upstream)) as tf.Scalar, [planes]);
    const ref = tf.variableGrads(() => tf.sum(tf.mul(denseReference(planes, points, batch, R, bound), upstream)) as tf.Scalar, [planes]);
    expect(Math.abs(ours.value.dataSync()[0]! - ref.value.dataSync()[0]!)).toBeLessThan(1e-4);
    const g1 = ours.grads[planes.name]!.dataSync();
    const g2 = ref.grads[planes.name]!.dataSync();
    let maxErr = 0;
    for (let i = 0; i < g1.length; i++) maxErr = Math.max(maxErr, Math.abs(g1[i]! - g2[i]!));
    expect(maxErr).toBeLessThan(1e-5);
    const vals = tf.tidy(() => sampleTriplanes(planes, triplaneTaps(new Float32Array([5, 5, 5, -0.48, 0.48, 0.96]), () => 0, R, bound), mode).arraySync());
    expect(vals[0]!.flat().every((v) => v === 0)).toBe(true);
    // Cell centres at −1.2 + (j + ½)·0.48 = −0.96, −0.48, 0, 0.48, 0.96: (−0.48, 0.48, 0.96) is x → 1, y → 3, z → 4.
    const cell = (plane: number, row: number, col: number) => tf.tidy(() => Array.from(tf.slice(planes, [0, plane, row, col, 0], [1, 1, 1, 1, C]).dataSync()));
    [cell(0, 3, 1), cell(1, 4, 1), cell(2, 3, 4)].forEach((want, plane) => want.forEach((v, k) => expect(vals[1]![plane]![k]!).toBeCloseTo(v, 5)));
    tf.dispose([ours.value, ref.value, ...Object.values(ours.grads), ...Object.values(ref.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([planes, upstream]);
  });
});

describe('deconvolution', () => {
  it('equals tf.conv2dTranspose (kernel = stride = s, PyTorch [in, out, s, s] weight layout)', () => {
    const B = 2, r = 3, s = 2, W = 5, C = 4;
    const x = randomTensor([B, 3 * r * r, W], 2) as tf.Tensor3D;
    const weight = randomTensor([W, C * s * s], 3) as tf.Tensor2D; // = PyTorch [W, C, s, s] flattened
    const bias = randomTensor([C], 4) as tf.Tensor1D;
    const ours = deconvolve(x, weight, bias, B, r, s, C);
    expect(ours.shape).toEqual([B, 3, r * s, r * s, C]);
    // tfjs filter layout [kh, kw, outC, inC]: filter[kh, kw, c, w] = weight[w, c, kh, kw].
    const filter = tf.transpose(tf.reshape(weight, [W, C, s, s]), [2, 3, 1, 0]) as tf.Tensor4D;
    for (let b = 0; b < B; b++)
      for (let plane = 0; plane < 3; plane++) {
        const img = tf.reshape(tf.slice(x, [b, plane * r * r, 0], [1, r * r, W]), [1, r, r, W]) as tf.Tensor4D;
        const ref = tf.add(tf.conv2dTranspose(img, filter, [1, r * s, r * s, C], s, 'valid'), bias);
        const got = tf.reshape(tf.slice(ours, [b, plane, 0, 0, 0], [1, 1, r * s, r * s, C]), [1, r * s, r * s, C]);
        expect(tf.max(tf.abs(tf.sub(ref, got))).dataSync()[0]!).toBeLessThan(1e-5);
      }
  });
});

function ringCameras(n: number, size: number): PinholeCamera[] {
  return Array.from({ length: n }, (_, i) => ({
    width: size,
    height: size,
    K: intrinsicsFromFov(45, size, size),
    c2w: lookAt(orbitPosition(2.7, (2 * Math.PI * i) / n, 0.3), [0, 0, 0]),
  }));
}

describe('LrmHead rendering and gradients', () => {
  const config = tinyLrmConfig();
  const size = 6;
  const cams = ringCameras(2, size);
  const request = () => {
    const rays = cameraRays(cams[1]!);
    return { rays, scene: new Int32Array(rays.count), background: new Float32Array(rays.count * 3).fill(1), bound: 1 };
  };

  it('gradients reach the triplane and match finite differences', () => {
    const head = LrmHead.init(config, 5);
    const R = planeResolution(config);
    const planes = tf.variable(randomTensor([1, 3, R, R, config.planeChannels], 6) as tf.Tensor5D);
    const target = tf.clipByValue(randomTensor([size * size, 3], 7), 0, 1);
    const req = request();
    const lossOf = () => tf.tidy(() => tf.mean(tf.square(tf.sub(head.render(planes, req, null).rgb, target))) as tf.Scalar);
    const { value, grads } = tf.variableGrads(lossOf, [planes]);
    const g = grads[planes.name]!.dataSync();
    const nonzero = g.filter((v) => v !== 0).length;
    expect(nonzero).toBeGreaterThan(g.length / 10);
    // Central differences on the largest-gradient entries (float32: relative tolerance 5 %).
    const order = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!)).slice(0, 4);
    const base = planes.dataSync().slice();
    const eps = 1e-2;
    for (const i of order) {
      const plus = base.slice();
      plus[i]! += eps;
      planes.assign(tf.tensor(plus, planes.shape));
      const lp = lossOf().dataSync()[0]!;
      const minus = base.slice();
      minus[i]! -= eps;
      planes.assign(tf.tensor(minus, planes.shape));
      const lm = lossOf().dataSync()[0]!;
      const fd = (lp - lm) / (2 * eps);
      expect(Math.abs(fd - g[i]!)).toBeLessThan(0.05 * Math.abs(g[i]!) + 1e-6);
    }
    tf.dispose([value, ...Object.values(grads), planes, target]);
    head.dispose();
  });

  it('gradients reach every head parameter; one SGD step lowers the loss; no tensor leaks', () => {
    const model = new LrmModel(config, tinyTower(2), LrmHead.init(config, 3));
    const src = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(randomTensor([1, size, size, 3], 8), 0.2), 0.5), 0, 1)) as tf.Tensor4D;
    const camF = tf.tensor2d(cameraFeatures(cams[0]!), [1, 16]);
    const target = tf.tidy(() => tf.clipByValue(tf.add(tf.mul(randomTensor([size * size, 3], 9), 0.2), 0.5), 0, 1));
    const req = request();
    const vars = [...model.head.params.variables().values()];
    const names = new Map([...model.head.params.variables()].map(([k, v]) => [v.name, k]));
    const loss = () => tf.tidy(() => tf.mean(tf.square(tf.sub(model.head.render(model.predict(src, camF), req, null).rgb, target))) as tf.Scalar);
    const silentAfterStep = () => {
      const { value, grads } = tf.variableGrads(loss, vars);
      const l = value.dataSync()[0]!;
      const silent = Object.entries(grads)
        .filter(([, g]) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]!) === 0)
        .map(([n]) => names.get(n)!);
      tf.tidy(() => {
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.5)));
      });
      tf.dispose([value, ...Object.values(grads)]);
      return { l, silent };
    };
    loss().dispose(); // warms the tower's position-embedding cache (one tensor kept by vit-core)
    const before = tf.memory().numTensors;
    const s0 = silentAfterStep();
    // The modulation layers start at zero (identity ModLN), so at step 0 only the camera MLP behind them is silent.
    expect(s0.silent.sort()).toEqual(['camera.mlp.0.bias', 'camera.mlp.0.weight', 'camera.mlp.2.bias', 'camera.mlp.2.weight']);
    const s1 = silentAfterStep();
    expect(s1.silent).toEqual([]);
    expect(s1.l).toBeLessThan(s0.l);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([src, camF, target]);
    model.dispose();
  });
});
