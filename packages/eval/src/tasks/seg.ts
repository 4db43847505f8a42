import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { EvalTaskError } from '../errors';
import { featureSource } from '../features/feature-source';
import { LinearSegHead } from '../heads/linear-seg';
import { trainProbe } from '../heads/train-probe';
import { ConfusionMatrix } from '../metrics/confusion';
import { forEachTestBatch, probeSummary, requireTrain, resizeMaps, stackMaps, trainTargetSize } from './common';
import type { SegResult, TaskContext } from './types';

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
  const [H, W] = trainTargetSize(train, ctx.probe.targetScale);
  const masks = resizeMaps(train.masks, train.size, [H, W]);
  const head = LinearSegHead.create({ embedDim: train.features.dim, numClasses: C, ignoreIndex: ctx.ignoreIndex }, ctx.probe.seed);
  try {
    const data = featureSource(train.features, {
      batchSize: ctx.probe.batchSize ?? 16,
      seed: ctx.probe.seed,
      target: (idx) => ({ labels: tf.tensor3d(Int32Array.from(stackMaps(masks, idx, (n) => new Uint8Array(n))), [idx.length, H, W], 'int32') }),
      releaseTarget: (t) => t.labels.dispose(),
    });
    ctx.log(`seg: training the linear probe (${C} classes) on ${train.features.count} images, targets ${H}×${W}`);
    const run = await trainProbe(head, data, join(ctx.workDir, 'seg'), { ...ctx.probe, label: 'seg probe' });
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
      probe: probeSummary(run),
      predictions,
    };
  } finally {
    head.params.dispose();
  }
}
