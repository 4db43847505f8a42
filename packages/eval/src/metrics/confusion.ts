import { EvalInputError } from '../errors';

/** The label value that marks unlabelled pixels (mmsegmentation's and ADE20K's convention). */
export const DEFAULT_IGNORE_INDEX = 255;

/**
 * A C×C confusion matrix of semantic segmentation (rows: ground truth, columns: prediction),
 * accumulated over images. Pixels whose ground truth equals `ignoreIndex` are skipped.
 * IoU_c = TP / (TP + FP + FN); mean IoU averages the classes whose union is non-empty (a class
 * absent from both the ground truth and the predictions is left out, as mmsegmentation's nanmean
 * and the TIPS zero-shot segmentation notebook's `valid = union > 0`).
 */
export class ConfusionMatrix {
  readonly counts: Float64Array;

  constructor(
    readonly numClasses: number,
    readonly ignoreIndex: number = DEFAULT_IGNORE_INDEX,
  ) {
    if (!Number.isInteger(numClasses) || numClasses < 1) throw new EvalInputError(`numClasses must be a positive integer, got ${numClasses}`);
    this.counts = new Float64Array(numClasses * numClasses);
  }

  /** Adds one image (or any set of pixels): `gt` and `pred` hold class ids, same length. */
  add(gt: ArrayLike<number>, pred: ArrayLike<number>): this {
    if (gt.length !== pred.length) throw new EvalInputError(`ground truth has ${gt.length} pixels but the prediction ${pred.length}; resize the prediction to the mask size`);
    const C = this.numClasses;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i]!;
      if (g === this.ignoreIndex) continue;
      const p = pred[i]!;
      if (!(g >= 0 && g < C && Number.isInteger(g))) {
        throw new EvalInputError(`ground-truth class ${g} at pixel ${i} is outside 0..${C - 1} and is not the ignore index ${this.ignoreIndex}; pass the right number of classes`);
      }
      if (!(p >= 0 && p < C && Number.isInteger(p))) throw new EvalInputError(`predicted class ${p} at pixel ${i} is outside 0..${C - 1}`);
      this.counts[g * C + p]! += 1;
    }
    return this;
  }

  /** Adds another matrix with the same classes. */
  merge(other: ConfusionMatrix): this {
    if (other.numClasses !== this.numClasses) throw new EvalInputError(`cannot merge a ${other.numClasses}-class matrix into a ${this.numClasses}-class one`);
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    return this;
  }

  /** Pixels counted (ignored ones excluded). */
  total(): number {
    let t = 0;
    for (const v of this.counts) t += v;
    return t;
  }

  /** IoU of each class; null where the class is absent from both ground truth and prediction. */
  iou(): (number | null)[] {
    const C = this.numClasses;
    const out: (number | null)[] = [];
    for (let c = 0; c < C; c++) {
      let row = 0;
      let col = 0;
      for (let k = 0; k < C; k++) {
        row += this.counts[c * C + k]!;
        col += this.counts[k * C + c]!;
      }
      const tp = this.counts[c * C + c]!;
      const union = row + col - tp;
      out.push(union > 0 ? tp / union : null);
    }
    return out;
  }

  /** Mean IoU over the classes present in ground truth or prediction (NaN when nothing was counted). */
  meanIoU(): number {
    const v = this.iou().filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  }

  /** Fraction of counted pixels predicted correctly. */
  pixelAccuracy(): number {
    const C = this.numClasses;
    let tp = 0;
    for (let c = 0; c < C; c++) tp += this.counts[c * C + c]!;
    const t = this.total();
    return t > 0 ? tp / t : NaN;
  }
}
