import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@tips/runtime';
import { resolveTextConfig } from './config';
import { TextTransformer } from './text-transformer';
import { maxRelDiff } from '../../../../test-utils/compare';

// checkpointBlocks against the plain forward: same embeddings, loss and gradient of every parameter
// (tfjs's own gradients of the un-checkpointed path are the reference), padding included.

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('checkpointBlocks', () => {
  it('gives the loss and every parameter gradient of the plain forward', () => {
    const cfg = resolveTextConfig({ hiddenSize: 32, mlpDim: 64, numHeads: 2, numLayers: 2, vocabSize: 40, maxLen: 7 });
    const model = TextTransformer.init(cfg, { seed: 9 });
    const r = new Rng(4);
    const B = 5;
    const L = 7;
    const lens = [7, 3, 1, 5, 6];
    const idsArr = new Int32Array(B * L);
    const padArr = new Float32Array(B * L);
    for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) {
      if (l < lens[b]!) idsArr[b * L + l] = 1 + r.int(39);
      else padArr[b * L + l] = 1;
    }
    const ids = tf.tensor2d(idsArr, [B, L], 'int32');
    const pads = tf.tensor2d(padArr, [B, L]);
    const target = tf.tensor2d(r.fill(new Float32Array(B * 32), (q) => q.normal()), [B, 32]);
    const vars = [...model.params.variables().values()];
    const run = (checkpointBlocks: boolean) => {
      const { value, grads } = tf.variableGrads(
        () => tf.tidy(() => tf.sum(tf.mul(tf.tanh(model.forward(ids, pads, { checkpointBlocks })), target)) as tf.Scalar),
        vars,
      );
      const out = { loss: value.dataSync()[0]!, grads: new Map(vars.map((v) => [v.name, grads[v.name]!.dataSync()])) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const before = tf.memory().numTensors;
    const plain = run(false);
    const ckpt = run(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(ckpt.loss - plain.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(plain.loss));
    expect([...ckpt.grads.keys()]).toEqual([...plain.grads.keys()]);
    for (const [name, g] of plain.grads) {
      expect({ name, nonZero: g.some((v) => v !== 0) }).toEqual({ name, nonZero: true });
      expect({ name, ok: maxRelDiff(ckpt.grads.get(name)!, g) <= 1e-5 }).toEqual({ name, ok: true });
    }
    // Without a tape the option changes nothing.
    const e1 = tf.tidy(() => model.forward(ids, pads, { checkpointBlocks: true }).dataSync());
    const e0 = tf.tidy(() => model.forward(ids, pads).dataSync());
    expect(Array.from(e1)).toEqual(Array.from(e0));
    tf.dispose([ids, pads, target]);
    model.dispose();
  });
});
