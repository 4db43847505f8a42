import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  TensorFileError,
  fileShape,
  tensorShapes,
  type TensorFileReader,
  encodeNpz,
  initBackend,
  readNpz,
  toFloat32,
  toInt32,
  writeSafetensors,
  type TensorData,
} from '@tips/runtime';
import { fixture } from '../../../../test-utils/fixtures';
import type { TextTransformer } from '../model/text-transformer';
import { textPreset } from '../model/config';
import { textParamSpecs } from '../model/params';
import { findTextPrefix, resolveTextCheckpointConfig } from './resolve';
import { TEXT_FORMAT, TEXT_FORMAT_KEY } from './format';
import { loadTextCheckpoint, saveTextCheckpoint } from './load';

const WEIGHTS = fixture('official-tiny', 'tiny_text.npz');
let dir: string;
let weights: Record<string, TensorData>;
let io: Record<string, TensorData>;

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
  dir = mkdtempSync(join(tmpdir(), 'tips-text-ckpt-'));
  weights = await readNpz(WEIGHTS);
  io = await readNpz(fixture('official-tiny', 'tiny_text_io.npz'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Max abs error of a model's pooled output against the fixture's official embeddings. */
function fixtureError(model: TextTransformer): number {
  const shape = io.ids!.shape as [number, number];
  const got = tf.tidy(() => model.forward(tf.tensor2d(toInt32(io.ids!), shape, 'int32'), tf.tensor2d(toFloat32(io.paddings!), shape)).dataSync() as Float32Array);
  const want = toFloat32(io.embedding!);
  return got.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0);
}

function writeNpzFile(name: string, tensors: Record<string, TensorData>): string {
  const path = join(dir, name);
  writeFileSync(path, encodeNpz(tensors));
  return path;
}

const scalar = (v: number): TensorData => ({ dtype: 'float32', shape: [], data: Float32Array.of(v) });

describe('official npz', () => {
  test('needs the number of heads for a size that matches no preset, and says so', async () => {
    await expect(loadTextCheckpoint(WEIGHTS)).rejects.toThrow(/pass config: \{ numHeads \}/);
  });

  test('exposes `temperature` when the file holds it', async () => {
    const path = writeNpzFile('with-temperature.npz', { ...weights, temperature: scalar(0.0123) });
    const model = await loadTextCheckpoint(path, { config: { numHeads: 2 } });
    expect(model.temperature).toBeCloseTo(0.0123, 7);
    expect(fixtureError(model)).toBeLessThan(1e-4);
    model.dispose();
  });

  test('a preset-sized checkpoint is recognised from its shapes alone (heads from the preset)', async () => {
    // Only the header matters: a reader that knows the keys and shapes of an official So400m file.
    const specs = textParamSpecs(textPreset('So400m'));
    const reader = {
      path: 'so400m_text.npz',
      format: 'npz',
      keys: () => [...specs.map((s) => s.name), 'temperature'],
      has: (k: string) => specs.some((s) => s.name === k),
      info: async (k: string) => ({ name: k, dtype: 'float32', shape: fileShape(specs.find((s) => s.name === k)!) }),
    } as unknown as TensorFileReader;
    const config = await resolveTextCheckpointConfig(tensorShapes(reader, findTextPrefix(reader)), {});
    expect(config).toEqual(textPreset('So400m'));
    const custom = await resolveTextCheckpointConfig(tensorShapes(reader), { overrides: { numHeads: 8, maxLen: 32 } });
    expect(custom).toMatchObject({ hiddenSize: 1152, numLayers: 27, numHeads: 8, maxLen: 32 });
  });
});

describe('bad checkpoints are refused with the reason', () => {
  test('missing key', async () => {
    const { ['transformer.resblocks.1.mlp.c_fc.bias']: _gone, ...rest } = weights;
    const path = writeNpzFile('missing.npz', rest);
    const err = await loadTextCheckpoint(path, { config: { numHeads: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as CheckpointError).missing).toEqual(['transformer.resblocks.1.mlp.c_fc.bias']);
    expect((err as Error).message).toMatch(/missing 1 key\(s\): transformer\.resblocks\.1\.mlp\.c_fc\.bias/);
  });

  test('wrong shape and unexpected key', async () => {
    const bad = { ...weights, 'ln_final.weight': { dtype: 'float32', shape: [31], data: new Float32Array(31) } as TensorData, 'extra.thing': scalar(1) };
    const path = writeNpzFile('wrong-shape.npz', bad);
    const err = (await loadTextCheckpoint(path, { config: { numHeads: 2 } }).catch((e: unknown) => e)) as CheckpointError;
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.mismatched).toEqual([{ name: 'ln_final.weight', expected: [32], found: [31] }]);
    expect(err.unexpected).toEqual(['extra.thing']);
  });

  test('a checkpoint of another variant lists every mismatch', async () => {
    const err = (await loadTextCheckpoint(WEIGHTS, { variant: 'B' }).catch((e: unknown) => e)) as CheckpointError;
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.missing).toContain('transformer.resblocks.11.ln_2.bias');
    expect(err.mismatched.find((m) => m.name === 'token_embedding.weight')).toEqual({ name: 'token_embedding.weight', expected: [32000, 768], found: [100, 32] });
    expect(err.message).toMatch(/variant\/preset/);
  });

  test('truncated file, not a zip, an image-tower file, a missing file', async () => {
    const bytes = readFileSync(WEIGHTS);
    const truncated = join(dir, 'truncated.npz');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(loadTextCheckpoint(truncated, { config: { numHeads: 2 } })).rejects.toBeInstanceOf(TensorFileError);
    const text = join(dir, 'not-a-zip.npz');
    writeFileSync(text, 'this is a text file, not a checkpoint\n'.repeat(10));
    await expect(loadTextCheckpoint(text)).rejects.toBeInstanceOf(TensorFileError);
    await expect(loadTextCheckpoint(fixture('official-tiny', 'tiny_mlp_vision.npz'))).rejects.toThrow(/not a TIPS text-tower checkpoint/);
    await expect(loadTextCheckpoint(join(dir, 'nope.npz'))).rejects.toThrow(/no such file/);
  });

  test('NaN in the weights', async () => {
    const nan = toFloat32(weights['ln_final.bias']!).slice();
    nan[3] = NaN;
    const path = writeNpzFile('nan.npz', { ...weights, 'ln_final.bias': { dtype: 'float32', shape: [32], data: nan } });
    await expect(loadTextCheckpoint(path, { config: { numHeads: 2 } })).rejects.toThrow(/NaN or infinite/);
  });
});

describe('Hugging Face TIPSv2 safetensors', () => {
  test('tensors under a prefix beside vision tensors, sizes and temperature from config.json', async () => {
    const hfDir = mkdtempSync(join(dir, 'hf-'));
    const tensors = Object.entries(weights).map(([k, t]) => ({ name: `text_encoder.${k}`, dtype: t.dtype, shape: t.shape, data: t.data }));
    tensors.push({ name: 'vision_encoder.cls_token', dtype: 'float32', shape: [1, 1, 4], data: new Float32Array(4) });
    await writeSafetensors(join(hfDir, 'model.safetensors'), tensors);
    writeFileSync(
      join(hfDir, 'config.json'),
      JSON.stringify({ text_hidden_size: 32, text_mlp_dim: 64, text_num_heads: 2, text_num_layers: 2, vocab_size: 100, max_len: 64, temperature: 0.01 }),
    );
    const model = await loadTextCheckpoint(join(hfDir, 'model.safetensors'));
    expect(model.config).toMatchObject({ hiddenSize: 32, mlpDim: 64, numHeads: 2, numLayers: 2, vocabSize: 100, maxLen: 64 });
    expect(model.temperature).toBe(0.01);
    expect(fixtureError(model)).toBeLessThan(1e-4);
    model.dispose();
    // The config may also be given as an object, e.g. in a browser.
    const bytes = readFileSync(join(hfDir, 'model.safetensors'));
    const fromBytes = await loadTextCheckpoint(bytes, { hfConfig: { text_num_heads: 2, text_hidden_size: 32, text_mlp_dim: 64, text_num_layers: 2, vocab_size: 100 } });
    expect(fixtureError(fromBytes)).toBeLessThan(1e-4);
    fromBytes.dispose();
    await expect(loadTextCheckpoint(bytes)).rejects.toThrow(/numHeads/);
  });

  test('a config.json that is not JSON', async () => {
    const hfDir = mkdtempSync(join(dir, 'hf-bad-'));
    await writeSafetensors(join(hfDir, 'model.safetensors'), Object.entries(weights).map(([k, t]) => ({ name: k, dtype: t.dtype, shape: t.shape, data: t.data })));
    writeFileSync(join(hfDir, 'config.json'), '{ not json');
    await expect(loadTextCheckpoint(join(hfDir, 'model.safetensors'))).rejects.toThrow(/config\.json: not valid JSON/);
  });
});

describe('our format', () => {
  test('save → load keeps config, values and temperature; the file is safetensors with official layouts', async () => {
    const model = await loadTextCheckpoint(WEIGHTS, { config: { numHeads: 2, maxLen: 48 } });
    model.temperature = 0.02;
    const path = join(dir, 'ours.safetensors');
    await saveTextCheckpoint(model, path);
    const back = await loadTextCheckpoint(path);
    expect(back.config).toEqual(model.config);
    expect(back.temperature).toBeCloseTo(0.02, 7);
    expect(fixtureError(back)).toBeLessThan(1e-4);
    const { openTensorFile } = await import('@tips/runtime');
    const reader = await openTensorFile(path);
    expect(reader.metadata()[TEXT_FORMAT_KEY]).toBe(TEXT_FORMAT);
    expect((await reader.info('transformer.resblocks.0.attn.in_proj_weight')).shape).toEqual([96, 32]);
    expect(Array.from(toFloat32(await reader.read('transformer.resblocks.0.mlp.c_fc.weight')))).toEqual(
      Array.from(toFloat32(weights['transformer.resblocks.0.mlp.c_fc.weight']!)),
    );
    await reader.close();
    model.dispose();
    back.dispose();
  });
});
