import { EvalInputError } from '../errors';

/** Top-1 accuracy: fraction of samples whose prediction equals the label; labels < 0 are skipped. */
export function top1Accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predictions.length !== labels.length) throw new EvalInputError(`${predictions.length} predictions for ${labels.length} labels`);
  let n = 0;
  let hit = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! < 0) continue;
    n++;
    if (predictions[i] === labels[i]) hit++;
  }
  return n ? hit / n : NaN;
}

/** Index of the largest value of each row of a row-major [rows, cols] matrix (first one on ties). */
export function argmaxRows(scores: ArrayLike<number>, rows: number, cols: number): Int32Array {
  if (scores.length !== rows * cols) throw new EvalInputError(`scores hold ${scores.length} values, not ${rows}×${cols}`);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestV = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = scores[r * cols + c]!;
      if (v > bestV) {
        bestV = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Top-k accuracy from class scores [n, C]: the label is among the k highest scores (labels < 0 skipped; ties go to the lower index). */
export function topKAccuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, k: number): number {
  const n = labels.length;
  if (scores.length !== n * numClasses) throw new EvalInputError(`scores hold ${scores.length} values, not ${n}×${numClasses}`);
  let count = 0;
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y < 0) continue;
    count++;
    const s = scores[i * numClasses + y]!;
    let above = 0;
    // Ties are broken by the lower class index, as argmaxRows does.
    for (let c = 0; c < numClasses; c++) {
      const v = scores[i * numClasses + c]!;
      if (v > s || (v === s && c < y)) above++;
    }
    if (above < k) hit++;
  }
  return count ? hit / count : NaN;
}
