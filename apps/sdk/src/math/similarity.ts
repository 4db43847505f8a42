/** L2-normalises a vector as the official demos do: x / max(‖x‖, 1e-3). Returns a new array. */
export function l2Normalize(x: Float32Array, minNorm = 1e-3): Float32Array {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  const n = Math.max(Math.sqrt(s), minNorm);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! / n;
  return out;
}

/** Normalises each of the `rows` rows of a row-major [rows, dim] matrix (in place) and returns it. */
export function l2NormalizeRows(m: Float32Array, dim: number, minNorm = 1e-3): Float32Array {
  for (let r = 0; r < m.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += m[r * dim + d]! ** 2;
    const n = Math.max(Math.sqrt(s), minNorm);
    for (let d = 0; d < dim; d++) m[r * dim + d]! /= n;
  }
  return m;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Cosine similarity of two vectors (0 when either is zero). */
export function cosine(a: Float32Array, b: Float32Array): number {
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** Numerically stable softmax of `logits / temperature`. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! / temperature - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  return idx.slice(0, Math.max(0, Math.min(k, idx.length)));
}

/** The mean of several vectors, L2-normalised (prompt ensembles). */
export function meanNormalized(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) out[i]! += v[i]!;
  return l2Normalize(out, 0);
}
