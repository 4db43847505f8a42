import type { DataPosition, DataSource, HeadBatch } from '@tips/trainer';
import { Rng } from '@tips/runtime';
import { EvalInputError } from '../errors';
import { disposeFeatures, featureBatch, type FeatureSet } from './feature-set';

export interface FeatureSourceOptions<Target> {
  /** Samples per batch (clipped to the number of samples). */
  batchSize: number;
  /** Seed of the per-epoch shuffles (Rng.derive(seed, 'probe-epoch', epoch)). */
  seed?: number;
  /** Samples to train on (default: all rows of the feature set). */
  indices?: readonly number[];
  /** Builds the batch target of the given samples (new tensors, freed by `releaseTarget`). */
  target: (indices: number[]) => Target;
  releaseTarget: (target: Target) => void;
}

function shuffled(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Batches of cached frozen features for a head (HeadBatch with `features`), cycling over epochs
 * with a seeded shuffle per epoch; a position {epoch, index} gives the same batches again (exact
 * resume in @tips/trainer's loop). Each batch's tensors are freed by `release` after its step.
 */
export function featureSource<Target>(set: FeatureSet, options: FeatureSourceOptions<Target>): DataSource<HeadBatch<Target>> {
  const pool = options.indices ? [...options.indices] : Array.from({ length: set.count }, (_, i) => i);
  if (pool.length === 0) throw new EvalInputError('a probe needs at least one training sample');
  const B = Math.max(1, Math.min(options.batchSize, pool.length));
  const seed = options.seed ?? 0;
  return {
    imagesPerBatch: B,
    async *batches(from: DataPosition | null) {
      let epoch = from?.epoch ?? 0;
      let index = from?.index ?? 0;
      for (;;) {
        const order = shuffled(pool.length, Rng.derive(seed, 'probe-epoch', epoch));
        // drop_last: every batch has B samples.
        while (index + B <= pool.length) {
          const idx = order.slice(index, index + B).map((k) => pool[k]!);
          index += B;
          yield { batch: { features: featureBatch(set, idx), target: options.target(idx) }, next: { epoch, index } };
        }
        epoch += 1;
        index = 0;
      }
    },
    release(batch) {
      if (batch.features) disposeFeatures(batch.features);
      options.releaseTarget(batch.target);
    },
  };
}
