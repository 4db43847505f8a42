import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@tips/runtime';

/** What the loop tells a Trainable about the step it is computing. */
export interface StepContext {
  /** 0-based index of the optimiser update being computed. */
  step: number;
  totalSteps: number;
  /** Micro-batch index within gradient accumulation. */
  micro: number;
  lr: number;
  weightDecay: number;
  /** Deterministic random source for this step and micro-batch: Rng.derive(seed, 'step', step, micro). */
  rng: Rng;
}

/** Loss of one (micro-)batch: the scalar to minimise and its named terms (for logs and the NaN guard). */
export interface LossResult {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/**
 * Anything the loop can train: the TIPS objective, a probe or custom head on frozen features, the
 * LRM head. The loop owns the optimiser, schedules, accumulation, clipping, checkpoints and logs.
 */
export interface Trainable<B> {
  /** Variables the optimiser updates, by stable name (frozen parts excluded). */
  trainableVariables(): Map<string, tf.Variable>;
  /** Every variable that makes up the run's state (trainable, frozen, teacher, centres...), by stable name. */
  stateVariables(): Map<string, tf.Variable>;
  /**
   * Work for a batch that needs no gradient (a teacher's forward pass), run before the gradient
   * tape so that it costs no tape memory; keep what loss() needs on `this` and free it in afterStep.
   */
  prepare?(batch: B, ctx: StepContext): void;
  /** The loss of a batch; runs inside the gradient tape (tensors it makes are freed by the loop). */
  loss(batch: B, ctx: StepContext): LossResult;
  /** After each optimiser update (EMA teacher, centre updates). */
  afterStep?(ctx: StepContext): void;
  /** Non-tensor state for checkpoints (JSON). */
  saveState?(): unknown;
  loadState?(state: unknown): void;
  /** Extra scalars to log at each step (temperatures, momentum...). */
  metrics?(ctx: StepContext): Record<string, number>;
}

/** A position in the data stream from which the same batches follow (JSON). */
export type DataPosition = Record<string, number>;

/** Batches for the loop; the same position must give the same batches (exact resume). */
export interface DataSource<B> {
  batches(from: DataPosition | null): AsyncIterable<{ batch: B; next: DataPosition }>;
  /** Images per batch, for the images/s metric. */
  imagesPerBatch?: number;
  /** Frees a batch's tensors once the step is done (default: nothing). */
  release?(batch: B): void;
  /** Images seen and skipped (missing, corrupt) so far in this process, for the run's summary and metrics.jsonl. */
  skips?(): SkipCounts;
}

/** What a data source skipped: counts and the first paths. */
export interface SkipCounts {
  seen: number;
  skipped: number;
  paths: string[];
}
