import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tips/vit-core';
import { HeadTrainable, saveHead, train, type DataSource, type Head, type HeadBatch } from '@tips/trainer';

/** Optimisation settings of a probe (defaults follow DINOv2's linear segmentation config, shortened). */
export interface ProbeTrainOptions {
  /** Optimiser updates (DINOv2 trains 40k iterations on ADE20K; small datasets need far fewer). */
  steps?: number;
  /** Peak learning rate of AdamW (DINOv2 linear segmentation: 1e-3). */
  lr?: number;
  /** Decoupled weight decay (DINOv2 linear segmentation: 1e-4). */
  weightDecay?: number;
  /** Linear warm-up steps (default 10% of the steps), then cosine decay to 0. */
  warmup?: number;
  seed?: number;
  /** Progress bar / lines on stderr. */
  progress?: boolean;
  label?: string;
}

export interface ProbeTrainResult {
  /** Training loss at each step. */
  losses: number[];
  /** Where the head was saved (saveHead), if asked. */
  headPath: string | null;
  seconds: number;
}

/**
 * Trains a head on batches of cached frozen features with @tips/trainer's loop (AdamW, warm-up +
 * cosine LR, NaN guard, JSONL metrics in `runDir/metrics.jsonl`, a final checkpoint), then saves the
 * head alone to `runDir/head.safetensors` (saveHead). `runDir` is cleared first: a probe run is
 * always fresh. The head's variables are updated in place.
 */
export async function trainProbe<T>(head: Head<T>, data: DataSource<HeadBatch<T>>, runDir: string, options: ProbeTrainOptions = {}, encoder: VisionTransformer | null = null): Promise<ProbeTrainResult> {
  const steps = options.steps ?? 300;
  const t0 = performance.now();
  await rm(runDir, { recursive: true, force: true });
  const losses: number[] = [];
  await train({
    // Batches carry cached frozen features: the tower never runs and is not part of the probe's state.
    trainable: new HeadTrainable(encoder, head),
    data,
    steps,
    outDir: runDir,
    seed: options.seed ?? 0,
    lr: { peak: options.lr ?? 1e-3, warmup: options.warmup ?? Math.round(steps / 10), end: 0 },
    weightDecay: { start: options.weightDecay ?? 1e-4 },
    checkpointEvery: 0,
    keepLast: 1,
    progress: options.progress ?? false,
    label: options.label ?? head.kind,
    logEvery: Math.max(1, Math.round(steps / 10)),
    onStep: (r) => losses.push(r.loss),
  });
  const headPath = join(runDir, 'head.safetensors');
  await saveHead(head as Head<unknown>, headPath);
  return { losses, headPath, seconds: (performance.now() - t0) / 1000 };
}
