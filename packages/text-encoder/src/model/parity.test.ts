import * as tf from '@tensorflow/tfjs-core';
import { initBackend, readNpz, toFloat32, toInt32 } from '@tips/runtime';
import { fixture } from '../../../../test-utils/fixtures';
import { maxAbsDiff } from '../../../../test-utils/compare';
import { loadTextCheckpoint } from '../checkpoint/load';

const manifest = require(fixture('official-tiny', 'manifest.json')) as Record<
  string,
  { file: string; io: string; config: { hidden_size: number; mlp_dim: number; num_heads: number; num_layers: number }; vocab_size: number }
>;
const c = manifest.text_tiny!;

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('official fixture text_tiny', () => {
  it('reproduces the pooled embeddings of the official TextEncoder to 1e-4 (full, padded and one-token rows)', async () => {
    const model = await loadTextCheckpoint(fixture('official-tiny', c.file), { config: { numHeads: c.config.num_heads } });
    expect(model.config).toMatchObject({
      hiddenSize: c.config.hidden_size,
      mlpDim: c.config.mlp_dim,
      numHeads: c.config.num_heads,
      numLayers: c.config.num_layers,
      vocabSize: c.vocab_size,
    });
    expect(model.temperature).toBeNull();
    const io = await readNpz(fixture('official-tiny', c.io));
    const shape = io.ids!.shape as [number, number];
    const ids = tf.tensor2d(toInt32(io.ids!), shape, 'int32');
    const paddings = tf.tensor2d(toFloat32(io.paddings!), shape, 'float32');
    const before = tf.memory().numTensors;
    const out = model.forward(ids, paddings);
    expect(out.shape).toEqual([3, c.config.hidden_size]);
    const got = out.dataSync() as Float32Array;
    const want = toFloat32(io.embedding!);
    const err = maxAbsDiff(got, want);
    expect(err).toBeLessThan(1e-4);
    // Each row on its own too (row 1 has no padding, row 2 a single token).
    for (let r = 0; r < 3; r++) expect(maxAbsDiff(got.subarray(r * 32, (r + 1) * 32), want.subarray(r * 32, (r + 1) * 32))).toBeLessThan(1e-4);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, paddings]);
    model.dispose();
    process.stderr.write(`text_tiny parity on ${tf.getBackend()}: max abs error ${err.toExponential(2)}\n`);
  });
});
