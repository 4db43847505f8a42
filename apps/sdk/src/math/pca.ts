/**
 * The top-k principal components of n samples of dimension d (row-major [n, d]), by orthogonal
 * (subspace) iteration on the covariance with Rayleigh–Ritz and a Jacobi eigensolver on the small
 * projected matrix. Never forms the d×d covariance: each step is two passes over the data, so a
 * 32×32 grid of 1536-wide tokens takes a few tens of milliseconds.
 */
export interface PcaResult {
  /** Mean of the samples, [d]. */
  mean: Float64Array;
  /** Principal axes, [k, d] row-major, unit length, largest variance first. Sign: the largest-|·| entry is positive (as scikit-learn ≥ 1.5). */
  components: Float64Array;
  /** Variances along the axes (eigenvalues of the covariance with n − 1 in the denominator), [k]. */
  variances: Float64Array;
  k: number;
  d: number;
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; returns eigenvalues and column eigenvectors. */
export function symmetricEigen(a: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += A[p * m + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * m + q]! - A[p * m + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p]!;
          const akq = A[k * m + q]!;
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k]!;
          const aqk = A[q * m + k]!;
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p]!;
          const vkq = V[k * m + q]!;
          V[k * m + p] = c * vkp - s * vkq;
          V[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(m);
  for (let i = 0; i < m; i++) values[i] = A[i * m + i]!;
  return { values, vectors: V };
}

let fillSeed = 12345;

/** Deterministic pseudo-random fill (no Math.random: PCA maps are reproducible). */
function fillRandom(a: Float64Array): void {
  for (let i = 0; i < a.length; i++) {
    fillSeed = (fillSeed * 1103515245 + 12345) % 2147483648;
    a[i] = fillSeed / 2147483648 - 0.5;
  }
}

/**
 * Gram–Schmidt on the rows of Q [m, d] (in place), twice for stability. A row that vanishes (the data
 * has fewer than m directions of variance) is replaced by a fresh direction orthogonal to the others.
 */
function orthonormalizeRows(Q: Float64Array, m: number, d: number): void {
  for (let i = 0; i < m; i++) {
    const row = Q.subarray(i * d, (i + 1) * d);
    for (let attempt = 0; attempt < 3; attempt++) {
      let before = 0;
      for (let t = 0; t < d; t++) before += row[t]! ** 2;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < i; j++) {
          let s = 0;
          for (let t = 0; t < d; t++) s += row[t]! * Q[j * d + t]!;
          for (let t = 0; t < d; t++) row[t]! -= s * Q[j * d + t]!;
        }
      }
      let n = 0;
      for (let t = 0; t < d; t++) n += row[t]! ** 2;
      if (n > 1e-20 * Math.max(before, 1e-300) && n > 0) {
        n = Math.sqrt(n);
        for (let t = 0; t < d; t++) row[t]! /= n;
        break;
      }
      fillRandom(row);
    }
  }
}

/** Y[m, d] = C · Qᵀ for the centred data's covariance C (computed as Xcᵀ(Xc Qᵀ)/(n−1)). */
function covTimes(X: Float32Array, mean: Float64Array, n: number, d: number, Q: Float64Array, m: number): Float64Array {
  const proj = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (X[r * d + t]! - mean[t]!) * Q[j * d + t]!;
      proj[r * m + j] = s;
    }
  }
  const Y = new Float64Array(m * d);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < m; j++) {
      const p = proj[r * m + j]!;
      for (let t = 0; t < d; t++) Y[j * d + t]! += p * (X[r * d + t]! - mean[t]!);
    }
  }
  const denom = Math.max(n - 1, 1);
  for (let i = 0; i < Y.length; i++) Y[i]! /= denom;
  return Y;
}

export function pca(X: Float32Array, n: number, d: number, k = 3, iterations = 200): PcaResult {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let t = 0; t < d; t++) mean[t]! += X[r * d + t]!;
  for (let t = 0; t < d; t++) mean[t]! /= n;
  const m = Math.min(d, k + 4); // a few extra directions make the iteration converge fast
  fillSeed = 12345;
  const Q = new Float64Array(m * d);
  fillRandom(Q);
  orthonormalizeRows(Q, m, d);
  // Stop when the Rayleigh quotients of the top k directions settle (usually 10–30 steps).
  let previous = new Float64Array(k);
  for (let it = 0; it < iterations; it++) {
    const Y = covTimes(X, mean, n, d, Q, m);
    const ritz = new Float64Array(k);
    for (let j = 0; j < Math.min(k, m); j++) for (let t = 0; t < d; t++) ritz[j]! += Q[j * d + t]! * Y[j * d + t]!;
    Q.set(Y);
    orthonormalizeRows(Q, m, d);
    let change = 0;
    for (let j = 0; j < ritz.length; j++) change = Math.max(change, Math.abs(ritz[j]! - previous[j]!) / Math.max(Math.abs(ritz[j]!), 1e-30));
    previous = ritz;
    if (it > 2 && change < 1e-12) break;
  }
  // Rayleigh–Ritz: B = Q C Qᵀ (m×m), its eigenvectors rotate Q onto the principal axes.
  const CQ = covTimes(X, mean, n, d, Q, m);
  const B = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += Q[i * d + t]! * CQ[j * d + t]!;
    B[i * m + j] = s;
  }
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) B[i * m + j] = B[j * m + i] = (B[i * m + j]! + B[j * m + i]!) / 2;
  const { values, vectors } = symmetricEigen(B, m);
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const kk = Math.min(k, m);
  const components = new Float64Array(kk * d);
  const variances = new Float64Array(kk);
  for (let c = 0; c < kk; c++) {
    const e = order[c]!;
    variances[c] = Math.max(values[e]!, 0);
    let big = 0;
    for (let t = 0; t < d; t++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += vectors[i * m + e]! * Q[i * d + t]!;
      components[c * d + t] = s;
      if (Math.abs(s) > Math.abs(big)) big = s;
    }
    if (big < 0) for (let t = 0; t < d; t++) components[c * d + t]! *= -1;
  }
  return { mean, components, variances, k: kk, d };
}

/** Projections of every sample onto the components, [n, k]; `whiten` divides by √variance. */
export function pcaTransform(X: Float32Array, n: number, p: PcaResult, whiten = false): Float64Array {
  const out = new Float64Array(n * p.k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < p.k; c++) {
      let s = 0;
      for (let t = 0; t < p.d; t++) s += (X[r * p.d + t]! - p.mean[t]!) * p.components[c * p.d + t]!;
      out[r * p.k + c] = whiten ? s / Math.sqrt(p.variances[c]! || 1) : s;
    }
  }
  return out;
}
