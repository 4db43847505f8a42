import * as tf from '@tensorflow/tfjs-core';
import { initBackend, readNpz, toFloat32 } from '@tips/runtime';
import { fixture } from '../../../test-utils/fixtures';
import { maxAbsDiff } from '../../../test-utils/compare';
import { loadVisionCheckpoint } from './checkpoint';

const manifest = require(fixture('official-tiny', 'manifest.json')) as Record<
  string,
  { file: string; io: string; inputs_hw: [number, number][]; embed_dim: number; num_heads: number; depth: number; ffn_layer: string }
>;
const cases = Object.entries(manifest).filter(([k]) => k.startsWith('vision_'));

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe.each(cases)('official fixture %s', (_name, c) => {
  it('reproduces cls1, cls2 and patch tokens of the official implementation to 1e-4 for every input size', async () => {
    const model = await loadVisionCheckpoint(fixture('official-tiny', c.file), {
      config: { embedDim: c.embed_dim, depth: c.depth, heads: c.num_heads, mlpHidden: 4 * c.embed_dim, ffn: c.ffn_layer === 'mlp' ? 'mlp' : 'swiglu' },
      variant: 'S',
    });
    const io = await readNpz(fixture('official-tiny', c.io));
    for (let i = 0; i < c.inputs_hw.length; i++) {
      const [H, W] = c.inputs_hw[i]!;
      const image = tf.tidy(() => tf.transpose(tf.tensor(toFloat32(io[`image_${i}`]!), [1, 3, H, W]), [0, 2, 3, 1])) as tf.Tensor4D;
      // The first call at a new size caches its position-embedding resize matrix (one tensor per size).
      tf.dispose(Object.values(model.forward(image)).filter((v) => v instanceof tf.Tensor) as tf.Tensor[]);
      const before = tf.memory().numTensors;
      const out = model.forward(image);
      expect(out.grid).toEqual([H / 14, W / 14]);
      expect(maxAbsDiff(out.cls1.dataSync() as Float32Array, toFloat32(io[`cls1_${i}`]!))).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.cls2.dataSync() as Float32Array, toFloat32(io[`cls2_${i}`]!))).toBeLessThan(1e-4);
      expect(maxAbsDiff(out.patches.dataSync() as Float32Array, toFloat32(io[`patches_${i}`]!))).toBeLessThan(1e-4);
      tf.dispose([out.cls1, out.cls2, out.patches]);
      expect(tf.memory().numTensors).toBe(before);
      image.dispose();
    }
    model.dispose();
  });
});
