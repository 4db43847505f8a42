import type { RngState } from '@tips/runtime';
import type { TipsBatch } from '@tips/data';
import type { TipsConfig } from '../tips/config';

/** What every TIPS worker gets once (DataParallelPool `init`, structured-cloned). */
export interface TipsWorkerInit {
  /** The run's config, with `model.*.init` removed: the weights come from shared memory. */
  config: TipsConfig;
  vocabSize: number;
  /** Report a hash of the weights each step was computed with (metric `weightsHash`; tests). */
  checkWeights?: boolean;
}

/** One worker's part of a micro-batch, with the loop's step context. */
export interface TipsShard {
  batch: TipsBatch;
  step: number;
  totalSteps: number;
  micro: number;
  lr: number;
  weightDecay: number;
  /** The loop's per-step random stream; each worker derives its own from it (drop path). */
  rng: RngState;
}

/** Metric names the worker reports besides each loss term (`term.<name>`). */
export const LOSS_METRIC = 'loss';
export const TERM_PREFIX = 'term.';
export const HASH_METRIC = 'weightsHash';
