// Shared by the trainer's tests: a micro TIPS configuration (tiny towers and heads that run in
// milliseconds) and a data source that repeats one batch forever.
import type { TipsBatch } from '@tips/data';
import type { DataSource } from '../loop/types';

/** Token vocabulary of the micro text tower. */
export const MICRO_VOCAB = 50;

/** Model and objective sizes of the micro configuration (merge data/optim per test). */
export const MICRO_MODEL = {
  model: {
    vision: { embedDim: 16, depth: 2, heads: 2, mlpHidden: 32, posGrid: 2, layerScaleInit: 0.1, dropPathRate: 0 },
    text: { hiddenSize: 16, mlpDim: 32, numHeads: 2, numLayers: 1, maxLen: 8 },
  },
  objective: {
    distill: { head: { prototypes: 32, hiddenDim: 32, bottleneckDim: 8 }, teacherTemp: { warmupSteps: 0 } },
    mim: { head: { prototypes: 32, hiddenDim: 32, bottleneckDim: 8 }, maskProbability: 1 },
  },
};

/** A data source yielding the same batch at every position. */
export function repeatBatch(batch: TipsBatch): DataSource<TipsBatch> {
  return {
    imagesPerBatch: batch.size,
    async *batches(from) {
      let i = from?.i ?? 0;
      for (;;) yield { batch, next: { i: ++i } };
    },
  };
}
