import type * as tf from '@tensorflow/tfjs-core';
import type { FlatLayout } from './layout';

/** What every call into a gradient module gets to know about its worker. */
export interface WorkerContext<Init = unknown> {
  /** This worker's index, 0 … count − 1 (also its gradient slot and reduction segment). */
  index: number;
  count: number;
  /** The `init` value given to DataParallelPool.create (structured-cloned). */
  init: Init;
  /** Where each parameter lives in the flat weight and gradient buffers. */
  layout: FlatLayout;
  /** tfjs backend this worker runs ('wasm' by default). */
  backend: string;
}

/**
 * The current weights as the main thread published them, read from shared memory. `array()` views
 * must not be written. `tensor()` tensors are created once per weights version and owned by the pool
 * (do not dispose them); `assign()` points tf.Variables at them (Variable.assign shares the data).
 */
export interface WeightSet {
  /** Increases whenever the weights change (setWeights, or an applyUpdate step). */
  readonly version: number;
  readonly names: readonly string[];
  shape(name: string): number[];
  array(name: string): Float32Array;
  tensor(name: string): tf.Tensor;
  /** Assigns every listed parameter to the variable of the same name (names not in `variables` are skipped). */
  assign(variables: Map<string, tf.Variable> | Record<string, tf.Variable>): void;
}

/** What computeGradients returns. Tensors in it are read and then disposed by the pool. */
export interface GradientResult {
  /**
   * Gradient per parameter name (same shapes as the layout). A parameter missing here counts as a
   * zero gradient (e.g. a parameter the shard's loss does not reach).
   */
  grads: Map<string, tf.Tensor | Float32Array> | Record<string, tf.Tensor | Float32Array>;
  /**
   * Weight of this shard in the average (default 1). Return the shard's sample count when each
   * worker's loss is a mean over its shard and the shards differ in size: the reduced gradient is
   * Σ weight·grad / Σ weight, i.e. the gradient of the mean over the whole batch.
   */
  weight?: number;
  /** Numbers to report back to the main thread (loss terms, counts). */
  metrics?: Record<string, number>;
}

/** The part of the flat buffers one worker updates in an applyUpdate step. */
export interface UpdateSegment {
  /** [start, end) in elements of the flat layout. */
  start: number;
  end: number;
  /** Views of the shared weights and of the reduced gradient over [start, end); write `weights` in place. */
  weights: Float32Array;
  grads: Float32Array;
  /** The parameters overlapping the segment: `name`, its part [from, to) in the parameter, and `at`, the offset in the segment. */
  parts: { name: string; from: number; to: number; at: number }[];
  /** The pool's step counter (1 for the first step). */
  step: number;
}

/**
 * The module a DataParallelPool loads in each worker (ESM or CommonJS, plain JavaScript at run time).
 * It is imported once per worker; module-level state (a model, an optimiser's moments) lives as
 * long as the pool.
 */
export interface GradientModule<Shard = unknown, Init = unknown> {
  /** Optional one-time setup (build the model, load data, …) after the backend is ready. */
  setup?(ctx: WorkerContext<Init>): void | Promise<void>;
  /** Gradients of the loss on `shard` at `weights`. Must be deterministic for reproducible steps. */
  computeGradients(shard: Shard, weights: WeightSet, ctx: WorkerContext<Init>): GradientResult | Promise<GradientResult>;
  /**
   * Optional sharded optimiser: called after the reduction when step(…, { update: true }), with the
   * segment of the flat buffers this worker reduced. It writes the new weights in place; every worker
   * sees them at the next step (no copy through the main thread).
   */
  applyUpdate?(segment: UpdateSegment, ctx: WorkerContext<Init>): void | Promise<void>;
}
