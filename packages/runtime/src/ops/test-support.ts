import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../rng';

/** A seeded N(0, std²) tensor (the ops tests' inputs; not part of the package's exports). */
export function randn(shape: number[], seed: number, std = 1): tf.Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(r.fill(new Float32Array(n), (x) => x.normal(0, std)), shape);
}
