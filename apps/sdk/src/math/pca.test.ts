import { pca, pcaTransform, symmetricEigen } from './pca';

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296 - 0.5;
  };
}

describe('symmetricEigen (Jacobi)', () => {
  test('[[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    const order = values[0]! > values[1]! ? [0, 1] : [1, 0];
    expect(values[order[0]!]).toBeCloseTo(3, 12);
    expect(values[order[1]!]).toBeCloseTo(1, 12);
    const v = [vectors[0 * 2 + order[0]!]!, vectors[1 * 2 + order[0]!]!];
    expect(Math.abs(v[0]!)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(v[0]! * v[1]!).toBeGreaterThan(0);
  });
});

describe('pca (subspace iteration)', () => {
  test('recovers planted axes and variances of a closed-form data set', () => {
    // Samples ±a·e1 ± b·e2 ± c·e3 (all sign combinations) in a rotated 6-D basis: the covariance is
    // diag(a², b², c², 0, 0, 0)·(n/(n−1)) in that basis.
    const d = 6;
    const rand = lcg(7);
    // Orthonormal basis U (Gram–Schmidt of random vectors).
    const U: number[][] = [];
    while (U.length < d) {
      let v = Array.from({ length: d }, rand);
      for (const u of U) {
        const s = v.reduce((acc, x, i) => acc + x * u[i]!, 0);
        v = v.map((x, i) => x - s * u[i]!);
      }
      const nrm = Math.hypot(...v);
      U.push(v.map((x) => x / nrm));
    }
    const scales = [5, 2, 0.5];
    const rows: number[][] = [];
    for (let mask = 0; mask < 8; mask++) {
      const coef = scales.map((s, i) => (mask & (1 << i) ? s : -s));
      rows.push(Array.from({ length: d }, (_, t) => coef.reduce((acc, c, i) => acc + c * U[i]![t]!, 0) + 3));
    }
    const n = rows.length;
    const X = Float32Array.from(rows.flat());
    const p = pca(X, n, d, 3);
    scales.forEach((s, i) => {
      expect(p.variances[i]).toBeCloseTo((s * s * n) / (n - 1), 4);
      const axis = Array.from(p.components.subarray(i * d, (i + 1) * d));
      const align = Math.abs(axis.reduce((acc, x, t) => acc + x * U[i]![t]!, 0));
      expect(align).toBeCloseTo(1, 5);
    });
    // Whitened projections have unit sample variance.
    const z = pcaTransform(X, n, p, true);
    for (let c = 0; c < 3; c++) {
      let ss = 0;
      for (let r = 0; r < n; r++) ss += z[r * 3 + c]! ** 2;
      expect(ss / (n - 1)).toBeCloseTo(1, 4);
    }
  });

  test('agrees with the full covariance eigen-decomposition on random data', () => {
    const n = 50;
    const d = 12;
    const rand = lcg(3);
    const X = new Float32Array(n * d).map((_, i) => rand() * (1 + (i % d)));
    const mean = new Float64Array(d);
    for (let r = 0; r < n; r++) for (let t = 0; t < d; t++) mean[t]! += X[r * d + t]! / n;
    const C = new Float64Array(d * d);
    for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) C[i * d + j]! += ((X[r * d + i]! - mean[i]!) * (X[r * d + j]! - mean[j]!)) / (n - 1);
    const full = symmetricEigen(C, d);
    const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => full.values[b]! - full.values[a]!);
    const p = pca(X, n, d, 3);
    for (let c = 0; c < 3; c++) {
      expect(p.variances[c]).toBeCloseTo(full.values[order[c]!]!, 6);
      let align = 0;
      for (let t = 0; t < d; t++) align += p.components[c * d + t]! * full.vectors[t * d + order[c]!]!;
      expect(Math.abs(align)).toBeCloseTo(1, 6);
    }
  });
});
