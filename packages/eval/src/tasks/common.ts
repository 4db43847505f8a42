import { EvalTaskError } from '../errors';
import { featureBatch, disposeFeatures, gatherRows, type FeatureSet } from '../features/feature-set';
import { resizeNearest } from '../data/eval-split';
import type { EncoderFeatures } from '@tips/trainer';
import type { GlobalEmbedding, ProbeSummary, SplitData, TaskContext } from './types';
import type { ProbeTrainResult } from '../heads/train-probe';

/** The global embedding of every sample [n, D]. */
export function globalEmbeddings(f: FeatureSet, which: GlobalEmbedding): Float32Array {
  return which === 'cls2' ? f.cls2 : f.cls1;
}

/** The training split, or a clear error naming the task. */
export function requireTrain(ctx: TaskContext, task: string): SplitData {
  if (!ctx.train) throw new EvalTaskError(task, 'needs a training split (--train-data MANIFEST) to fit its probe or neighbours');
  return ctx.train;
}

/** Runs `fn` over the test features in batches (new tensors per batch, freed after). */
export function forEachTestBatch(set: FeatureSet, batchSize: number, fn: (f: EncoderFeatures, indices: number[]) => void): void {
  for (let s = 0; s < set.count; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.count - s) }, (_, i) => s + i);
    const f = featureBatch(set, idx);
    try {
      fn(f, idx);
    } finally {
      disposeFeatures(f);
    }
  }
}

/** Concatenates per-sample maps of the given samples (row-major [k, H·W]). */
export function stackMaps<T extends Uint8Array | Float32Array>(maps: readonly T[], indices: readonly number[], make: (n: number) => T): T {
  const per = maps[indices[0]!]!.length;
  const out = make(indices.length * per);
  indices.forEach((i, k) => out.set(maps[i]!, k * per));
  return out;
}

/**
 * Size of the dense probes' training targets: `targetScale` pixels per patch side, at most the label
 * size (0: the label size).
 */
export function trainTargetSize(data: SplitData, targetScale: number | undefined): [number, number] {
  const s = targetScale ?? 4;
  const [H, W] = data.size;
  if (!s) return [H, W];
  const [h, w] = data.features.grid;
  return [Math.min(H, h * s), Math.min(W, w * s)];
}

/** Per-sample maps resized (nearest) to `to` (the same arrays when the size already matches). */
export function resizeMaps<T extends Uint8Array | Float32Array>(maps: readonly T[], from: [number, number], to: [number, number]): T[] {
  return maps.map((m) => resizeNearest(m, from[1], from[0], to[1], to[0]));
}

export function probeSummary(r: ProbeTrainResult): ProbeSummary {
  return { steps: r.losses.length, finalLoss: r.losses[r.losses.length - 1] ?? NaN, losses: r.losses, seconds: r.seconds, headPath: r.headPath };
}

export { gatherRows };
