import { encodeNpz } from './npz';
import { openTensorFile } from './open-tensor-file';
import { mapShapes, tensorShapes } from './tensor-shapes';

const t = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

test('tensorShapes: the keys and shapes of one prefix of a file, read from headers', async () => {
  const bytes = encodeNpz({ 'vision.pos_embed': t([1, 5, 4]), 'vision.cls_token': t([1, 1, 4]), 'text.token_embedding.weight': t([7, 4]) });
  const reader = await openTensorFile(bytes, 'both.npz');
  try {
    const v = tensorShapes(reader, 'vision.');
    expect(v.name).toBe('both.npz');
    expect([...v.keys()].sort()).toEqual(['cls_token', 'pos_embed']);
    expect(v.has('pos_embed')).toBe(true);
    expect(v.has('token_embedding.weight')).toBe(false);
    expect(await v.shape('pos_embed')).toEqual([1, 5, 4]);
    expect(await tensorShapes(reader).shape('text.token_embedding.weight')).toEqual([7, 4]);
  } finally {
    await reader.close();
  }
});

test('mapShapes: tensors in memory; an absent key is an error, not undefined', () => {
  const v = mapShapes('mem', new Map([['a', { shape: [2, 3] }]]));
  expect(v.keys()).toEqual(['a']);
  expect(v.shape('a')).toEqual([2, 3]);
  expect(() => v.shape('b')).toThrow(/mem: no tensor 'b'/);
});
