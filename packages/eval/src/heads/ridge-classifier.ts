import { Rng } from '@tips/runtime';
import { EvalInputError } from '../errors';
import { predictRidge, selectRidge, type RidgeModel, type RidgeSelection } from './ridge';

/** A linear classifier fitted in closed form: ridge regression onto one-hot targets, argmax to predict. */
export interface RidgeClassifier {
  model: RidgeModel;
  selection: RidgeSelection;
  classes: number;
  /** Rows used to choose λ (the rest fit each candidate); both refit together at the end. */
  valRows: number;
}

/**
 * Fits a linear classifier on features x [n, d] with labels in [0, C) by ridge regression onto
 * one-hot targets (the least-squares classifier; converged by construction, no learning rate).
 * λ is chosen on a seeded `valFraction` hold-out of the rows (default 0.2, at least one row per
 * split), then the model is refit on all rows with it.
 */
export function fitRidgeClassifier(x: Float32Array, labels: Int32Array, d: number, classes: number, options: { seed?: number; valFraction?: number; lambdas?: readonly number[] } = {}): RidgeClassifier {
  const n = labels.length;
  if (x.length !== n * d) throw new EvalInputError(`ridge classifier: features hold ${x.length} values, expected ${n}×${d}`);
  if (n < 2) throw new EvalInputError(`ridge classifier: needs at least 2 labelled rows, got ${n}`);
  for (const l of labels) if (!(Number.isInteger(l) && l >= 0 && l < classes)) throw new EvalInputError(`ridge classifier: label ${l} is outside [0, ${classes})`);
  const order = Rng.derive(options.seed ?? 0, 'ridge-classifier').shuffle(Array.from({ length: n }, (_, i) => i));
  const nVal = Math.min(n - 1, Math.max(1, Math.round((options.valFraction ?? 0.2) * n)));
  const split = (rows: number[]) => {
    const xs = new Float32Array(rows.length * d);
    const ys = new Float32Array(rows.length * classes);
    rows.forEach((r, k) => {
      xs.set(x.subarray(r * d, (r + 1) * d), k * d);
      ys[k * classes + labels[r]!] = 1;
    });
    return { x: xs, y: ys, n: rows.length };
  };
  const selection = selectRidge(split(order.slice(nVal)), split(order.slice(0, nVal)), d, classes, options.lambdas);
  return { model: selection.model, selection, classes, valRows: nVal };
}

/** Class with the largest score for each of the n rows of x [n, d]. */
export function predictRidgeClasses(c: RidgeClassifier, x: Float32Array, n: number): Int32Array {
  const scores = predictRidge(c.model, x, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c.classes; j++) if (scores[i * c.classes + j]! > scores[i * c.classes + best]!) best = j;
    out[i] = best;
  }
  return out;
}
