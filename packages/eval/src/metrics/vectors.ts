import { EvalInputError } from '../errors';

/** L2-normalises each row of a row-major [rows, dim] matrix into a new array (norm clipped at `eps`). */
export function l2NormalizeRows(x: ArrayLike<number>, dim: number, eps = 1e-12): Float32Array {
  if (dim < 1 || x.length % dim !== 0) throw new EvalInputError(`cannot split ${x.length} values into rows of ${dim}`);
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[r * dim + d]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), eps);
    for (let d = 0; d < dim; d++) out[r * dim + d] = x[r * dim + d]! * inv;
  }
  return out;
}

/** a·bᵀ for row-major a [m, dim] and b [n, dim]: [m, n] (plain JS; small matrices). */
export function matMulTransposed(a: ArrayLike<number>, b: ArrayLike<number>, dim: number): Float32Array {
  const m = a.length / dim;
  const n = b.length / dim;
  if (!Number.isInteger(m) || !Number.isInteger(n)) throw new EvalInputError(`matrices of ${a.length} and ${b.length} values do not have rows of ${dim}`);
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += a[i * dim + d]! * b[j * dim + d]!;
      out[i * n + j] = s;
    }
  }
  return out;
}
