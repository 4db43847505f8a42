import { CheckpointError, fileShape, mapShapes } from '@tips/runtime';
import { textPreset, type TextConfig } from '../model/config';
import { textParamSpecs } from '../model/params';
import { TEXT_CONFIG_KEY, TEXT_FORMAT, TEXT_FORMAT_KEY, temperatureValue } from './format';
import { parseHfTextConfig } from './hf-fields';
import { findTextPrefix, resolveTextCheckpointConfig } from './resolve';

const TINY: TextConfig = { hiddenSize: 32, mlpDim: 64, numHeads: 2, numLayers: 2, vocabSize: 100, maxLen: 64, eps: 1e-5 };

/** Keys and file shapes of a text checkpoint with this configuration (resolution reads no data). */
function shapesOf(config: TextConfig, name = 'text.npz') {
  return mapShapes(name, new Map(textParamSpecs(config).map((s) => [s.name, { shape: fileShape(s) }])));
}

test('sizes from the shapes; heads from the caller, with the caller’s own hint when missing', async () => {
  const shapes = shapesOf(TINY);
  expect(await resolveTextCheckpointConfig(shapes, { overrides: { numHeads: 2 } })).toEqual(TINY);
  await expect(resolveTextCheckpointConfig(shapes, { headsHint: 'heads (e.g. --heads 8)' })).rejects.toThrow(
    /text\.npz: width 32 is not a published text tower \(MLP 64, 2 layers match no preset\) .* pass heads \(e\.g\. --heads 8\) or a variant/,
  );
});

test('our metadata comes first; HF config.json fields go over the shapes', async () => {
  const shapes = shapesOf(TINY);
  const metadata = { [TEXT_FORMAT_KEY]: TEXT_FORMAT, [TEXT_CONFIG_KEY]: JSON.stringify({ ...TINY, maxLen: 16 }) };
  expect((await resolveTextCheckpointConfig(shapes, { metadata, variant: 'B' })).maxLen).toBe(16);
  const hf = parseHfTextConfig({ text_num_heads: 4, max_len: 32, temperature: 0.01, vision_fn: 'vit_small' });
  expect(hf).toEqual({ config: { numHeads: 4, maxLen: 32 }, temperature: 0.01 });
  expect(await resolveTextCheckpointConfig(shapes, { hf: hf.config })).toEqual({ ...TINY, numHeads: 4, maxLen: 32 });
  expect(() => parseHfTextConfig({ text_num_heads: 2.5 })).toThrow(/text_num_heads must be a positive integer, got 2\.5/);
});

test('checkShapes compares width and depth with the chosen variant; without it the variant is taken as given', async () => {
  const shapes = shapesOf(TINY);
  await expect(resolveTextCheckpointConfig(shapes, { variant: 'B', checkShapes: true })).rejects.toThrow(/the text tower is 32 wide but the B configuration says 768/);
  await expect(resolveTextCheckpointConfig(shapes, { overrides: { numHeads: 2, numLayers: 3 }, checkShapes: true })).rejects.toThrow(/has 2 blocks but the chosen configuration has 3/);
  expect(await resolveTextCheckpointConfig(shapes, { variant: 'B' })).toEqual(textPreset('B'));
});

test('temperature values and prefixes are checked', () => {
  expect(temperatureValue('t.npz', 'temperature', Float32Array.of(0.5))).toBe(0.5);
  const e = (() => {
    try {
      temperatureValue('t.npz', 'temperature', Float32Array.of(1, 2));
    } catch (x) {
      return x;
    }
  })();
  expect(e).toBeInstanceOf(CheckpointError);
  expect((e as Error).message).toBe('t.npz: temperature should be one finite number, found 2 value(s)');
  const file = { path: 'two.safetensors', keys: () => ['a.token_embedding.weight', 'b.token_embedding.weight'], has: () => true };
  expect(() => findTextPrefix(file)).toThrow(/holds several text towers/);
  expect(findTextPrefix(file, 'b.')).toBe('b.');
});
