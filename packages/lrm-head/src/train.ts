import { writeFileAtomic } from '@tips/runtime';
import { train, type StepRecord, type TrainResult } from '@tips/trainer';
import { loadVisionCheckpoint, VisionTransformer, vitPreset, type VitConfig } from '@tips/vit-core';
import { join } from 'node:path';
import { saveLrmModel } from './checkpoint';
import { lrmConfig, type LrmConfig } from './config';
import { MultiviewSet } from './dataset';
import { LrmDataSource } from './batches';
import { LrmConfigError } from './errors';
import { evaluateLrm, type LrmEvalReport } from './evaluate';
import { LrmHead } from './head';
import { LrmModel } from './model';
import { LrmTrainable } from './trainable';

/** Where the image tower comes from: a checkpoint (`tips train`'s export, official npz, HF) or a random init. */
export type LrmEncoderSource = { checkpoint: string; variant?: string } | { random: VitConfig | string; seed?: number };

export interface TrainLrmOptions {
  /** Multi-view JSONL manifest of the training scenes. */
  train: string;
  /** Manifest of held-out scenes: evaluated at the end (PSNR/SSIM, PNGs). */
  eval?: string;
  /** Run folder: metrics.jsonl, checkpoints/, lrm.safetensors, eval.json, renders/. */
  out: string;
  encoder: LrmEncoderSource;
  /** Train the tower too (default false: frozen). */
  fineTune?: boolean;
  preset?: string;
  config?: Partial<LrmConfig>;
  steps: number;
  batchSize?: number;
  targetViews?: number;
  raysPerView?: number;
  /** Share of rays drawn on foreground pixels (see LrmBatchOptions.foregroundFraction; default 0). */
  foregroundFraction?: number;
  /** Peak learning rate (default 2e-3 for the CPU presets; LRM used 4e-4 at scale). */
  lr?: number;
  warmup?: number;
  weightDecay?: number;
  clipGrad?: number;
  seed?: number;
  checkpointEvery?: number;
  resume?: boolean | string;
  progress?: boolean;
  /** Stop after N updates in this call (resumable), for tests. */
  stopAfter?: number;
  evalMaxScenes?: number;
  onStep?: (r: StepRecord) => void;
}

export interface TrainLrmResult {
  train: TrainResult;
  model: string;
  eval: LrmEvalReport | null;
  seconds: number;
}

/** Loads or initialises the image tower (frozen unless fine-tuning). */
export async function loadLrmEncoder(source: LrmEncoderSource, trainable: boolean): Promise<VisionTransformer> {
  if ('checkpoint' in source) return loadVisionCheckpoint(source.checkpoint, { variant: source.variant, trainable });
  const config = typeof source.random === 'string' ? vitPreset(source.random) : source.random;
  return VisionTransformer.init(config, { seed: source.seed ?? 0, trainable });
}

function describeEncoder(source: LrmEncoderSource): Record<string, unknown> {
  return 'checkpoint' in source ? { checkpoint: source.checkpoint } : { random: source.random, seed: source.seed ?? 0 };
}

/**
 * Trains an LRM head (and optionally the tower) on multi-view scenes with @tips/trainer's loop:
 * AdamW (β = 0.9, 0.95 as LRM), linear warm-up + cosine LR, gradient clipping, checkpoints with
 * exact resume, metrics.jsonl. Then writes `lrm.safetensors` and, with an eval manifest, `eval.json`
 * and PNGs of novel views and turntables under `renders/`.
 */
export async function trainLrm(options: TrainLrmOptions): Promise<TrainLrmResult> {
  const started = Date.now();
  if (!(options.steps >= 1)) throw new LrmConfigError(`steps must be ≥ 1, got ${options.steps}`);
  const set = await MultiviewSet.load(options.train);
  const fineTune = options.fineTune ?? false;
  const encoder = await loadLrmEncoder(options.encoder, fineTune);
  const seed = options.seed ?? 0;
  let model: LrmModel | null = null;
  try {
    const config = lrmConfig(options.preset ?? 'tiny', encoder.config.embedDim, options.config ?? {});
    model = new LrmModel(config, encoder, LrmHead.init(config, seed));
    const batch = { batchSize: options.batchSize ?? 4, targetViews: options.targetViews ?? 2, raysPerView: options.raysPerView ?? 128, seed, foregroundFraction: options.foregroundFraction ?? 0, cameraFrame: config.cameraFrame };
    const runConfig = {
      kind: 'lrm',
      train: options.train,
      encoder: describeEncoder(options.encoder),
      fineTune,
      lrm: config,
      vit: encoder.config,
      batch,
      lr: options.lr ?? 2e-3,
      warmup: options.warmup ?? 50,
      weightDecay: options.weightDecay ?? 0.05,
      clipGrad: options.clipGrad ?? 1,
      steps: options.steps,
      seed,
    };
    const trainable = new LrmTrainable(model, { fineTune });
    const result = await train({
      trainable,
      data: new LrmDataSource(set, batch),
      steps: options.steps,
      outDir: options.out,
      seed,
      lr: { peak: runConfig.lr, warmup: runConfig.warmup, end: runConfig.lr * 0.05 },
      weightDecay: { start: runConfig.weightDecay },
      adam: { beta1: 0.9, beta2: 0.95 },
      clipGrad: runConfig.clipGrad,
      checkpointEvery: options.checkpointEvery ?? 100,
      resume: options.resume,
      config: runConfig,
      progress: options.progress ?? true,
      label: 'lrm',
      stopAfter: options.stopAfter,
      onStep: options.onStep,
    });
    const modelPath = join(options.out, 'lrm.safetensors');
    await saveLrmModel(model, modelPath, { encoder: describeEncoder(options.encoder), steps: result.step, seed, train: options.train });
    let report: LrmEvalReport | null = null;
    if (options.eval && result.step >= options.steps) {
      const evalSet = await MultiviewSet.load(options.eval);
      report = await evaluateLrm(model, evalSet, { saveDir: join(options.out, 'renders'), maxScenes: options.evalMaxScenes });
      await writeFileAtomic(join(options.out, 'eval.json'), JSON.stringify(report, null, 2) + '\n');
    }
    return { train: result, model: modelPath, eval: report, seconds: (Date.now() - started) / 1000 };
  } finally {
    if (model) model.dispose();
    else encoder.dispose();
  }
}
