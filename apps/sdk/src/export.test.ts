import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { encodeSafetensors, initBackend, readNpz, tensorToWrite } from '@tips/runtime';
import { saveTextCheckpoint, TextTransformer, type TextConfig } from '@tips/text-encoder';
import { saveVisionCheckpoint, VisionTransformer, type VitConfig } from '@tips/vit-core';
import { ExportError, ModelLoadError } from './errors';
import { exportTextOnnx, exportVisionOnnx, parseSize } from './export';
import { summarizeModel } from './onnx/proto';
import { loadOrt, type OrtRuntime } from './ort/runtime';
import { f32, maxAbsDiff, officialTiny, readIo, TINY_MLP_CONFIG } from './test-utils';

const SWIGLU_CONFIG: Partial<VitConfig> = { embedDim: 48, depth: 2, heads: 3, mlpHidden: 192, ffn: 'swiglu' };

async function runVision(rt: OrtRuntime, bytes: Uint8Array, pixels: Float32Array, H: number, W: number) {
  const s = await rt.ort.InferenceSession.create(bytes, rt.sessionOptions);
  try {
    const out = await s.run({ pixel_values: new rt.ort.Tensor('float32', pixels, [1, 3, H, W]) });
    return { cls1: out.cls1!.data as Float32Array, cls2: out.cls2!.data as Float32Array, patches: out.patches!.data as Float32Array };
  } finally {
    await s.release();
  }
}

let node: OrtRuntime;
let web: OrtRuntime;
const tmp = mkdtempSync(join(tmpdir(), 'tips-sdk-export-'));

beforeAll(async () => {
  node = await loadOrt({ backend: 'node' });
  web = await loadOrt({ backend: 'web' });
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

test('parseSize reads 448, "448x336", [h, w]', () => {
  expect(parseSize(448)).toEqual([448, 448]);
  expect(parseSize('448x336')).toEqual([448, 336]);
  expect(parseSize([28, 42])).toEqual([28, 42]);
  expect(() => parseSize('big')).toThrow(ExportError);
});

test('float16 weights: half the file, outputs within 2e-2 of the official ones', async () => {
  const io = await readIo(officialTiny('tiny_swiglu_vision_io.npz'));
  const fp32 = await exportVisionOnnx(officialTiny('tiny_swiglu_vision.npz'), { config: SWIGLU_CONFIG, size: 70 });
  const fp16 = await exportVisionOnnx(officialTiny('tiny_swiglu_vision.npz'), { config: SWIGLU_CONFIG, size: 70, weightDtype: 'float16' });
  expect(fp16.bytes.length).toBeLessThan(0.6 * fp32.bytes.length);
  expect(summarizeModel(fp16.bytes).metadata['tips.weight_dtype']).toBe('float16');
  const out = await runVision(node, fp16.bytes, f32(io.image_1), 70, 70);
  const err = maxAbsDiff(out.patches, f32(io.patches_1));
  expect(err).toBeLessThan(2e-2);
  expect(err).toBeGreaterThan(0); // really rounded
});

test.each([
  ['node', () => node],
  ['web', () => web],
] as const)('opt-in com.microsoft fused Attention matches the official outputs on onnxruntime-%s', async (_n, rt) => {
  const io = await readIo(officialTiny('tiny_mlp_vision_io.npz'));
  const { bytes } = await exportVisionOnnx(officialTiny('tiny_mlp_vision.npz'), { config: TINY_MLP_CONFIG, size: [84, 56], attention: 'com.microsoft' });
  const s = summarizeModel(bytes);
  expect(s.opTypes).toContain('com.microsoft.Attention');
  expect(s.opTypes).not.toContain('Softmax');
  const out = await runVision(rt(), bytes, f32(io.image_2), 84, 56);
  expect(maxAbsDiff(out.patches, f32(io.patches_2))).toBeLessThan(1e-4);
  expect(maxAbsDiff(out.cls1, f32(io.cls1_2))).toBeLessThan(1e-4);

  const text = await exportTextOnnx(officialTiny('tiny_text.npz'), { heads: 2, attention: 'com.microsoft' });
  const tio = await readIo(officialTiny('tiny_text_io.npz'));
  const session = await rt().ort.InferenceSession.create(text.bytes, rt().sessionOptions);
  const res = await session.run({
    ids: new (rt().ort.Tensor)('int64', tio.ids!.data as BigInt64Array, [3, 64]),
    paddings: new (rt().ort.Tensor)('float32', f32(tio.paddings), [3, 64]),
  });
  expect(maxAbsDiff(res.embedding!.data as Float32Array, f32(tio.embedding))).toBeLessThan(1e-4);
  await session.release();
});

test('a Hugging Face-style safetensors file with a prefix and config.json beside it', async () => {
  const npz = await readNpz(officialTiny('tiny_mlp_vision.npz'));
  const file = join(tmp, 'model.safetensors');
  writeFileSync(file, await encodeSafetensors(Object.entries(npz).map(([k, t]) => tensorToWrite(`vision_encoder.${k}`, t))));
  writeFileSync(join(tmp, 'config.json'), JSON.stringify({ model_type: 'tipsv2', vision_fn: 'vit_small', ffn_layer: 'mlp', patch_size: 14 }));
  const { bytes, size } = await exportVisionOnnx(file, { config: TINY_MLP_CONFIG });
  expect(size).toEqual([56, 56]);
  const io = await readIo(officialTiny('tiny_mlp_vision_io.npz'));
  const out = await runVision(node, bytes, f32(io.image_0), 56, 56);
  expect(maxAbsDiff(out.cls2, f32(io.cls2_0))).toBeLessThan(1e-4);
});

test('our tfjs image tower (@tips/vit-core, saved in our format) and its ONNX export agree to 1e-4', async () => {
  // A random tower (seeded) at a size that is neither native nor square, saved in vit-core's own
  // safetensors format; exported from that file and run on ONNX Runtime vs vit-core's forward on tfjs.
  const config: VitConfig = { embedDim: 64, depth: 2, heads: 4, mlpHidden: 256, ffn: 'mlp', patchSize: 14, posGrid: 4, registers: 1, eps: 1e-6, layerScale: true, qkvBias: true };
  const model = VisionTransformer.init(config, { seed: 11, layerScaleInit: 0.7 });
  const file = join(tmp, 'ours.safetensors');
  await saveVisionCheckpoint(model, file);
  const [H, W] = [70, 42];
  const pixels = new Float32Array(3 * H * W).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const before = tf.memory().numTensors;
  const image = tf.tidy(() => tf.transpose(tf.tensor4d(pixels, [1, 3, H, W]), [0, 2, 3, 1])) as tf.Tensor4D;
  const ref = model.forward(image);
  const refCls1 = (await ref.cls1.data()) as Float32Array;
  const refPatches = (await ref.patches.data()) as Float32Array;
  tf.dispose([image, ref.cls1, ref.cls2, ref.patches]);
  model.dispose();
  const { bytes, config: read } = await exportVisionOnnx(file, { size: [H, W] });
  expect(read.embedDim).toBe(64);
  const out = await runVision(node, bytes, pixels, H, W);
  expect(maxAbsDiff(out.cls1, refCls1)).toBeLessThan(1e-4);
  expect(maxAbsDiff(out.patches, refPatches)).toBeLessThan(1e-4);
  expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1); // vit-core caches one resize matrix per size
});

test('our tfjs text tower (@tips/text-encoder, saved in our format) and its ONNX export agree to 1e-4', async () => {
  // A random tower (seeded) with an odd width (zero-padded sinusoid column) and 3 heads, our format.
  const config: TextConfig = { hiddenSize: 30, mlpDim: 50, numHeads: 3, numLayers: 2, vocabSize: 40, maxLen: 64, eps: 1e-5 };
  const model = TextTransformer.init(config, { seed: 5 });
  const file = join(tmp, 'text.safetensors');
  await saveTextCheckpoint(model, file);
  const B = 3;
  const L = 9;
  const lengths = [9, 4, 1];
  const ids = new Int32Array(B * L);
  const pads = new Float32Array(B * L);
  for (let b = 0; b < B; b++) for (let j = 0; j < L; j++) {
    if (j < lengths[b]!) ids[b * L + j] = 1 + ((b * 7 + j * 13) % 39);
    else pads[b * L + j] = 1;
  }
  const before = tf.memory().numTensors;
  const idsT = tf.tensor2d(ids, [B, L], 'int32');
  const padsT = tf.tensor2d(pads, [B, L]);
  const refT = model.forward(idsT, padsT);
  const ref = (await refT.data()) as Float32Array;
  tf.dispose([idsT, padsT, refT]);
  model.dispose();
  expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
  const { bytes } = await exportTextOnnx(file);
  expect(summarizeModel(bytes).metadata['tips.config']).toContain('"heads":3');
  const s = await node.ort.InferenceSession.create(bytes, node.sessionOptions);
  const out = await s.run({ ids: new node.ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, L]), paddings: new node.ort.Tensor('float32', pads, [B, L]) });
  await s.release();
  expect(maxAbsDiff(out.embedding!.data as Float32Array, ref)).toBeLessThan(1e-4);
});

test('export refuses bad sizes, wrong towers and mismatched variants with typed errors', async () => {
  await expect(exportVisionOnnx(officialTiny('tiny_mlp_vision.npz'), { config: TINY_MLP_CONFIG, size: 50 })).rejects.toBeInstanceOf(ExportError);
  await expect(exportVisionOnnx(officialTiny('tiny_text.npz'))).rejects.toBeInstanceOf(ModelLoadError);
  await expect(exportTextOnnx(officialTiny('tiny_mlp_vision.npz'))).rejects.toBeInstanceOf(ModelLoadError);
  await expect(exportVisionOnnx(officialTiny('tiny_mlp_vision.npz'), { variant: 'B' })).rejects.toThrow(/2 blocks but the B configuration has 12/);
  await expect(exportTextOnnx(officialTiny('tiny_text.npz'))).rejects.toThrow(/width 32 is not a published text tower/);
});
