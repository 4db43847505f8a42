import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DataParallelPool, ParallelError, shardRanges } from '@tips/runtime';
import type { TipsBatch } from '@tips/data';
import type { StepContext, Trainable } from '../loop/types';
import type { ExternalGradients } from '../loop/train-loop';
import type { TipsModel } from '../tips/model';
import type { TipsObjective } from '../tips/objective';
import { applyCentreStats, centreStatShapes, readCentreStats } from './centre-stats';
import { HASH_METRIC, LOSS_METRIC, TERM_PREFIX, type TipsShard, type TipsWorkerInit } from './protocol';
import { sliceTipsBatch } from './tips-shard';

/** `optim.workers` as a count: 'auto' → os.availableParallelism(); absent → 1. */
export function resolveWorkers(workers: number | 'auto' | undefined): number {
  if (workers === undefined) return 1;
  if (workers === 'auto') return availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new ParallelError(`optim.workers must be a positive integer or 'auto'; got ${String(workers)}`);
  return workers;
}

/** dist/tips-worker.cjs: next to the built module, or in ../../dist from src/parallel (jest). */
function findWorkerModule(explicit?: string): string {
  const candidates = explicit ? [explicit] : [join(__dirname, 'tips-worker.cjs'), join(__dirname, '..', '..', 'dist', 'tips-worker.cjs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ParallelError(`cannot find the TIPS worker module (looked for ${candidates.join(', ')}); build it with \`npm run build -w @tips/trainer\``);
  return found;
}

export interface TipsDataParallelOptions {
  model: TipsModel;
  objective: TipsObjective;
  /** The text tower's vocabulary size (the tokenizer's), to rebuild the model in the workers. */
  vocabSize: number;
  /** Worker threads (default os.availableParallelism()). */
  workers?: number;
  /** Workers report a hash of the weights each step used (`lastStep.weightsHashes`); for tests. */
  checkWeights?: boolean;
  /** Path of the worker module (default: the package's dist/tips-worker.cjs). */
  workerModule?: string;
}

/** What the last step did in the workers. */
export interface ParallelStepInfo {
  /** Each worker's gradient computation, ms. */
  computeMs: number[];
  /** The reduction (slowest worker), ms. */
  reduceMs: number;
  /** Each worker's live tfjs tensors after its step (constant from step to step: no leaks). */
  workerTensors: number[];
  /** With checkWeights: each worker's hash of the weights it computed with. */
  weightsHashes?: number[];
  /** Each worker's loss on its shard. */
  shardLosses: number[];
}

/**
 * Data-parallel TIPS training over worker threads (DataParallelPool of @tips/runtime): the batch
 * is split by rows into one shard per worker; each worker (its own wasm backend, one core) runs the
 * teacher's forward pass and the objective's forward and backward passes on its shard; the pool
 * averages the gradients (weighted by rows, fixed summation order: deterministic). The main thread
 * keeps the model of record — student, EMA teacher, centres, logit scale — and the training loop
 * (AdamW, clipping, NaN guard, checkpoints, exact resume) runs there unchanged: pass `gradients` and
 * `trainable` to train().
 *
 * Semantics with N > 1 workers: the distillation and MIM terms and the centre updates equal the
 * whole-batch ones (up to float rounding: per-row teacher targets, means weighted by rows); each
 * CLIP term is contrastive within a worker's shard of B/N pairs (open_clip's loss without gathering
 * features across processes), the average of the shards' losses. Sinkhorn-Knopp centring, when
 * chosen, normalises over a worker's shard too. Drop path draws from a per-worker stream.
 */
export class TipsDataParallel {
  /** The Trainable for train(): the objective, with the centre updates from the workers' statistics. */
  readonly trainable: Trainable<TipsBatch>;
  /** train()'s `gradients` option. */
  readonly gradients: (batch: TipsBatch, ctx: StepContext) => Promise<ExternalGradients>;
  lastStep: ParallelStepInfo | null = null;
  private pendingStats: Record<string, Float32Array>[] = [];

  private constructor(
    private readonly pool: DataParallelPool<TipsShard>,
    private readonly model: TipsModel,
    private readonly objective: TipsObjective,
  ) {
    this.gradients = (batch, ctx) => this.step(batch, ctx);
    this.trainable = this.makeTrainable();
  }

  /** Starts the workers (each builds the model from the config) and waits until they are ready. */
  static async create(options: TipsDataParallelOptions): Promise<TipsDataParallel> {
    const { model, objective } = options;
    const config = structuredClone(model.config);
    delete config.model.vision.init;
    delete config.model.text.init;
    const params = [...[...model.stateVariables()].map(([name, v]) => ({ name, shape: v.shape })), ...centreStatShapes(model)];
    const init: TipsWorkerInit = { config, vocabSize: options.vocabSize, checkWeights: options.checkWeights ?? false };
    const pool = await DataParallelPool.create<TipsShard, TipsWorkerInit>({ module: findWorkerModule(options.workerModule), params, workers: options.workers, init });
    return new TipsDataParallel(pool, model, objective);
  }

  get workers(): number {
    return this.pool.size;
  }

  /** Publishes the main thread's weights (student, teacher, centres) to the workers. */
  private publish(): void {
    for (const [name, v] of this.model.stateVariables()) this.pool.weights.get(name)!.set(v.dataSync() as Float32Array);
    this.pool.weightsChanged();
  }

  private async step(batch: TipsBatch, ctx: StepContext): Promise<ExternalGradients> {
    const n = this.pool.size;
    if (batch.size < n) throw new ParallelError(`a batch of ${batch.size} cannot be split over ${n} workers; use a batch of at least ${n} or fewer workers (optim.workers)`);
    // The weights change once per optimiser update; micro-batches of an accumulation share them.
    if (ctx.micro === 0 || this.pool.weightsVersion === 0) this.publish();
    const rng = ctx.rng.state();
    const shards: TipsShard[] = shardRanges(batch.size, n).map(([a, b]) => ({
      batch: sliceTipsBatch(batch, a, b),
      step: ctx.step,
      totalSteps: ctx.totalSteps,
      micro: ctx.micro,
      lr: ctx.lr,
      weightDecay: ctx.weightDecay,
      rng,
    }));
    const r = await this.pool.step(shards);
    const W = r.shardWeights.reduce((a, b) => a + b, 0);
    const mean = (key: string) => r.metrics.reduce((acc, m, i) => acc + m[key]! * r.shardWeights[i]!, 0) / W;
    const terms: Record<string, number> = {};
    for (const key of Object.keys(r.metrics[0] ?? {})) if (key.startsWith(TERM_PREFIX)) terms[key.slice(TERM_PREFIX.length)] = mean(key);
    this.pendingStats.push(readCentreStats(r.grads));
    const grads = new Map<string, tf.Tensor>();
    for (const [name, v] of this.objective.trainableVariables()) grads.set(name, tf.tensor(r.grads.get(name)!.slice(), v.shape, 'float32'));
    this.lastStep = {
      computeMs: r.timings.compute,
      reduceMs: r.timings.reduce,
      workerTensors: r.metrics.map((m) => m.tensors!),
      shardLosses: r.metrics.map((m) => m[LOSS_METRIC]!),
      ...(r.metrics[0]?.[HASH_METRIC] !== undefined ? { weightsHashes: r.metrics.map((m) => m[HASH_METRIC]!) } : {}),
    };
    return { loss: mean(LOSS_METRIC), terms, grads };
  }

  private makeTrainable(): Trainable<TipsBatch> {
    const o = this.objective;
    return {
      trainableVariables: () => o.trainableVariables(),
      stateVariables: () => o.stateVariables(),
      loss: () => {
        throw new ParallelError('the data-parallel TIPS objective computes its loss in the workers; pass TipsDataParallel.gradients to train()');
      },
      afterStep: (ctx) => {
        for (const s of this.pendingStats) applyCentreStats(this.model, s);
        this.pendingStats = [];
        o.afterStep(ctx);
      },
      metrics: (ctx) => ({
        ...o.metrics(ctx),
        workers: this.pool.size,
        ...(this.lastStep ? { worker_compute_ms_max: Math.max(...this.lastStep.computeMs), reduce_ms: this.lastStep.reduceMs } : {}),
      }),
    };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
