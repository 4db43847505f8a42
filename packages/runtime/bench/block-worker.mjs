// Gradient module for the data-parallel block bench: each worker computes the block's gradients on
// its rows of the batch (mean loss over its rows, shard weight = rows, so the reduced gradient is
// that of the whole-batch mean) and updates its segment of the weights with Adam (FlatAdam).
import * as tf from '@tensorflow/tfjs-core';
import { FlatAdam } from '@tips/runtime';
import { blockForward } from './block.mjs';

let adam = null;

export function setup(ctx) {
  adam = new FlatAdam({ lr: ctx.init.lr, eps: ctx.init.eps });
}

export function computeGradients(shard, weights, ctx) {
  const names = weights.names;
  const ws = names.map((n) => weights.tensor(n));
  const { value, grads } = tf.tidy(() => {
    const x = tf.tensor3d(shard.x, [shard.rows, shard.T, shard.D]);
    const target = tf.tensor3d(shard.target, [shard.rows, shard.T, shard.D]);
    const f = (...params) => {
      const p = Object.fromEntries(names.map((n, i) => [n, params[i]]));
      return tf.mean(tf.square(tf.sub(blockForward(p, x, ctx.init.heads), target)));
    };
    return tf.valueAndGrads(f)(ws);
  });
  const loss = value.dataSync()[0];
  value.dispose();
  return { grads: Object.fromEntries(names.map((n, i) => [n, grads[i]])), weight: shard.rows, metrics: { loss } };
}

export function applyUpdate(segment) {
  adam.update(segment);
}
