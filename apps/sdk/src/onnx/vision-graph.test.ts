import type { VitConfig } from '@tips/vit-core';
import { loadVisionWeights } from '../checkpoint/vision';
import { loadOrt, type OrtRuntime } from '../ort/runtime';
import { f32, maxAbsDiff, readIo, visionCases } from '../test-utils';
import { summarizeModel } from './proto';
import { buildVisionGraph } from './vision-graph';

// Parity of the exported image tower with the official PyTorch outputs (fixtures/official-tiny):
// every case and input size, on onnxruntime-node and on onnxruntime-web (wasm) in Node.
const TOL = 1e-4;

function tinyConfig(c: ReturnType<typeof visionCases>[number]['config']): Partial<VitConfig> {
  return { embedDim: c.embed_dim, depth: c.depth, heads: c.num_heads, mlpHidden: 4 * c.embed_dim, ffn: c.ffn_layer === 'swiglu' ? 'swiglu' : 'mlp' };
}

describe.each(['node', 'web'] as const)('image tower ONNX vs official fixtures on onnxruntime-%s', (backend) => {
  let rt: OrtRuntime;
  beforeAll(async () => {
    rt = await loadOrt({ backend });
    expect(rt.backend).toBe(backend);
  });

  for (const c of visionCases()) {
    test(`${c.name}: ${c.inputsHw.map(([h, w]) => `${h}x${w}`).join(', ')}`, async () => {
      const { weights, config } = await loadVisionWeights(c.weights, { config: tinyConfig(c.config) });
      const io = await readIo(c.io);
      for (let i = 0; i < c.inputsHw.length; i++) {
        const [H, W] = c.inputsHw[i]!;
        const bytes = buildVisionGraph(weights, config, { height: H, width: W });
        const session = await rt.ort.InferenceSession.create(bytes, rt.sessionOptions);
        try {
          // Batch of two: the image and its copy, so that the batch axis is exercised.
          const img = f32(io[`image_${i}`]);
          const batch = new Float32Array(2 * img.length);
          batch.set(img);
          batch.set(img, img.length);
          const out = await session.run({ pixel_values: new rt.ort.Tensor('float32', batch, [2, 3, H, W]) });
          const D = config.embedDim;
          const N = (H / 14) * (W / 14);
          expect(out.cls1!.dims).toEqual([2, D]);
          expect(out.patches!.dims).toEqual([2, N, D]);
          for (const b of [0, 1]) {
            const cls1 = (out.cls1!.data as Float32Array).subarray(b * D, (b + 1) * D);
            const cls2 = (out.cls2!.data as Float32Array).subarray(b * D, (b + 1) * D);
            const patches = (out.patches!.data as Float32Array).subarray(b * N * D, (b + 1) * N * D);
            expect(maxAbsDiff(cls1, f32(io[`cls1_${i}`]))).toBeLessThan(TOL);
            expect(maxAbsDiff(cls2, f32(io[`cls2_${i}`]))).toBeLessThan(TOL);
            expect(maxAbsDiff(patches, f32(io[`patches_${i}`]))).toBeLessThan(TOL);
          }
        } finally {
          await session.release();
        }
      }
    });
  }
});

describe.each(['node', 'web'] as const)('one dynamic-size image tower (in-graph antialiased Resize, opset 18) on onnxruntime-%s', (backend) => {
  for (const c of visionCases()) {
    test(`${c.name}: every fixture size through one session`, async () => {
      const rt = await loadOrt({ backend });
      const { weights, config } = await loadVisionWeights(c.weights, { config: tinyConfig(c.config) });
      const bytes = buildVisionGraph(weights, config, { height: c.config.img_size, width: c.config.img_size, dynamicSize: true });
      const s = summarizeModel(bytes);
      expect(s.opsets).toEqual([{ domain: '', version: 18 }]);
      expect(s.inputs[0]!.dims).toEqual(['batch', 3, 'height', 'width']);
      expect(s.opTypes).toContain('Resize');
      const session = await rt.ort.InferenceSession.create(bytes, rt.sessionOptions);
      const io = await readIo(c.io);
      try {
        for (let i = 0; i < c.inputsHw.length; i++) {
          const [H, W] = c.inputsHw[i]!;
          const out = await session.run({ pixel_values: new rt.ort.Tensor('float32', f32(io[`image_${i}`]), [1, 3, H, W]) });
          expect(out.patches!.dims).toEqual([1, (H / 14) * (W / 14), config.embedDim]);
          expect(maxAbsDiff(out.patches!.data as Float32Array, f32(io[`patches_${i}`]))).toBeLessThan(TOL);
          expect(maxAbsDiff(out.cls1!.data as Float32Array, f32(io[`cls1_${i}`]))).toBeLessThan(TOL);
        }
      } finally {
        await session.release();
      }
    });
  }
});

test('the exported file declares opset 17, LayerNormalization, MatMul/Softmax attention and a dynamic batch', async () => {
  const c = visionCases()[0]!;
  const { weights, config } = await loadVisionWeights(c.weights, { config: tinyConfig(c.config) });
  const s = summarizeModel(buildVisionGraph(weights, config, { height: 56, width: 56 }));
  expect(s.opsets).toEqual([{ domain: '', version: 17 }]);
  expect(s.opTypes).toEqual(expect.arrayContaining(['LayerNormalization', 'MatMul', 'Softmax', 'Conv']));
  expect(s.inputs).toEqual([{ name: 'pixel_values', elemType: 1, dims: ['batch', 3, 56, 56] }]);
  expect(s.outputs.map((o) => [o.name, o.dims])).toEqual([
    ['cls1', ['batch', 32]],
    ['cls2', ['batch', 32]],
    ['patches', ['batch', 16, 32]],
  ]);
  expect(s.metadata['tips.kind']).toBe('vision');
});
