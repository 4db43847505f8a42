import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@tips/runtime';
import { ConfusionMatrix } from '../metrics/confusion';
import { DepthMetricAccumulator } from '../metrics/depth';
import { top1Accuracy } from '../metrics/accuracy';
import { disposeFeatures, featureBatch, type FeatureSet } from '../features/feature-set';
import { featureSource } from '../features/feature-source';
import { LinearSegHead } from './linear-seg';
import { DepthBinsHead } from './depth-bins';
import { LinearClassifierHead } from './linear-classifier';
import { segmentationCrossEntropy, sigLoss } from './losses';
import { trainProbe } from './train-probe';
import { binsExpectation } from './bins-readout';
import { loadHead } from './registry';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

const D = 12;
const grid: [number, number] = [3, 3];
const N = 9;
const C = 4;

/**
 * Synthetic frozen features where the answer is known: patch p of image i belongs to class
 * cls(i, p); its token is a fixed class direction plus small noise; its depth is a linear function
 * of another direction; the image label is the class of its centre patch, encoded in cls1.
 */
function syntheticSet(count: number, seed: number) {
  const rng = new Rng(seed);
  const dirs = Array.from({ length: C }, () => Float32Array.from({ length: D }, () => rng.normal()));
  const depthDir = Float32Array.from({ length: D }, () => rng.normal());
  const patches = new Float32Array(count * N * D);
  const cls1 = new Float32Array(count * D);
  const classes = new Int32Array(count * N);
  const depth = new Float32Array(count * N);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < N; p++) {
      const c = rng.int(C);
      const z = 1 + 4 * rng.uniform();
      classes[i * N + p] = c;
      depth[i * N + p] = z;
      for (let d = 0; d < D; d++) patches[(i * N + p) * D + d] = dirs[c]![d]! + 0.5 * (z - 3) * depthDir[d]! + 0.05 * rng.normal();
    }
    labels[i] = classes[i * N + 4]!;
    for (let d = 0; d < D; d++) cls1[i * D + d] = dirs[labels[i]!]![d]! + 0.05 * rng.normal();
  }
  const set: FeatureSet = { count, dim: D, grid, cls1, cls2: cls1.slice(), patches };
  return { set, classes, depth, labels };
}

/** Labels at 2× the patch grid (each patch covers a 2×2 block), with one pixel unlabelled. */
function upLabels(classes: Int32Array, idx: number[], factor = 2): Int32Array {
  const [h, w] = grid;
  const H = h * factor;
  const W = w * factor;
  const out = new Int32Array(idx.length * H * W);
  idx.forEach((i, b) => {
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) out[b * H * W + y * W + x] = classes[i * N + Math.floor(y / factor) * w + Math.floor(x / factor)]!;
    out[b * H * W] = 255;
  });
  return out;
}

describe('probes on synthetic features with a known answer', () => {
  const train = syntheticSet(48, 1);
  const test = syntheticSet(16, 1); // same class directions (same seed prefix) → the rule carries over
  const all = Array.from({ length: 16 }, (_, i) => i);

  it('the linear segmentation probe learns the per-patch classes (mIoU ≈ 1) and reloads from its file', async () => {
    const head = LinearSegHead.create({ embedDim: D, numClasses: C }, 3);
    const data = featureSource(train.set, {
      batchSize: 16,
      target: (idx) => ({ labels: tf.tensor3d(upLabels(train.classes, idx), [idx.length, 6, 6], 'int32') }),
      releaseTarget: (t) => t.labels.dispose(),
    });
    const dir = mkdtempSync(join(tmpdir(), 'seg-probe-'));
    // Tensors left behind must not depend on the number of steps (nothing leaks per step). A fixed
    // remainder per train() call is @tips/trainer's AdamW moments, which its loop does not free yet.
    const probe = LinearSegHead.create({ embedDim: D, numClasses: C }, 3);
    const t0 = tf.memory().numTensors;
    await trainProbe(probe, data, dir, { steps: 5, lr: 0.05, seed: 1 });
    const leakShort = tf.memory().numTensors - t0;
    const t1 = tf.memory().numTensors;
    const res = await trainProbe(head, data, dir, { steps: 60, lr: 0.05, seed: 1 });
    expect(tf.memory().numTensors - t1).toBe(leakShort);
    probe.params.dispose();
    expect(res.losses[59]!).toBeLessThan(res.losses[0]! / 5);
    const f = featureBatch(test.set, all);
    const pred = head.predict(f, [6, 6]);
    const cm = new ConfusionMatrix(C).add(upLabels(test.classes, all), pred.dataSync());
    expect(cm.meanIoU()).toBeGreaterThan(0.97);
    const loaded = (await loadHead(res.headPath!)) as LinearSegHead;
    const again = loaded.predict(f, [6, 6]);
    expect(Array.from(again.dataSync())).toEqual(Array.from(pred.dataSync()));
    tf.dispose([pred, again]);
    disposeFeatures(f);
    loaded.params.dispose();
    head.params.dispose();
  });

  it('the depth-bins probe regresses depth (RMSE far below the spread), both readouts', async () => {
    for (const readout of ['linear', 'softmax'] as const) {
      const head = DepthBinsHead.create({ embedDim: D, bins: 32, minDepth: 0.5, maxDepth: 6, readout, upsample: 1 }, 5);
      const target = (set: typeof train, idx: number[]) => {
        const out = new Float32Array(idx.length * N);
        idx.forEach((i, b) => out.set(set.depth.subarray(i * N, (i + 1) * N), b * N));
        return out;
      };
      const data = featureSource(train.set, {
        batchSize: 16,
        target: (idx) => ({ depth: tf.tensor3d(target(train, idx), [idx.length, 3, 3]) }),
        releaseTarget: (t) => t.depth.dispose(),
      });
      const res = await trainProbe(head, data, mkdtempSync(join(tmpdir(), 'depth-probe-')), { steps: 80, lr: 0.05, seed: 2 });
      expect(res.losses[79]!).toBeLessThan(res.losses[0]! / 3);
      const f = featureBatch(test.set, all);
      const pred = head.predict(f, [3, 3]);
      const p = pred.dataSync();
      const acc = new DepthMetricAccumulator();
      const gt = target(test, all);
      for (let b = 0; b < 16; b++) acc.add(p.subarray(b * N, (b + 1) * N), gt.subarray(b * N, (b + 1) * N));
      // depth is uniform on [1, 5]: a constant guess has RMSE ≈ 1.15.
      expect(acc.mean().rmse).toBeLessThan(0.35);
      pred.dispose();
      disposeFeatures(f);
      head.params.dispose();
    }
  });

  it('the linear classifier reaches ~100% on CLS features that encode the class', async () => {
    const head = LinearClassifierHead.create({ embedDim: D, numClasses: C }, 7);
    const data = featureSource(train.set, {
      batchSize: 16,
      target: (idx) => ({ labels: tf.tensor1d(idx.map((i) => train.labels[i]!), 'int32') }),
      releaseTarget: (t) => t.labels.dispose(),
    });
    await trainProbe(head, data, mkdtempSync(join(tmpdir(), 'cls-probe-')), { steps: 40, lr: 0.05, seed: 3 });
    const f = featureBatch(test.set, all);
    const pred = head.predict(f);
    expect(top1Accuracy(pred.dataSync(), test.labels)).toBe(1);
    pred.dispose();
    disposeFeatures(f);
    head.params.dispose();
  });
});

describe('bins readout', () => {
  it("matches DINOv2's formulas and their autodiff gradient, for both readouts", () => {
    const r = new Rng(9);
    const bins = Float32Array.from({ length: 7 }, (_, k) => 0.5 + k);
    const l = tf.tensor2d(Float32Array.from({ length: 5 * 7 }, () => r.normal()), [5, 7]);
    const w = tf.tensor2d(Float32Array.from({ length: 5 }, () => r.normal()), [5, 1]);
    const reference = (x: tf.Tensor2D, mode: 'linear' | 'softmax') => {
      const p = mode === 'softmax' ? tf.softmax(x, -1) : tf.div(tf.add(tf.relu(x), 0.1), tf.sum(tf.add(tf.relu(x), 0.1), -1, true));
      return tf.sum(tf.mul(p, tf.tensor2d(bins, [1, 7])), -1, true);
    };
    for (const mode of ['linear', 'softmax'] as const) {
      tf.tidy(() => {
        const ours = binsExpectation(l, bins, mode);
        expect(tf.max(tf.abs(tf.sub(ours, reference(l, mode)))).dataSync()[0]).toBeLessThan(1e-5);
        const g1 = tf.grad((x) => tf.sum(tf.mul(binsExpectation(x as tf.Tensor2D, bins, mode), w)))(l);
        const g2 = tf.grad((x) => tf.sum(tf.mul(reference(x as tf.Tensor2D, mode), w)))(l);
        expect(tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0]).toBeLessThan(1e-5);
      });
    }
    tf.dispose([l, w]);
  });
});

describe('probe losses', () => {
  it('cross-entropy ignores unlabelled pixels (hand-computed)', () => {
    // One pixel with logits (0, ln 3): p(class 1) = 3/4; the other pixel is ignored.
    const logits = tf.tensor4d([0, Math.log(3), 5, -5], [1, 1, 2, 2]);
    const labels = tf.tensor3d([1, 255], [1, 1, 2], 'int32');
    const l = segmentationCrossEntropy(logits, labels, 255);
    expect(l.dataSync()[0]).toBeCloseTo(-Math.log(0.75), 5);
    tf.dispose([logits, labels, l]);
  });
  it('SigLoss matches its formula and ignores gt = 0', () => {
    const pred = tf.tensor1d([1, 2, 4, 9]);
    const gt = tf.tensor1d([1, 1, 1, 0]);
    const eps = 1e-3;
    const g = [Math.log(1 + eps) - Math.log(1 + eps), Math.log(2 + eps) - Math.log(1 + eps), Math.log(4 + eps) - Math.log(1 + eps)];
    const mean = g.reduce((a, b) => a + b) / 3;
    const variance = g.reduce((a, b) => a + (b - mean) ** 2, 0) / 2;
    const l = sigLoss(pred, gt);
    expect(l.dataSync()[0]).toBeCloseTo(Math.sqrt(variance + 0.15 * mean * mean), 5);
    tf.dispose([pred, gt, l]);
  });
});
