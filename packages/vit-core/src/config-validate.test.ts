import { fileShape, mapShapes, TipsError } from '@tips/runtime';
import { vitPreset, VIT_PRESETS, type VitConfig } from './config';
import { resolveVisionConfig } from './config-resolve';
import { validateVitConfig, VitConfigError } from './config-validate';
import { VisionTransformer } from './model';
import { vitParamSpecs } from './params';

const TINY: VitConfig = { ...vitPreset('S'), embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, posGrid: 4 };

describe('validateVitConfig (issue 18, item 10)', () => {
  test('every published preset is valid', () => {
    for (const c of Object.values(VIT_PRESETS)) expect(validateVitConfig({ ...c })).toEqual(c);
  });

  test('heads that do not divide the width are refused, naming both numbers and the head counts that work', () => {
    const bad = { ...VIT_PRESETS.S, heads: 5 };
    expect(() => validateVitConfig(bad)).toThrow(VitConfigError);
    expect(() => validateVitConfig(bad)).toThrow(/embedDim 384 is not a multiple of heads 5; use a head count that divides the width \(1, 2, 3, 4, 6, 8,/);
    expect(() => validateVitConfig(bad)).toThrow(TipsError);
  });

  test.each([
    ['depth', 0],
    ['embedDim', -8],
    ['patchSize', 14.5],
    ['posGrid', Number.NaN],
    ['heads', undefined],
  ] as const)('%s = %p is refused as not a positive integer', (key, value) => {
    expect(() => validateVitConfig({ ...TINY, [key]: value } as unknown as VitConfig)).toThrow(new RegExp(`${key} must be a positive integer`));
  });

  test('negative registers, an unknown FFN and eps ≤ 0 are refused', () => {
    expect(() => validateVitConfig({ ...TINY, registers: -1 })).toThrow(/registers must be an integer ≥ 0/);
    expect(() => validateVitConfig({ ...TINY, ffn: 'relu' as 'mlp' })).toThrow(/ffn must be 'mlp' or 'swiglu'/);
    expect(() => validateVitConfig({ ...TINY, eps: 0 })).toThrow(/eps must be > 0/);
  });

  test('resolution of a custom config (tips embed/export --config) fails there, naming the file', async () => {
    const shapes = mapShapes('ckpt.npz', new Map(vitParamSpecs(TINY).map((s) => [s.name, { shape: fileShape(s) }])));
    await expect(resolveVisionConfig(shapes, { config: { embedDim: 32, depth: 2, heads: 5 } })).rejects.toThrow(
      /ckpt\.npz: image tower config: embedDim 32 is not a multiple of heads 5/,
    );
  });

  test('a model cannot be built or initialised from a bad config (tips train)', () => {
    expect(() => VisionTransformer.init({ ...TINY, heads: 3 })).toThrow(VitConfigError);
  });
});
