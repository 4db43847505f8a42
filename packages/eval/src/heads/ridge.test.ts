import { Rng } from '@tips/runtime';
import { fitRidge, meanSquaredError, predictRidge, selectRidge } from './ridge';

function randomMatrix(rng: Rng, rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, () => rng.range(-1, 1));
}

describe('fitRidge', () => {
  it('recovers a known affine map exactly from noise-free data (λ = 0)', () => {
    const rng = new Rng(1);
    const n = 50, d = 5, k = 3;
    const W = randomMatrix(rng, d, k);
    const b = [0.5, -2, 3];
    const x = randomMatrix(rng, n, d);
    const y = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) {
      let s = b[c]!;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * W[j * k + c]!;
      y[i * k + c] = s;
    }
    const m = fitRidge(x, y, n, d, k, 0);
    for (let i = 0; i < d * k; i++) expect(m.weights[i]).toBeCloseTo(W[i]!, 9);
    for (let c = 0; c < k; c++) expect(m.bias[c]).toBeCloseTo(b[c]!, 9);
  });

  it('matches the one-dimensional closed form w = Σxy / (Σx² + λ) on centred data, with an unpenalised bias', () => {
    const x = [1, 2, 3, 4];
    const y = [3, 5, 4, 8];
    // centred x: −1.5 −0.5 0.5 1.5 (Σx² = 5); centred y: −2 0 −1 3 (Σxy = 3 + 0 − 0.5 + 4.5 = 7).
    const m = fitRidge(x, y, 4, 1, 1, 2);
    expect(m.weights[0]).toBeCloseTo(7 / (5 + 2), 12);
    expect(m.bias[0]).toBeCloseTo(5 - 2.5 * (7 / 7), 12);
  });

  it('refuses mismatched shapes and a negative lambda', () => {
    expect(() => fitRidge([1, 2, 3], [1, 2], 2, 2, 1, 0)).toThrow(/x holds 3 values, expected 2×2/);
    expect(() => fitRidge([1, 2], [1, 2], 2, 1, 1, -1)).toThrow(/lambda must be ≥ 0/);
  });
});

describe('selectRidge', () => {
  it('classifies linearly separable classes through one-hot targets and picks λ on validation', () => {
    const rng = new Rng(7);
    const d = 4, C = 3;
    const centres = [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]];
    const draw = (n: number) => {
      const x = new Float64Array(n * d), y = new Float64Array(n * C), labels: number[] = [];
      for (let i = 0; i < n; i++) {
        const c = i % C;
        labels.push(c);
        for (let j = 0; j < d; j++) x[i * d + j] = centres[c]![j]! + rng.normal() * 0.3;
        y[i * C + c] = 1;
      }
      return { x, y, n, labels };
    };
    const train = draw(90), val = draw(30), test = draw(60);
    const sel = selectRidge(train, val, d, C);
    expect(sel.grid).toHaveLength(8);
    expect(sel.valMse).toBe(Math.min(...sel.grid.map((g) => g.valMse)));
    const p = predictRidge(sel.model, test.x, test.n);
    let correct = 0;
    for (let i = 0; i < test.n; i++) {
      const row = Array.from(p.subarray(i * C, (i + 1) * C));
      if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
    }
    expect(correct / test.n).toBeGreaterThan(0.95);
    expect(meanSquaredError(p, test.y, test.n, C)).toBeLessThan(0.5);
  });
});
