import type { FlatLayout } from './layout';

/** What the pool hands each worker at start (worker_threads workerData). */
export interface WorkerBoot {
  index: number;
  count: number;
  modulePath: string;
  backend: string;
  layout: FlatLayout;
  /** P float32: the current weights, written by the main thread (or by applyUpdate). */
  weights: SharedArrayBuffer;
  /** count × P float32: one gradient slot per worker; slot 0 receives the reduced result. */
  grads: SharedArrayBuffer;
  /** count float64: each worker's shard weight for the current step. */
  shardWeights: SharedArrayBuffer;
  init: unknown;
}

export type MainToWorker =
  | { type: 'compute'; step: number; version: number; shard: unknown }
  | { type: 'reduce'; step: number; update: boolean }
  | { type: 'close' };

export type WorkerToMain =
  | { type: 'ready' }
  | { type: 'computed'; step: number; metrics: Record<string, number>; weight: number; ms: number }
  | { type: 'reduced'; step: number; ms: number }
  | { type: 'error'; step: number; phase: string; message: string; stack?: string };
