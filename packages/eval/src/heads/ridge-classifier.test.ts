import { Rng } from '@tips/runtime';
import { fitRidgeClassifier, predictRidgeClasses } from './ridge-classifier';

/** n points per class around well-separated centres in d dims (class c at +5 on axis c). */
function clusters(perClass: number, classes: number, d: number, seed: number, noise = 0.5) {
  const r = Rng.derive(seed, 'clusters');
  const n = perClass * classes;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === c ? 5 : 0) + noise * r.normal();
  }
  return { x, y, n };
}

describe('fitRidgeClassifier', () => {
  test('separable clusters: every held-out point is classified right', () => {
    const train = clusters(30, 4, 6, 1);
    const test = clusters(50, 4, 6, 2);
    const fit = fitRidgeClassifier(train.x, train.y, 6, 4, { seed: 3 });
    expect(fit.valRows).toBe(24);
    const pred = predictRidgeClasses(fit, test.x, test.n);
    expect(Array.from(pred)).toEqual(Array.from(test.y));
  });

  test('two symmetric points per class in 1-d with tiny λ: the least-squares line thresholds at 0 (closed form)', () => {
    // x = -2, -1 (class 0), 1, 2 (class 1): one-hot targets; for class 1 the LS fit is y = 0.5 + 0.3x
    const x = new Float32Array([-2, -1, 1, 2, -2, -1, 1, 2]);
    const y = new Int32Array([0, 0, 1, 1, 0, 0, 1, 1]);
    const fit = fitRidgeClassifier(x, y, 1, 2, { lambdas: [1e-9] });
    expect(fit.model.weights[1]).toBeCloseTo(0.3, 6);
    expect(fit.model.bias[1]).toBeCloseTo(0.5, 6);
    expect(Array.from(predictRidgeClasses(fit, new Float32Array([-0.1, 0.1, -5, 5]), 4))).toEqual([0, 1, 0, 1]);
  });

  test('the hold-out split is seeded: same seed, same λ and model; labels outside the classes are refused', () => {
    const d = clusters(20, 3, 5, 4, 3);
    const a = fitRidgeClassifier(d.x, d.y, 5, 3, { seed: 9 });
    const b = fitRidgeClassifier(d.x, d.y, 5, 3, { seed: 9 });
    expect(Array.from(a.model.weights)).toEqual(Array.from(b.model.weights));
    expect(a.selection.grid.length).toBe(8);
    expect(() => fitRidgeClassifier(d.x, Int32Array.from(d.y, (v) => v + 1), 5, 3)).toThrow(/label 3 is outside \[0, 3\)/);
  });

  test('collinear features skip the λ that are too small instead of failing', () => {
    const n = 40;
    const x = new Float32Array(n * 2);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      x[2 * i] = i % 2 ? 1 : -1;
      x[2 * i + 1] = 2 * x[2 * i]!; // exactly collinear
      y[i] = i % 2;
    }
    const fit = fitRidgeClassifier(x, y, 2, 2);
    expect(Array.from(predictRidgeClasses(fit, x, n))).toEqual(Array.from(y));
  });
});
