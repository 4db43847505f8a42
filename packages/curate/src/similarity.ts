/** Dot product (= cosine for L2-normalised vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Cosine similarity (any norms; 0 when either vector is zero). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

export interface Histogram {
  /** bins + 1 edges. */
  edges: number[];
  counts: number[];
}

/** Equal-width histogram of `values` over [lo, hi] (values outside are clamped into the end bins). */
export function histogram(values: number[], bins = 40, lo = -1, hi = 1): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)))]!++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * w), counts };
}

/** The exact k nearest rows of each query by cosine (vectors L2-normalised), best first. */
export function exactKnn(queries: Float32Array[], pool: Float32Array[], k: number): { index: number; cosine: number }[][] {
  return queries.map((q) => {
    const scored = pool.map((p, index) => ({ index, cosine: dot(q, p) }));
    scored.sort((a, b) => b.cosine - a.cosine || a.index - b.index);
    return scored.slice(0, k);
  });
}
