import { EvalInputError } from '../errors';

/** A fitted affine map y = x·W + b (W row-major [d, k]). */
export interface RidgeModel {
  d: number;
  k: number;
  weights: Float64Array;
  bias: Float64Array;
  lambda: number;
}

function check(name: string, x: ArrayLike<number>, rows: number, cols: number): void {
  if (x.length !== rows * cols) throw new EvalInputError(`ridge: ${name} holds ${x.length} values, expected ${rows}×${cols} = ${rows * cols}`);
}

/** Cholesky solve of A·X = B in place (A [d, d] symmetric positive definite, B [d, k]); returns X in B. */
function choleskySolve(A: Float64Array, B: Float64Array, d: number, k: number): void {
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j]!;
    for (let p = 0; p < j; p++) s -= A[j * d + p]! ** 2;
    if (!(s > 0)) throw new EvalInputError('ridge: the regularised Gram matrix is not positive definite; increase lambda');
    const ljj = Math.sqrt(s);
    A[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = A[i * d + j]!;
      for (let p = 0; p < j; p++) t -= A[i * d + p]! * A[j * d + p]!;
      A[i * d + j] = t / ljj;
    }
  }
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < d; i++) {
      let t = B[i * k + c]!;
      for (let p = 0; p < i; p++) t -= A[i * d + p]! * B[p * k + c]!;
      B[i * k + c] = t / A[i * d + i]!;
    }
    for (let i = d - 1; i >= 0; i--) {
      let t = B[i * k + c]!;
      for (let p = i + 1; p < d; p++) t -= A[p * d + i]! * B[p * k + c]!;
      B[i * k + c] = t / A[i * d + i]!;
    }
  }
}

/**
 * Closed-form ridge regression with an unpenalised bias: minimises Σ‖x_i·W + b − y_i‖² + λ‖W‖²
 * over n rows of x [n, d] and targets y [n, k] (centring removes the bias from the penalty).
 * Deterministic: the same inputs give the same model, bit for bit.
 */
export function fitRidge(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, k: number, lambda: number): RidgeModel {
  check('x', x, n, d);
  check('y', y, n, k);
  if (!(lambda >= 0)) throw new EvalInputError(`ridge: lambda must be ≥ 0, got ${lambda}`);
  if (n < 1) throw new EvalInputError('ridge: no training rows');
  const mx = new Float64Array(d);
  const my = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) mx[j]! += x[i * d + j]!;
    for (let c = 0; c < k; c++) my[c]! += y[i * k + c]!;
  }
  for (let j = 0; j < d; j++) mx[j]! /= n;
  for (let c = 0; c < k; c++) my[c]! /= n;
  const A = new Float64Array(d * d);
  const B = new Float64Array(d * k);
  const xc = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) xc[j] = x[i * d + j]! - mx[j]!;
    for (let a = 0; a < d; a++) {
      const va = xc[a]!;
      if (va === 0) continue;
      for (let b = 0; b <= a; b++) A[a * d + b]! += va * xc[b]!;
      for (let c = 0; c < k; c++) B[a * k + c]! += va * (y[i * k + c]! - my[c]!);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) A[b * d + a] = A[a * d + b]!;
    A[a * d + a]! += lambda;
  }
  choleskySolve(A, B, d, k);
  const bias = Float64Array.from(my);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) bias[c]! -= mx[j]! * B[j * k + c]!;
  return { d, k, weights: B, bias, lambda };
}

/** x·W + b for n rows [n, k]. */
export function predictRidge(model: RidgeModel, x: ArrayLike<number>, n: number): Float32Array {
  check('x', x, n, model.d);
  const { d, k, weights: W, bias } = model;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = bias[c]!;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * W[j * k + c]!;
      out[i * k + c] = s;
    }
  }
  return out;
}

/** Mean squared error per row (summed over the k outputs, averaged over rows). */
export function meanSquaredError(pred: ArrayLike<number>, y: ArrayLike<number>, n: number, k: number): number {
  let s = 0;
  for (let i = 0; i < n * k; i++) s += (pred[i]! - y[i]!) ** 2;
  return s / n;
}

export interface RidgeSelection {
  model: RidgeModel;
  /** Every λ tried with its train and validation MSE. */
  grid: { lambda: number; trainMse: number; valMse: number }[];
  trainMse: number;
  valMse: number;
}

/**
 * Picks λ from `lambdas` by validation MSE (ties: the larger λ), then refits on train ∪ validation
 * with it. `lambdas` are multiples of the mean diagonal of the centred Gram matrix per row, so the
 * same grid suits features of any scale (default 1e-6 … 1e1).
 */
export function selectRidge(
  train: { x: ArrayLike<number>; y: ArrayLike<number>; n: number },
  val: { x: ArrayLike<number>; y: ArrayLike<number>; n: number },
  d: number,
  k: number,
  lambdas: readonly number[] = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10],
): RidgeSelection {
  if (lambdas.length === 0) throw new EvalInputError('ridge: empty lambda grid');
  // Scale: total variance of the training features (trace of the centred Gram matrix).
  let trace = 0;
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < train.n; i++) m += train.x[i * d + j]!;
    m /= train.n;
    for (let i = 0; i < train.n; i++) trace += (train.x[i * d + j]! - m) ** 2;
  }
  const scale = trace / d || 1;
  const grid = lambdas.map((l) => {
    let model: RidgeModel;
    try {
      model = fitRidge(train.x, train.y, train.n, d, k, l * scale);
    } catch (e) {
      // Too small a λ for (near-)collinear features: not positive definite. Skip it.
      if (e instanceof EvalInputError) return { lambda: l * scale, trainMse: Infinity, valMse: Infinity };
      throw e;
    }
    return {
      lambda: l * scale,
      trainMse: meanSquaredError(predictRidge(model, train.x, train.n), train.y, train.n, k),
      valMse: meanSquaredError(predictRidge(model, val.x, val.n), val.y, val.n, k),
    };
  });
  let best = grid[0]!;
  for (const g of grid) if (g.valMse <= best.valMse) best = g;
  if (!Number.isFinite(best.valMse)) throw new EvalInputError(`ridge: no λ in the grid (up to ${lambdas[lambdas.length - 1]} × feature variance) gives a positive definite system; the features are degenerate`);
  const n = train.n + val.n;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n * k);
  for (let i = 0; i < train.n * d; i++) x[i] = train.x[i]!;
  for (let i = 0; i < val.n * d; i++) x[train.n * d + i] = val.x[i]!;
  for (let i = 0; i < train.n * k; i++) y[i] = train.y[i]!;
  for (let i = 0; i < val.n * k; i++) y[train.n * k + i] = val.y[i]!;
  return { model: fitRidge(x, y, n, d, k, best.lambda), grid, trainMse: best.trainMse, valMse: best.valMse };
}
