import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { EvalTaskError } from '../errors';
import { featureSource } from '../features/feature-source';
import { DepthBinsHead } from '../heads/depth-bins';
import { trainProbe } from '../heads/train-probe';
import { DepthMetricAccumulator } from '../metrics/depth';
import { forEachTestBatch, probeSummary, requireTrain, resizeMaps, stackMaps, trainTargetSize } from './common';
import type { DepthResult, TaskContext } from './types';

/**
 * The depth range of the bins when none is given: DINOv2's min_depth 1e-3 and the largest
 * training depth rounded up to a whole unit (DINOv2 fixes 10 m for NYUv2 and 80 m for KITTI).
 */
export function defaultDepthRange(maps: readonly Float32Array[]): [number, number] {
  let max = 0;
  for (const m of maps) for (const v of m) if (v > max) max = v;
  if (!(max > 0)) throw new EvalTaskError('depth', 'the training depth maps hold no positive depth');
  return [1e-3, Math.ceil(max)];
}

/**
 * Monocular depth with DINOv2's linear probe over depth bins (patch tokens ⊕ CLS, 256 bins, SigLoss),
 * trained on the training split, evaluated per image on the test split (RMSE, AbsRel, δ<1.25…).
 */
export async function runDepth(ctx: TaskContext): Promise<DepthResult> {
  const train = requireTrain(ctx, 'depth');
  if (!train.depth || !ctx.test.depth) throw new EvalTaskError('depth', 'needs depth maps in both splits');
  const range = ctx.depth.range ?? defaultDepthRange(train.depth);
  const [H, W] = trainTargetSize(train, ctx.probe.targetScale);
  const maps = resizeMaps(train.depth, train.size, [H, W]);
  const head = DepthBinsHead.create({ embedDim: train.features.dim, bins: ctx.depth.bins, minDepth: range[0], maxDepth: range[1], readout: ctx.depth.readout, upsample: ctx.depth.upsample }, ctx.probe.seed);
  try {
    const data = featureSource(train.features, {
      batchSize: ctx.probe.batchSize ?? 16,
      seed: ctx.probe.seed,
      target: (idx) => ({ depth: tf.tensor3d(stackMaps(maps, idx, (n) => new Float32Array(n)), [idx.length, H, W]) }),
      releaseTarget: (t) => t.depth.dispose(),
    });
    ctx.log(`depth: training the linear bins probe (${ctx.depth.bins} bins over ${range[0]}..${range[1]}) on ${train.features.count} images, targets ${H}×${W}`);
    const run = await trainProbe(head, data, join(ctx.workDir, 'depth'), { ...ctx.probe, label: 'depth probe' });
    const [th, tw] = ctx.test.size;
    const acc = new DepthMetricAccumulator({ minDepth: range[0], maxDepth: range[1] });
    const predictions: Float32Array[] = [];
    const wanted = new Set(ctx.figureIndices);
    forEachTestBatch(ctx.test.features, 16, (f, idx) => {
      const pred = head.predict(f, [th, tw]);
      const data = pred.dataSync() as Float32Array;
      pred.dispose();
      idx.forEach((i, k) => {
        const p = data.subarray(k * th * tw, (k + 1) * th * tw);
        acc.add(p, ctx.test.depth![i]!);
        if (wanted.has(i)) predictions[ctx.figureIndices.indexOf(i)] = Float32Array.from(p);
      });
    });
    return { ...acc.mean(), range, probe: probeSummary(run), predictions };
  } finally {
    head.params.dispose();
  }
}
