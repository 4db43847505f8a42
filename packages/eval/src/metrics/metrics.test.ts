import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tips/runtime';
import { ConfusionMatrix } from './confusion';
import { DepthMetricAccumulator, depthMetrics } from './depth';
import { argmaxRows, top1Accuracy, topKAccuracy } from './accuracy';
import { knnClassify } from './knn';
import { classEmbeddings, fillTemplates, zeroShotClassify } from './zero-shot';
import { retrievalRecall } from './retrieval';
import { zeroShotSegment } from './zero-shot-seg';
import { EvalInputError } from '../errors';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('ConfusionMatrix (hand-computed)', () => {
  // gt/pred pairs: (0,0) (0,1) (1,1) (1,1) (2,0), and one ignored pixel.
  const gt = [0, 0, 1, 1, 2, 255];
  const pred = [0, 1, 1, 1, 0, 2];
  it('IoU per class, mIoU and pixel accuracy', () => {
    const m = new ConfusionMatrix(3).add(gt, pred);
    // class 0: TP 1, gt 2, pred 2 → 1/3; class 1: TP 2, gt 2, pred 3 → 2/3; class 2: TP 0, gt 1, pred 0 → 0.
    const iou = m.iou();
    expect(iou[0]).toBeCloseTo(1 / 3, 12);
    expect(iou[1]).toBeCloseTo(2 / 3, 12);
    expect(iou[2]).toBe(0);
    expect(m.meanIoU()).toBeCloseTo(1 / 3, 12);
    expect(m.pixelAccuracy()).toBeCloseTo(3 / 5, 12);
    expect(m.total()).toBe(5);
  });
  it('leaves out classes absent from both ground truth and prediction', () => {
    const m = new ConfusionMatrix(4).add(gt, pred);
    expect(m.iou()[3]).toBeNull();
    expect(m.meanIoU()).toBeCloseTo(1 / 3, 12);
  });
  it('accumulates over images like one big image, and merges', () => {
    const a = new ConfusionMatrix(3).add(gt.slice(0, 3), pred.slice(0, 3));
    const b = new ConfusionMatrix(3).add(gt.slice(3), pred.slice(3));
    expect(a.merge(b).meanIoU()).toBeCloseTo(1 / 3, 12);
  });
  it('rejects out-of-range classes and size mismatches', () => {
    expect(() => new ConfusionMatrix(3).add([3], [0])).toThrow(EvalInputError);
    expect(() => new ConfusionMatrix(3).add([0], [5])).toThrow(/predicted class 5/);
    expect(() => new ConfusionMatrix(3).add([0, 1], [0])).toThrow(/resize the prediction/);
    expect(() => new ConfusionMatrix(2, -1).add([-1, 1], [0, 1]).meanIoU()).not.toThrow();
  });
});

describe('depth metrics (hand-computed)', () => {
  it('RMSE, AbsRel and δ thresholds over valid pixels', () => {
    // gt 0 is invalid; ratios 1, 1.5, 1.5.
    const m = depthMetrics([1, 1.5, 3, 7], [1, 1, 2, 0])!;
    expect(m.rmse).toBeCloseTo(Math.sqrt((0 + 0.25 + 1) / 3), 6);
    expect(m.absRel).toBeCloseTo((0 + 0.5 + 0.5) / 3, 6);
    expect(m.delta1).toBeCloseTo(1 / 3, 12);
    expect(m.delta2).toBe(1); // 1.5 < 1.5625
    expect(m.delta3).toBe(1);
  });
  it('averages per image (NYUv2 protocol), not over pooled pixels', () => {
    const acc = new DepthMetricAccumulator();
    acc.add([2], [1]); // rmse 1
    acc.add([4], [1]); // rmse 3
    expect(acc.add([5], [0])).toBeNull(); // no valid pixel: skipped
    const m = acc.mean();
    expect(m.images).toBe(2);
    expect(m.rmse).toBeCloseTo(2, 12);
    expect(m.absRel).toBeCloseTo(2, 12);
  });
  it('clamps predictions into the valid range and honours maxDepth', () => {
    const m = depthMetrics([-1, 20], [1, 5], { minDepth: 0.5, maxDepth: 10 })!;
    // -1 → 0.5, 20 → 10: errors 0.5 and 5.
    expect(m.rmse).toBeCloseTo(Math.sqrt((0.25 + 25) / 2), 6);
    expect(depthMetrics([3], [11], { maxDepth: 10 })).toBeNull();
  });
});

describe('classification accuracy', () => {
  it('top-1 skips unlabelled samples; top-k breaks ties like argmax', () => {
    expect(top1Accuracy([0, 1, 2, 2], [0, 2, 2, -1])).toBeCloseTo(2 / 3, 12);
    const scores = [0.1, 0.5, 0.4, /* */ 0.3, 0.3, 0.1];
    expect(Array.from(argmaxRows(scores, 2, 3))).toEqual([1, 0]);
    expect(topKAccuracy(scores, [2, 1], 3, 1)).toBe(0);
    expect(topKAccuracy(scores, [2, 1], 3, 2)).toBe(1);
    expect(topKAccuracy(scores, [2, 0], 3, 1)).toBe(0.5);
  });
});

describe('kNN (DINO weighted vote)', () => {
  // Train A=(1,0) class 0; B=(0.8,0.6), C=(0.6,0.8) class 1. Test (2,0) → cos 1, 0.8, 0.6.
  const train = new Float32Array([1, 0, 0.8, 0.6, 0.6, 0.8]);
  const labels = [0, 1, 1];
  const test = new Float32Array([2, 0]);
  it('weights each neighbour by exp(cos / T)', () => {
    const sharp = knnClassify(train, labels, test, 2, 2, { k: 3, temperature: 0.07 });
    expect(sharp.predictions[0]).toBe(0);
    expect(sharp.votes[0]! / Math.exp(1 / 0.07)).toBeCloseTo(1, 4);
    expect(sharp.votes[1]! / (Math.exp(0.8 / 0.07) + Math.exp(0.6 / 0.07))).toBeCloseTo(1, 4);
    const flat = knnClassify(train, labels, test, 2, 2, { k: 3, temperature: 10 });
    expect(flat.predictions[0]).toBe(1);
    expect(flat.votes[0]).toBeCloseTo(Math.exp(0.1), 5);
    expect(flat.votes[1]).toBeCloseTo(Math.exp(0.08) + Math.exp(0.06), 5);
  });
  it('uses only the k nearest neighbours and ignores unlabelled training rows', () => {
    const one = knnClassify(train, labels, test, 2, 2, { k: 1, temperature: 10 });
    expect(one.predictions[0]).toBe(0);
    expect(one.votes[1]).toBe(0);
    const unl = knnClassify(train, [0, -1, -1], test, 2, 2, { k: 20, temperature: 10 });
    expect(unl.votes[1]).toBe(0);
  });
  it('frees its tensors and checks labels', () => {
    const before = tf.memory().numTensors;
    knnClassify(train, labels, test, 2, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => knnClassify(train, [0, 1, 2], test, 2, 2)).toThrow(/outside 0..1/);
  });
});

describe('zero-shot classification', () => {
  it('averages normalised prompt embeddings per class and normalises again', () => {
    // class 0: templates (2,0) and (0,3) → (0.5, 0.5) → (√½, √½); class 1: (0,-1) twice → (0,-1).
    const e = classEmbeddings([2, 0, 0, 3, 0, -1, 0, -5], 2, 2, 2);
    expect(e[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(e[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(Array.from(e.slice(2))).toEqual([0, -1]);
    const { predictions, similarity } = zeroShotClassify([1, 1, 0, -2, 3, -1], e, 2);
    expect(Array.from(predictions)).toEqual([0, 1, 0]);
    expect(similarity[0]).toBeCloseTo(1, 6);
    expect(similarity[3]).toBeCloseTo(1, 6);
  });
  it('fills templates class-major and checks them', () => {
    expect(fillTemplates(['cat', 'dog'], ['a {}.', 'the {} and {}'])).toEqual(['a cat.', 'the cat and cat', 'a dog.', 'the dog and dog']);
    expect(() => fillTemplates(['cat'], ['a photo'])).toThrow(/has no '\{\}'/);
  });
});

describe('retrieval recall@K (hand-computed)', () => {
  // texts 0 and 1 describe image 0, text 2 image 1.
  const sim = [0.9, 0.1, 0.5, /* image 1 */ 0.2, 0.8, 0.3];
  it('several captions per image', () => {
    const r = retrievalRecall(sim, 2, [0, 0, 1], [1, 2]);
    // image 0: best caption 0.9, no wrong text above → rank 0; image 1: 0.3 < 0.8 → rank 1.
    expect(r.imageToText[1]).toBe(0.5);
    expect(r.imageToText[2]).toBe(1);
    // text 0: 0.9 > 0.2 hit; text 1: 0.1 < 0.8 rank 1; text 2: 0.3 < 0.5 rank 1.
    expect(r.textToImage[1]).toBeCloseTo(1 / 3, 12);
    expect(r.textToImage[2]).toBe(1);
  });
  it('counts ties against the model', () => {
    const r = retrievalRecall([1, 1, 1, 1], 2, [0, 1], [1]);
    expect(r.imageToText[1]).toBe(0);
    expect(r.textToImage[1]).toBe(0);
  });
  it('rejects texts that point at no image', () => {
    expect(() => retrievalRecall(sim, 2, [0, 0, 2])).toThrow(EvalInputError);
  });
});

describe('zero-shot segmentation', () => {
  it('argmax of bilinearly upsampled patch–text cosine maps', () => {
    // grid 1×2: patch 0 = (1,0), patch 1 = (0,2); classes (1,0) and (0,1); label size 1×4.
    // Upsampled class-0 map: [1, 0.75, 0.25, 0]; class 1: [0, 0.25, 0.75, 1].
    const { labels, similarity } = zeroShotSegment([1, 0, 0, 2], [1, 2], [1, 0, 0, 1], 2, [1, 4]);
    expect(Array.from(labels)).toEqual([0, 0, 1, 1]);
    expect(Array.from(similarity)).toEqual([1, 0, 0, 1]);
  });
});
