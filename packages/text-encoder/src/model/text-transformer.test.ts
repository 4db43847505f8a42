import * as tf from '@tensorflow/tfjs-core';
import { initBackend, numElements } from '@tips/runtime';
import { TextInputError } from '../errors';
import { TEXT_PRESETS, resolveTextConfig, textPreset, type TextConfig } from './config';
import { textParamSpecs } from './params';
import { sinusoidalPositions } from './positional';
import { TextTransformer } from './text-transformer';

const tiny: TextConfig = resolveTextConfig({ hiddenSize: 8, mlpDim: 12, numHeads: 2, numLayers: 2, vocabSize: 20, maxLen: 6 });

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

function run(model: TextTransformer, ids: number[][], pads: number[][]): Float32Array {
  const shape: [number, number] = [ids.length, ids[0]!.length];
  return tf.tidy(() => model.forward(tf.tensor2d(ids.flat(), shape, 'int32'), tf.tensor2d(pads.flat(), shape)).dataSync() as Float32Array);
}

describe('configs and parameters', () => {
  test('presets have the published text sizes and the closed-form parameter count', () => {
    expect([TEXT_PRESETS.S, TEXT_PRESETS.B, TEXT_PRESETS.L, TEXT_PRESETS.So400m, TEXT_PRESETS.g].map((c) => [c.hiddenSize, c.mlpDim, c.numHeads, c.numLayers])).toEqual([
      [384, 1536, 6, 12],
      [768, 3072, 12, 12],
      [1024, 4096, 16, 12],
      [1152, 4304, 16, 27],
      [1536, 6144, 24, 12],
    ]);
    for (const c of Object.values(TEXT_PRESETS)) {
      const D = c.hiddenSize;
      const M = c.mlpDim;
      const perBlock = 3 * D * D + 3 * D + D * D + D + 2 * D * M + M + D + 4 * D;
      const want = 32000 * D + c.numLayers * perBlock + 2 * D;
      expect(textParamSpecs(c).reduce((s, p) => s + numElements(p.shape), 0)).toBe(want);
    }
    expect(textPreset('so400M').numLayers).toBe(27);
    expect(() => textPreset('XL')).toThrow(TextInputError);
    expect(() => resolveTextConfig({ hiddenSize: 10, mlpDim: 4, numHeads: 3, numLayers: 1 })).toThrow(/multiple of numHeads/);
  });

  test('initialisation is seeded and follows the documented scheme', () => {
    const cfg = resolveTextConfig({ hiddenSize: 64, mlpDim: 96, numHeads: 4, numLayers: 1, vocabSize: 500 });
    const a = TextTransformer.init(cfg, { seed: 7 });
    const b = TextTransformer.init(cfg, { seed: 7 });
    const c = TextTransformer.init(cfg, { seed: 8 });
    const emb = a.params.get('token_embedding.weight').dataSync() as Float32Array;
    expect(Array.from(emb.subarray(0, 50))).toEqual(Array.from((b.params.get('token_embedding.weight').dataSync() as Float32Array).subarray(0, 50)));
    expect(emb[0]).not.toBe(c.params.get('token_embedding.weight').dataSync()[0]);
    const std = Math.sqrt(emb.reduce((s, v) => s + v * v, 0) / emb.length);
    expect(Math.abs(std - 1 / 8)).toBeLessThan(0.005); // 1/√64
    const fc = a.params.get('transformer.resblocks.0.mlp.c_fc.weight').dataSync() as Float32Array;
    const bound = Math.sqrt(6 / (64 + 96));
    expect(Math.max(...fc.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...fc.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(Array.from(a.params.get('ln_final.weight').dataSync())).toEqual(new Array(64).fill(1));
    expect(Array.from(a.params.get('transformer.resblocks.0.attn.in_proj_bias').dataSync())).toEqual(new Array(192).fill(0));
    [a, b, c].forEach((m) => m.dispose());
  });

  test('sinusoidal positions are [sin ‖ cos] over geometric timescales 1…10000, zero column for odd widths', () => {
    const p = sinusoidalPositions(3, 6);
    // D = 6: 3 timescales 1, 100, 10000 (increment ln(10000)/2).
    const inv = [1, 1e-2, 1e-4];
    for (let pos = 0; pos < 3; pos++) {
      for (let i = 0; i < 3; i++) {
        expect(p[pos * 6 + i]).toBeCloseTo(Math.sin(pos * inv[i]!), 6);
        expect(p[pos * 6 + 3 + i]).toBeCloseTo(Math.cos(pos * inv[i]!), 6);
      }
    }
    const odd = sinusoidalPositions(2, 5);
    expect(odd[4]).toBe(0);
    expect(odd[9]).toBe(0);
  });
});

describe('forward', () => {
  test('padded positions change nothing (ids there and batch neighbours are ignored)', () => {
    const model = TextTransformer.init(tiny, { seed: 1 });
    const a = run(model, [[5, 6, 7, 0, 0, 0]], [[0, 0, 0, 1, 1, 1]]);
    const b = run(model, [[5, 6, 7, 19, 3, 11]], [[0, 0, 0, 1, 1, 1]]);
    const batch = run(model, [[1, 2, 3, 4, 5, 6], [5, 6, 7, 9, 9, 9]], [[0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]]);
    for (let i = 0; i < 8; i++) {
      expect(b[i]).toBeCloseTo(a[i]!, 5);
      expect(batch[8 + i]).toBeCloseTo(a[i]!, 5);
    }
    // …but a real token does change it.
    const c = run(model, [[5, 6, 8, 0, 0, 0]], [[0, 0, 0, 1, 1, 1]]);
    expect(Math.max(...a.map((v, i) => Math.abs(v - c[i]!)))).toBeGreaterThan(1e-3);
    model.dispose();
  });

  test('embed() L2-normalises the pooled output of the tokenized texts', async () => {
    const { SentencePieceTokenizer } = await import('../tokenizer/tokenizer');
    const { modelPath } = await import('../tokenizer/test-models');
    const tok = await SentencePieceTokenizer.load(modelPath('unigram'));
    const cfg = resolveTextConfig({ ...tiny, vocabSize: tok.vocabSize, maxLen: 16 });
    const model = TextTransformer.init(cfg, { seed: 3 });
    const before = tf.memory().numTensors;
    const e = model.embed(tok, ['a photo of a dog', 'A RED CAR']);
    expect(e.shape).toEqual([2, 8]);
    const batch = tok.tokenize(['a photo of a dog', 'A RED CAR'], 16);
    const raw = tf.tidy(() => model.forward(tf.tensor2d(batch.ids, batch.shape, 'int32'), tf.tensor2d(batch.paddings, batch.shape)).arraySync());
    const got = e.arraySync();
    for (let r = 0; r < 2; r++) {
      const n = Math.hypot(...raw[r]!);
      for (let i = 0; i < 8; i++) expect(got[r]![i]).toBeCloseTo(raw[r]![i]! / n, 5);
    }
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const small = TextTransformer.init({ ...cfg, vocabSize: 100 });
    expect(() => small.embed(tok, 'x')).toThrow(/tokenizer has 480 pieces/);
    model.dispose();
    small.dispose();
  });

  test('bad inputs give TextInputError naming the problem', () => {
    const model = TextTransformer.init(tiny);
    const ids = tf.tensor2d([[1, 2]], [1, 2], 'int32');
    const pad = tf.zeros([1, 2]);
    expect(() => model.forward(tf.tensor2d([[1, 2]], [1, 2], 'float32'), pad)).toThrow(/int32/);
    expect(() => model.forward(ids, tf.zeros([1, 3]))).toThrow(/shape of ids/);
    expect(() => model.forward(tf.tensor1d([1, 2], 'int32'), pad)).toThrow(TextInputError);
    expect(() => model.forward(tf.tensor2d([[1, 20]], [1, 2], 'int32'), pad)).toThrow(/outside the vocabulary/);
    tf.dispose([ids, pad]);
    model.dispose();
  });
});

describe('training', () => {
  test('gradients match central finite differences and a step leaks no tensors', () => {
    const model = TextTransformer.init(tiny, { seed: 5 });
    const ids = tf.tensor2d([[3, 4, 3, 9, 0, 0], [1, 2, 3, 4, 5, 6]], [2, 6], 'int32');
    const pad = tf.tensor2d([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]]);
    const target = tf.tensor2d(Array.from({ length: 16 }, (_, i) => Math.sin(i)), [2, 8]);
    const loss = () => tf.tidy(() => tf.sum(tf.mul(model.forward(ids, pad, { checkIds: false }), target)) as tf.Scalar);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(loss);
    value.dispose();
    expect(tf.memory().numTensors).toBe(before + Object.keys(grads).length);
    const byName = new Map<string, tf.Tensor>();
    for (const [name, v] of model.params.variables()) byName.set(name, grads[v.name]!);
    // Probe entries of the embedding (rows used twice, once, and never), attention, MLP and LayerNorm.
    const probes: [string, number][] = [
      ['token_embedding.weight', 3 * 8 + 1],
      ['token_embedding.weight', 9 * 8 + 4],
      ['token_embedding.weight', 0 * 8 + 2],
      ['token_embedding.weight', 7 * 8 + 0],
      ['transformer.resblocks.0.attn.in_proj_weight', 5],
      ['transformer.resblocks.1.attn.in_proj_weight', 8 * 24 - 1],
      ['transformer.resblocks.0.attn.out_proj.bias', 3],
      ['transformer.resblocks.1.mlp.c_fc.weight', 17],
      ['transformer.resblocks.0.mlp.c_proj.bias', 2],
      ['transformer.resblocks.0.ln_1.weight', 6],
      ['ln_final.bias', 1],
    ];
    const h = 2e-3;
    for (const [name, index] of probes) {
      const v = model.params.get(name);
      const base = v.dataSync().slice() as Float32Array;
      const at = (delta: number) => {
        const moved = base.slice();
        moved[index] = base[index]! + delta;
        tf.tidy(() => v.assign(tf.tensor(moved, v.shape)));
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
      const g = byName.get(name)!.dataSync()[index]!;
      expect({ name, index, g: Math.abs(g - fd) < 2e-3 + 2e-2 * Math.abs(fd) }).toEqual({ name, index, g: true });
    }
    // The never-used embedding row 7 gets exactly zero gradient; padding id 0 at padded positions too.
    expect(byName.get('token_embedding.weight')!.dataSync()[7 * 8]).toBe(0);
    tf.dispose(Object.values(grads));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, pad, target]);
    model.dispose();
  });
});
