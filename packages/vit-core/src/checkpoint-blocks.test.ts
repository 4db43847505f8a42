import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@tips/runtime';
import { VisionTransformer } from './model';
import { VIT_PRESETS, type VitConfig } from './config';
import { maxRelDiff } from '../../../test-utils/compare';

// checkpointBlocks against the plain (un-checkpointed) forward: same loss, same gradient of every
// parameter (tfjs's own gradients of the plain path are the reference), same Rng stream.

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

function images(B: number, H: number, W: number, seed = 1): tf.Tensor4D {
  const r = new Rng(seed);
  return tf.tensor4d(r.fill(new Float32Array(B * H * W * 3), (x) => x.uniform()), [B, H, W, 3]);
}

function lossAndGrads(model: VisionTransformer, x: tf.Tensor4D, masks: tf.Tensor2D, checkpointBlocks: boolean, dropPathRate: number) {
  const rng = new Rng(17);
  const vars = [...model.params.variables().values()];
  const { value, grads } = tf.variableGrads(
    () =>
      tf.tidy(() => {
        const o = model.forward(x, { masks, training: true, dropPathRate, rng, checkpointBlocks });
        const r = new Rng(3);
        const w = (t: tf.Tensor) => tf.tensor(r.fill(new Float32Array(t.size), (q) => q.normal()), t.shape);
        return tf.addN([tf.sum(tf.mul(o.cls1, w(o.cls1))), tf.sum(tf.mul(o.cls2, w(o.cls2))), tf.sum(tf.mul(tf.tanh(o.patches), w(o.patches)))]) as tf.Scalar;
      }),
    vars,
  );
  const out = { loss: value.dataSync()[0]!, grads: new Map(vars.map((v) => [v.name, grads[v.name]!.dataSync()])), rngAfter: rng.uniform() };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe.each([
  ['GELU MLP, LayerScale, qkv bias', { ...VIT_PRESETS.S, embedDim: 32, depth: 2, heads: 2, mlpHidden: 64, posGrid: 2 } as VitConfig],
  ['SwiGLU, no LayerScale, no qkv bias', { ...VIT_PRESETS.g, embedDim: 32, depth: 2, heads: 2, mlpHidden: 64, posGrid: 2, layerScale: false, qkvBias: false } as VitConfig],
])('checkpointBlocks (%s)', (_name, cfg) => {
  it('gives the loss and every parameter gradient of the plain forward, with drop path and masking', () => {
    const model = VisionTransformer.init(cfg, { seed: 5, layerScaleInit: 0.5 });
    const x = images(6, 28, 42);
    const masks = tf.tensor2d([[1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1], [1, 1, 0, 0, 0, 0]], [6, 6], 'bool');
    tf.dispose(model.forward(x).patches); // caches this size's position-embedding resize matrix
    const before = tf.memory().numTensors;
    const plain = lossAndGrads(model, x, masks, false, 0.5);
    const ckpt = lossAndGrads(model, x, masks, true, 0.5);
    const noDrop = lossAndGrads(model, x, masks, false, 0);
    expect(tf.memory().numTensors).toBe(before + 0);
    // Drop path is really active here (the loss differs from the one without it).
    expect(Math.abs(plain.loss - noDrop.loss)).toBeGreaterThan(1e-3);
    expect(Math.abs(ckpt.loss - plain.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(plain.loss));
    // The masks are drawn once per block, outside the recompute: the Rng stream is the same.
    expect(ckpt.rngAfter).toBe(plain.rngAfter);
    expect([...ckpt.grads.keys()]).toEqual([...plain.grads.keys()]);
    let nonZero = 0;
    for (const [name, g] of plain.grads) {
      expect({ name, err: maxRelDiff(ckpt.grads.get(name)!, g) <= 1e-5 }).toEqual({ name, err: true });
      if (g.some((v) => v !== 0)) nonZero++;
    }
    expect(nonZero).toBeGreaterThan(plain.grads.size - 4);
    tf.dispose([x, masks]);
    model.dispose();
  });
});
