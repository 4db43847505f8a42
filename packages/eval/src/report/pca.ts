import { Rng } from '@tips/runtime';
import { EvalInputError } from '../errors';

/**
 * Top `k` principal directions of the rows of X [n, dim] (centred): eigenvectors of the covariance
 * by subspace iteration with Gram–Schmidt (deterministic start). Returns the mean and the
 * components [k, dim].
 */
export function principalComponents(x: Float32Array, dim: number, k = 3, iterations = 60): { mean: Float64Array; components: Float64Array } {
  const n = x.length / dim;
  if (!Number.isInteger(n) || n < 2) throw new EvalInputError(`PCA needs at least 2 rows of ${dim}, got ${x.length} values`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d]! += x[i * dim + d]! / n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = x[i * dim + d]! - mean[d]!;
    for (let a = 0; a < dim; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a]!;
  const kk = Math.min(k, dim);
  const rng = new Rng('pca');
  let q = new Float64Array(kk * dim).map(() => rng.normal());
  orthonormalise(q, kk, dim);
  for (let it = 0; it < iterations; it++) {
    const z = new Float64Array(kk * dim);
    for (let c = 0; c < kk; c++) {
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += cov[a * dim + b]! * q[c * dim + b]!;
        z[c * dim + a] = s;
      }
    }
    orthonormalise(z, kk, dim);
    q = z;
  }
  // Fix each component's sign (largest-magnitude entry positive) so that colours are reproducible.
  for (let c = 0; c < kk; c++) {
    let best = 0;
    for (let d = 0; d < dim; d++) if (Math.abs(q[c * dim + d]!) > Math.abs(q[c * dim + best]!)) best = d;
    if (q[c * dim + best]! < 0) for (let d = 0; d < dim; d++) q[c * dim + d] = -q[c * dim + d]!;
  }
  return { mean, components: q };
}

function orthonormalise(q: Float64Array, k: number, dim: number): void {
  for (let c = 0; c < k; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += q[c * dim + d]! * q[p * dim + d]!;
      for (let d = 0; d < dim; d++) q[c * dim + d]! -= dot * q[p * dim + d]!;
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += q[c * dim + d]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; d++) q[c * dim + d]! /= norm;
  }
}

/**
 * PCA of patch features as RGB, as the TIPS paper's figure 4 (scenic/utils/feature_viz.py
 * PCAVisualizer): one 3-component PCA fitted on the patches of all the given images together, each
 * patch's 3-vector L2-normalised and mapped to [0, 1] by ·0.5 + 0.5. Returns 8-bit RGB [n, 3].
 */
export function pcaRgb(x: Float32Array, dim: number): Uint8Array {
  const { mean, components } = principalComponents(x, dim, 3);
  const n = x.length / dim;
  const k = components.length / dim;
  const out = new Uint8Array(n * 3);
  const v = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < 3; c++) {
      let s = 0;
      if (c < k) for (let d = 0; d < dim; d++) s += (x[i * dim + d]! - mean[d]!) * components[c * dim + d]!;
      v[c] = s;
      norm += s * s;
    }
    norm = Math.max(Math.sqrt(norm), 1e-3);
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, (v[c]! / norm) * 0.5 + 0.5)));
  }
  return out;
}
