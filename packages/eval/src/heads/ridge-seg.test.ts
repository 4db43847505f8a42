import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@tips/runtime';
import { fitRidgeSegHead, patchClassFractions } from './ridge-seg';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('patchClassFractions', () => {
  test('a 4×4 mask over a 2×2 grid: hand-counted fractions, ignored pixels left out, empty patches marked', () => {
    // patch (0,0): 0 0 / 0 1 → 3/4 class 0, 1/4 class 1; patch (0,1): 1 1 / 255 255 → all class 1;
    // patch (1,0): all ignored → empty; patch (1,1): 2 2 / 2 0 → 1/4 class 0, 3/4 class 2
    const mask = Uint8Array.from([0, 0, 1, 1, 0, 1, 255, 255, 255, 255, 2, 2, 255, 255, 2, 0]);
    const { fractions, empty } = patchClassFractions(mask, [4, 4], [2, 2], 3, 255);
    expect(Array.from(empty)).toEqual([0, 0, 1, 0]);
    expect(Array.from(fractions)).toEqual([0.75, 0.25, 0, 0, 1, 0, 0, 0, 0, 0.25, 0, 0.75]);
  });
});

describe('fitRidgeSegHead', () => {
  test('patch tokens that encode their class give back every test mask exactly', () => {
    const grid: [number, number] = [3, 3];
    const N = 9;
    const D = 8;
    const C = 3;
    const r = Rng.derive(1, 'seg-ridge-test');
    // class c's token: a fixed random direction + small noise; masks at 6×6, 2×2 pixels per patch
    const dirs = Array.from({ length: C }, () => Float32Array.from({ length: D }, () => r.normal()));
    const make = (count: number) => {
      const patches = new Float32Array(count * N * D);
      const masks: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        const cls = Array.from({ length: N }, () => r.int(C));
        const m = new Uint8Array(36);
        for (let y = 0; y < 6; y++) for (let x = 0; x < 6; x++) m[y * 6 + x] = cls[Math.floor(y / 2) * 3 + Math.floor(x / 2)]!;
        masks.push(m);
        cls.forEach((c, p) => {
          for (let j = 0; j < D; j++) patches[(i * N + p) * D + j] = dirs[c]![j]! + 0.05 * r.normal();
        });
      }
      return { patches, masks };
    };
    const train = make(20);
    const test = make(4);
    const { head, selection, rows } = fitRidgeSegHead({ patches: train.patches, count: 20, grid, dim: D, masks: train.masks, size: [6, 6], classes: C, ignoreIndex: 255, seed: 2 });
    expect(rows).toBe(20 * N);
    expect(selection.valMse).toBeLessThan(0.05);
    const f = { cls1: tf.zeros([4, D]), cls2: tf.zeros([4, D]), patches: tf.tensor3d(test.patches, [4, N, D]), grid } as never;
    // predict at patch resolution (3×3) so that bilinear upsampling does not blur the borders
    const pred = head.predict(f, [3, 3]);
    const got = Array.from(pred.dataSync());
    const want = test.masks.flatMap((m) => Array.from({ length: 9 }, (_, p) => m[Math.floor(p / 3) * 2 * 6 + (p % 3) * 2]!));
    expect(got).toEqual(want);
    tf.dispose([pred, (f as { cls1: tf.Tensor }).cls1, (f as { cls2: tf.Tensor }).cls2, (f as { patches: tf.Tensor }).patches]);
    head.params.dispose();
  });
});
