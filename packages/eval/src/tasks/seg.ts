import * as tf from '@tensorflow/tfjs-core';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { saveHead, type Head } from '@tips/trainer';
import { EvalTaskError } from '../errors';
import { featureSource } from '../features/feature-source';
import { LinearSegHead } from '../heads/linear-seg';
import { trainProbe } from '../heads/train-probe';
import { fitRidgeSegHead } from '../heads/ridge-seg';
import { ConfusionMatrix } from '../metrics/confusion';
import { forEachTestBatch, probeSummary, requireTrain, resizeMaps, stackMaps, trainTargetSize } from './common';
import type { ProbeSummary, SegResult, TaskContext } from './types';

/** Checks that every mask value is a class id or the ignore index. */
export function checkMaskValues(masks: readonly Uint8Array[], numClasses: number, ignoreIndex: number, where: string): void {
  masks.forEach((m, i) => {
    for (const v of m) {
      if (v >= numClasses && v !== ignoreIndex) {
        throw new EvalTaskError('seg', `${where} mask ${i} holds class ${v} but the dataset names ${numClasses} classes (0..${numClasses - 1}, ${ignoreIndex} = unlabelled); fix dataset.json mask_classes`);
      }
    }
  });
}

function classNames(ctx: TaskContext, task: string): string[] {
  if (!ctx.maskClasses?.length) throw new EvalTaskError(task, 'the number of mask classes is unknown; give mask_classes in dataset.json');
  return ctx.maskClasses;
}

/**
 * Semantic segmentation with DINOv2's linear probe on frozen patch tokens: trains a LinearSegHead on
 * the training split's masks (through @tips/trainer's loop), then predicts the test masks at label
 * size and reports mIoU over the classes (confusion matrix, ignore index skipped).
 */
export async function runSegmentation(ctx: TaskContext): Promise<SegResult> {
  const train = requireTrain(ctx, 'seg');
  const names = classNames(ctx, 'seg');
  const C = names.length;
  if (!train.masks || !ctx.test.masks) throw new EvalTaskError('seg', 'needs class masks in both splits');
  checkMaskValues(train.masks, C, ctx.ignoreIndex, 'training');
  checkMaskValues(ctx.test.masks, C, ctx.ignoreIndex, 'test');
  let head: LinearSegHead;
  let summary: ProbeSummary;
  if ((ctx.probe.solver ?? 'ridge') === 'ridge') {
    const t0 = performance.now();
    ctx.log(`seg: fitting the ridge probe (${C} classes) on the patches of ${train.features.count} images`);
    const fit = fitRidgeSegHead({
      patches: train.features.patches, count: train.features.count, grid: train.features.grid, dim: train.features.dim,
      masks: train.masks, size: train.size, classes: C, ignoreIndex: ctx.ignoreIndex, seed: ctx.probe.seed,
    });
    head = fit.head;
    const s = fit.selection;
    const headPath = join(ctx.workDir, 'seg', 'head.safetensors');
    await rm(dirname(headPath), { recursive: true, force: true });
    await mkdir(dirname(headPath), { recursive: true });
    await saveHead(head as Head<unknown>, headPath);
    summary = { solver: 'ridge', steps: 0, finalLoss: s.trainMse, losses: [], seconds: (performance.now() - t0) / 1000, headPath, lambda: s.model.lambda, valLoss: s.valMse };
  } else {
    const [H, W] = trainTargetSize(train, ctx.probe.targetScale);
    const masks = resizeMaps(train.masks, train.size, [H, W]);
    head = LinearSegHead.create({ embedDim: train.features.dim, numClasses: C, ignoreIndex: ctx.ignoreIndex }, ctx.probe.seed);
    const data = featureSource(train.features, {
      batchSize: ctx.probe.batchSize ?? 16,
      seed: ctx.probe.seed,
      target: (idx) => ({ labels: tf.tensor3d(Int32Array.from(stackMaps(masks, idx, (n) => new Uint8Array(n))), [idx.length, H, W], 'int32') }),
      releaseTarget: (t) => t.labels.dispose(),
    });
    ctx.log(`seg: training the linear probe (${C} classes) on ${train.features.count} images, targets ${H}×${W}`);
    try {
      summary = { ...probeSummary(await trainProbe(head, data, join(ctx.workDir, 'seg'), { ...ctx.probe, label: 'seg probe' })), solver: 'sgd' };
    } catch (e) {
      head.params.dispose();
      throw e;
    }
  }
  try {
    const [th, tw] = ctx.test.size;
    const cm = new ConfusionMatrix(C, ctx.ignoreIndex);
    const predictions: Uint8Array[] = [];
    const wanted = new Set(ctx.figureIndices);
    forEachTestBatch(ctx.test.features, 16, (f, idx) => {
      const pred = head.predict(f, [th, tw]);
      const data = pred.dataSync();
      pred.dispose();
      idx.forEach((i, k) => {
        const p = data.subarray(k * th * tw, (k + 1) * th * tw);
        cm.add(ctx.test.masks![i]!, p);
        if (wanted.has(i)) predictions[ctx.figureIndices.indexOf(i)] = Uint8Array.from(p);
      });
    });
    const iou = cm.iou();
    return {
      miou: cm.meanIoU(),
      pixelAccuracy: cm.pixelAccuracy(),
      iou: Object.fromEntries(names.map((n, c) => [n, iou[c]!])),
      probe: summary,
      predictions,
    };
  } finally {
    head.params.dispose();
  }
}
