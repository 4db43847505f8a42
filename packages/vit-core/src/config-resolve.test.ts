import { CheckpointError, fileShape, mapShapes } from '@tips/runtime';
import { VIT_PRESETS, vitPreset, type VitConfig } from './config';
import { findVisionPrefix, resolveVisionConfig, VIT_CONFIG_KEY, VIT_FORMAT, VIT_FORMAT_KEY } from './config-resolve';
import { vitParamSpecs } from './params';

/** The keys and file shapes of a checkpoint with this configuration (no data: resolution reads shapes only). */
function shapesOf(config: VitConfig, name = 'ckpt.npz') {
  return mapShapes(name, new Map(vitParamSpecs(config).map((s) => [s.name, { shape: fileShape(s) }])));
}

const TINY: VitConfig = { ...vitPreset('S'), embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, posGrid: 4 };

describe('resolveVisionConfig', () => {
  test('an official file of a published size is recognised from its width; the file tells grid, registers, FFN', async () => {
    const file = { ...VIT_PRESETS.g, posGrid: 32 };
    const c = await resolveVisionConfig(shapesOf(file));
    expect(c).toEqual(file);
    const v1 = await resolveVisionConfig(shapesOf({ ...VIT_PRESETS.B, registers: 0, layerScale: false, qkvBias: false }));
    expect(v1).toMatchObject({ embedDim: 768, depth: 12, posGrid: 16, registers: 0, layerScale: false, qkvBias: false, ffn: 'mlp' });
  });

  test('order: our metadata, then the variant, then a full custom config, then config.json, then the width', async () => {
    const shapes = shapesOf(TINY);
    const metadata = { [VIT_FORMAT_KEY]: VIT_FORMAT, [VIT_CONFIG_KEY]: JSON.stringify(TINY) };
    expect(await resolveVisionConfig(shapes, { metadata, variant: 'B' })).toEqual(TINY);
    expect((await resolveVisionConfig(shapes, { variant: 'B', config: { heads: 2 } })).embedDim).toBe(768);
    const custom = await resolveVisionConfig(shapes, { config: { embedDim: 32, depth: 2, heads: 2 }, hfConfig: { vision_fn: 'vit_large' } });
    expect(custom).toEqual({ ...TINY, mlpHidden: 4 * 32 });
    let asked = 0;
    const fromHf = await resolveVisionConfig(shapes, { hfConfig: () => (asked++, { vision_fn: 'vit_large', ffn_layer: 'mlp' }) });
    expect(fromHf).toMatchObject({ embedDim: 1024, depth: 24, posGrid: 4 });
    expect(asked).toBe(1);
    // config.json is read only when needed.
    await resolveVisionConfig(shapes, { variant: 'S', hfConfig: () => (asked++, null) });
    expect(asked).toBe(1);
    await expect(resolveVisionConfig(shapes)).rejects.toThrow(/ckpt\.npz: width 32 matches no image-tower preset \(S=384, B=768.*pass a variant, or a config with embedDim, depth and heads/);
  });

  test('the FFN kind comes from the file (fused SwiGLU w12 or GELU fc1), whatever the preset says', async () => {
    const swiglu = { ...TINY, embedDim: 48, heads: 3, mlpHidden: 192, ffn: 'swiglu' as const };
    expect((await resolveVisionConfig(shapesOf(swiglu), { config: { embedDim: 48, depth: 2, heads: 3, mlpHidden: 192 } })).ffn).toBe('swiglu');
    expect((await resolveVisionConfig(shapesOf(TINY), { variant: 'g' })).ffn).toBe('mlp');
  });

  test('checkShapes compares the block count and width; without it, a wrong variant is left to the key-by-key check', async () => {
    const shapes = shapesOf(TINY, 'tiny.npz');
    await expect(resolveVisionConfig(shapes, { variant: 'B', checkShapes: true })).rejects.toThrow(/tiny\.npz has 2 blocks but the B configuration has 12; pass the matching variant \(S: 12, B: 12, L: 24, So400m: 27, g: 40\)/);
    await expect(resolveVisionConfig(shapes, { config: { embedDim: 64, depth: 2, heads: 2 }, checkShapes: true })).rejects.toThrow(/has width 32, the configuration says 64/);
    expect((await resolveVisionConfig(shapes, { variant: 'B' })).depth).toBe(12);
  });

  test('refuses a non-square position grid, an unknown variant and corrupt metadata with CheckpointError', async () => {
    const m = new Map(vitParamSpecs(TINY).map((s) => [s.name, { shape: fileShape(s) }]));
    m.set('pos_embed', { shape: [1, 13, 32] });
    await expect(resolveVisionConfig(mapShapes('odd.npz', m), { config: TINY })).rejects.toThrow(/odd\.npz: pos_embed has 12 patch slots, not a square grid/);
    const e = await resolveVisionConfig(shapesOf(TINY), { variant: 'XL' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CheckpointError);
    expect((e as Error).message).toMatch(/unknown image tower preset 'XL'; use one of S, B, L, So400m, g/);
    await expect(resolveVisionConfig(shapesOf(TINY), { metadata: { [VIT_FORMAT_KEY]: VIT_FORMAT, [VIT_CONFIG_KEY]: '{oops' } })).rejects.toThrow(/tips\.config metadata is not valid JSON/);
  });
});

test('findVisionPrefix finds the tower under a prefix and names a file without one', () => {
  expect(findVisionPrefix({ path: 'a', keys: () => ['vision_encoder.pos_embed', 'text_encoder.token_embedding.weight'] })).toBe('vision_encoder.');
  expect(findVisionPrefix({ path: 'a', keys: () => ['pos_embed'] })).toBe('');
  expect(() => findVisionPrefix({ path: 'text.npz', keys: () => ['token_embedding.weight'] })).toThrow(/text\.npz has no 'pos_embed' tensor, so it is not an image-tower checkpoint/);
});
