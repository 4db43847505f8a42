import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { Rng } from '@tips/runtime';
import { AdamW, type AdamWOptions } from '../optim/adamw';
import { clipGradNorm } from '../optim/clip-grad';
import { cosine, warmupCosine } from '../optim/schedules';
import { TrainingDivergedError, ResumeError, TrainConfigError } from '../errors';
import { JsonlLog } from '../metrics/jsonl-log';
import { Progress } from '../metrics/progress';
import {
  TRAIN_STATE_FORMAT,
  findResumeCheckpoint,
  pruneCheckpoints,
  removeStrayTempDirs,
  setAsideDamagedCheckpoints,
  type ResumeCheckpoint,
  readTrainCheckpoint,
  stepDirName,
  writeTrainCheckpoint,
} from '../checkpoint/train-checkpoint';
import type { DataPosition, DataSource, SkipCounts, StepContext, Trainable } from './types';

export interface TrainOptions<B> {
  trainable: Trainable<B>;
  data: DataSource<B>;
  /** Total optimiser updates of the run. */
  steps: number;
  /** Run folder: metrics.jsonl, checkpoints/. */
  outDir: string;
  seed?: number;
  /** Micro-batches per update (gradient accumulation). */
  accumulate?: number;
  /** Max global gradient norm; 0 or absent: no clipping. */
  clipGrad?: number;
  lr: { peak: number; end?: number; warmup?: number; start?: number };
  /** Weight decay, cosine from start to end over the run (DINOv2: 0.04 → 0.2). */
  weightDecay?: { start: number; end?: number };
  adam?: AdamWOptions;
  /** Save every N updates (and always at the end); 0: only at the end. */
  checkpointEvery?: number;
  /** Step checkpoints to keep (default 3). */
  keepLast?: number;
  /** Also keep the checkpoint with the best value of a logged metric. */
  keepBest?: { metric: string; mode: 'min' | 'max' };
  /** true: continue from outDir/checkpoints/latest when present; a path: from that checkpoint. */
  resume?: boolean | string;
  /** Progress output (bar on a TTY, a line every `logEvery` steps otherwise). */
  progress?: boolean;
  logEvery?: number;
  label?: string;
  /** The run's configuration: stored in checkpoints; resuming with a different one is refused. */
  config?: unknown;
  /** How a checkpoint's stored config is compared with `config` (default: JSON equality). */
  sameConfig?: (saved: unknown, current: unknown) => boolean;
  /** Warnings (a checkpoint fallback, removed temp folders); default: stderr. */
  warn?: (line: string) => void;
  onStep?: (record: StepRecord) => void;
  /** Stop (as if killed) after this many updates in this call; the run can be resumed. */
  stopAfter?: number;
  /**
   * Where each micro-batch's loss, terms and gradients come from when not from the loop's own
   * gradient tape over `trainable.loss` (then `trainable.prepare` is not called): e.g. data-parallel
   * worker threads (TipsDataParallel). Everything else — accumulation, clipping, the NaN guard, AdamW,
   * afterStep, checkpoints — stays in the loop.
   */
  gradients?: (batch: B, ctx: StepContext) => Promise<ExternalGradients>;
}

/** A micro-batch's loss computed outside the loop's tape (TrainOptions.gradients). */
export interface ExternalGradients {
  loss: number;
  terms: Record<string, number>;
  /** Gradient of `loss` per trainable-variable name (names of trainable.trainableVariables()); the loop disposes them. */
  grads: Map<string, tf.Tensor>;
}

export interface StepRecord {
  step: number;
  time: string;
  lr: number;
  weightDecay: number;
  loss: number;
  terms: Record<string, number>;
  gradNorm: number;
  msPerStep: number;
  imagesPerSec: number;
  rssMb: number;
  numTensors: number;
  [metric: string]: unknown;
}

export interface TrainResult {
  step: number;
  lastRecord: StepRecord | null;
  checkpoint: string | null;
  resumedFrom: string | null;
  /** What the data source skipped during this call (when it counts skips). */
  skips?: SkipCounts;
}

function assertFinite(step: number, term: string, value: number): void {
  if (!Number.isFinite(value)) throw new TrainingDivergedError(step, term, value);
}

/**
 * The one training loop of TIPS-TS (the TIPS objective, probes and custom heads, the LRM head):
 * AdamW with decoupled weight decay, linear warm-up + cosine LR, cosine weight-decay schedule,
 * gradient accumulation and global-norm clipping, a NaN/Inf guard that stops before a bad update
 * naming the step and term, atomic checkpoints (keep-last-N and best) with exact resume
 * (weights, teacher, optimiser moments, step, data position, the Trainable's state; per-step
 * randomness is derived from the seed and the step), JSONL metrics and a progress display.
 */
export async function train<B>(options: TrainOptions<B>): Promise<TrainResult> {
  const { trainable, data, steps, outDir } = options;
  if (!(steps > 0)) throw new TrainConfigError(`steps must be positive, got ${steps}`);
  const accumulate = options.accumulate ?? 1;
  if (!Number.isInteger(accumulate) || accumulate < 1) throw new TrainConfigError(`accumulate must be a positive integer, got ${accumulate}`);
  const seed = options.seed ?? 0;
  const ckDir = join(outDir, 'checkpoints');
  const optimizer = new AdamW(options.adam);
  const log = new JsonlLog(join(outDir, 'metrics.jsonl'));
  let step = 0;
  let position: DataPosition | null = null;
  let resumedFrom: string | null = null;
  let best: { value: number; dir: string } | null = null;

  const warn = options.warn ?? ((l: string) => process.stderr.write(`${l}\n`));
  // A kill during a checkpoint write leaves `.step-….tmp-PID`; remove those of dead processes.
  for (const p of [...removeStrayTempDirs(ckDir), ...removeStrayTempDirs(join(outDir, 'best'))]) warn(`removed ${p}, left by a checkpoint write that was killed`);
  const sameConfig = options.sameConfig ?? ((a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b));

  if (options.resume) {
    const found: ResumeCheckpoint | null = typeof options.resume === 'string' ? null : await findResumeCheckpoint(ckDir, warn);
    const path = typeof options.resume === 'string' ? options.resume : found!.path;
    if (path) {
      const ck = await readTrainCheckpoint(path);
      if (options.config !== undefined && !sameConfig(ck.state.config, options.config)) {
        tf.dispose([...ck.variables.values(), ...ck.optimizer.values()]);
        throw new ResumeError(`${path} was written by a run with another configuration; resume with the same config (or start a new --out folder)`);
      }
      if (found) setAsideDamagedCheckpoints(ckDir, found, warn);
      const vars = trainable.stateVariables();
      const missing = [...vars.keys()].filter((k) => !ck.variables.has(k));
      if (missing.length) throw new ResumeError(`${path} lacks ${missing.length} variable(s) of this model, e.g. ${missing.slice(0, 5).join(', ')}`);
      for (const [k, v] of vars) v.assign(ck.variables.get(k)!);
      optimizer.loadState(ck.state.optimizerT, ck.optimizer);
      tf.dispose([...ck.variables.values(), ...ck.optimizer.values()]);
      trainable.loadState?.(ck.state.extra);
      step = ck.state.step;
      position = ck.state.position;
      resumedFrom = path;
      log.write({ event: 'resume', from: path, step, time: new Date().toISOString() });
    }
  }

  const trainVars = trainable.trainableVariables();
  const varList = [...trainVars.values()];
  const nameOf = new Map<string, string>();
  for (const [k, v] of trainVars) nameOf.set(v.name, k);
  const progress = new Progress(options.label ?? 'train', steps, step, options.logEvery ?? 10, options.progress ?? true);
  const iterator = data.batches(position)[Symbol.asyncIterator]();
  let lastRecord: StepRecord | null = null;
  let lastCheckpoint: string | null = null;
  let updatesThisCall = 0;

  const save = async (record: StepRecord | null) => {
    const metrics: Record<string, number> = record ? { loss: record.loss, ...record.terms } : {};
    const state = {
      format: TRAIN_STATE_FORMAT,
      step,
      totalSteps: steps,
      optimizerT: optimizer.t,
      position,
      extra: trainable.saveState?.() ?? null,
      metrics,
      config: options.config ?? null,
      savedAt: new Date().toISOString(),
    };
    lastCheckpoint = await writeTrainCheckpoint(ckDir, state, trainable.stateVariables(), optimizer.stateTensors());
    const protect: string[] = [];
    if (options.keepBest && record) {
      const value = options.keepBest.metric === 'loss' ? record.loss : Number(record.terms[options.keepBest.metric] ?? record[options.keepBest.metric]);
      const better = best === null || (options.keepBest.mode === 'min' ? value < best.value : value > best.value);
      if (Number.isFinite(value) && better) {
        best = { value, dir: stepDirName(step) };
        await writeTrainCheckpoint(join(outDir, 'best'), state, trainable.stateVariables(), optimizer.stateTensors());
      }
    }
    await pruneCheckpoints(ckDir, options.keepLast ?? 3, protect);
    log.write({ event: 'checkpoint', step, path: lastCheckpoint, time: new Date().toISOString() });
  };

  try {
    while (step < steps) {
      const t0 = performance.now();
      const lr = warmupCosine(step, { peak: options.lr.peak, end: options.lr.end ?? 0, warmup: options.lr.warmup ?? 0, total: steps, start: options.lr.start });
      const weightDecay = options.weightDecay ? cosine(step, { start: options.weightDecay.start, end: options.weightDecay.end ?? options.weightDecay.start, total: steps }) : 0;
      let grads = new Map<string, tf.Tensor>();
      const terms: Record<string, number> = {};
      let lossSum = 0;
      let ctx: StepContext | null = null;
      for (let micro = 0; micro < accumulate; micro++) {
        const next = await iterator.next();
        if (next.done) throw new TrainConfigError('the data source ended before the run did; DataSource.batches must cycle over epochs');
        const { batch, next: after } = next.value;
        ctx = { step, totalSteps: steps, micro, lr, weightDecay, rng: Rng.derive(seed, 'step', step, micro) };
        const c = ctx;
        let total: number;
        let termValues: (readonly [string, number])[];
        let g: Record<string, tf.Tensor>;
        if (options.gradients) {
          const r = await options.gradients(batch, c);
          total = r.loss;
          termValues = Object.entries(r.terms);
          const unknown = [...r.grads.keys()].filter((name) => !trainVars.has(name));
          if (unknown.length) {
            tf.dispose([...r.grads.values()]);
            throw new TrainConfigError(`options.gradients returned gradients for ${unknown.slice(0, 5).join(', ')}, which are not trainable variables`);
          }
          g = {};
          for (const [name, gt] of r.grads) {
            g[trainVars.get(name)!.name] = accumulate > 1 ? tf.div(gt, accumulate) : gt;
            if (accumulate > 1) gt.dispose();
          }
        } else {
          trainable.prepare?.(batch, c);
          let kept: Record<string, tf.Scalar> = {};
          const { value, grads } = tf.variableGrads(() => {
            const r = trainable.loss(batch, c);
            kept = Object.fromEntries(Object.entries(r.terms).map(([k, t]) => [k, tf.keep(t)]));
            return accumulate > 1 ? tf.div(r.total, accumulate) : r.total;
          }, varList);
          g = grads;
          total = value.dataSync()[0]! * accumulate;
          termValues = Object.entries(kept).map(([k, t]) => [k, t.dataSync()[0]!] as const);
          tf.dispose([...new Set<tf.Tensor>([value, ...Object.values(kept)])]);
        }
        for (const [k, v] of termValues) {
          assertFinite(step, k, v);
          terms[k] = (terms[k] ?? 0) + v / accumulate;
        }
        assertFinite(step, 'loss', total);
        lossSum += total / accumulate;
        for (const [tfName, gt] of Object.entries(g)) {
          const name = nameOf.get(tfName);
          if (!name || !gt) continue; // a variable this loss does not reach has no gradient
          const prev = grads.get(name);
          if (prev) {
            grads.set(name, tf.add(prev, gt));
            prev.dispose();
            gt.dispose();
          } else grads.set(name, gt);
        }
        data.release?.(batch);
        position = after;
      }
      const clipped = clipGradNorm(grads, options.clipGrad ?? 0);
      grads = clipped.grads;
      if (!Number.isFinite(clipped.norm)) {
        tf.dispose([...grads.values()]);
        throw new TrainingDivergedError(step, 'gradient norm', clipped.norm);
      }
      optimizer.step(trainVars, grads, lr, weightDecay);
      tf.dispose([...grads.values()]);
      trainable.afterStep?.(ctx!);
      step += 1;
      updatesThisCall += 1;
      const ms = performance.now() - t0;
      const images = (data.imagesPerBatch ?? 0) * accumulate;
      lastRecord = {
        step,
        time: new Date().toISOString(),
        lr,
        weightDecay,
        loss: lossSum,
        terms,
        gradNorm: clipped.norm,
        msPerStep: ms,
        imagesPerSec: images > 0 ? (1000 * images) / ms : 0,
        rssMb: process.memoryUsage().rss / 2 ** 20,
        numTensors: tf.memory().numTensors,
        ...(data.skips ? { skippedImages: data.skips().skipped } : {}),
        ...(trainable.metrics?.(ctx!) ?? {}),
      };
      log.write(lastRecord as unknown as Record<string, unknown>);
      options.onStep?.(lastRecord);
      progress.update({ step, total: steps, loss: lossSum, imagesPerSec: lastRecord.imagesPerSec });
      const every = options.checkpointEvery ?? 0;
      if ((every > 0 && step % every === 0) || step === steps) await save(lastRecord);
      if (options.stopAfter !== undefined && updatesThisCall >= options.stopAfter && step < steps) break;
    }
  } finally {
    progress.stop();
    optimizer.dispose();
    await iterator.return?.(undefined);
  }
  // Every run ends with what the data skipped (missing, corrupt images), on stderr and in metrics.jsonl.
  const skips = data.skips?.();
  if (skips) {
    log.write({ event: 'skips', step, seen: skips.seen, skipped: skips.skipped, paths: skips.paths, time: new Date().toISOString() });
    if (skips.skipped > 0) {
      process.stderr.write(
        `${options.label ?? 'train'}: skipped ${skips.skipped} of ${skips.seen} images (${((100 * skips.skipped) / Math.max(1, skips.seen)).toFixed(1)}%) that could not be read; first: ${skips.paths.slice(0, 3).join(', ')}\n`,
      );
    }
  }
  return { step, lastRecord, checkpoint: lastCheckpoint, resumedFrom, skips };
}
