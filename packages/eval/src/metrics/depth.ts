import { EvalInputError } from '../errors';

/**
 * Monocular depth metrics (Eigen et al. 2014), as the Monocular-Depth-Estimation-Toolbox that
 * DINOv2's depth evaluation uses: computed per image over the valid pixels, then averaged over
 * images. RMSE is the paper's headline number for NYUv2.
 */
export interface DepthMetrics {
  /** sqrt(mean((pred − gt)²)), in the depth unit (metres). */
  rmse: number;
  /** mean(|pred − gt| / gt). */
  absRel: number;
  /** Fraction of pixels with max(pred/gt, gt/pred) < 1.25 (and 1.25², 1.25³). */
  delta1: number;
  delta2: number;
  delta3: number;
}

export interface DepthMetricOptions {
  /** Ground truth at or below this is invalid (default 1e-3, DINOv2's min_depth; 0 marks "no depth"). */
  minDepth?: number;
  /** Ground truth above this is invalid (default: no limit; NYUv2 uses 10). */
  maxDepth?: number;
  /** Clamp predictions into [minDepth, maxDepth] first (default true, as monodepth-style evaluations). */
  clampPrediction?: boolean;
}

/** Metrics of one image; null when it has no valid ground-truth pixel. */
export function depthMetrics(pred: ArrayLike<number>, gt: ArrayLike<number>, options: DepthMetricOptions = {}): DepthMetrics | null {
  if (pred.length !== gt.length) throw new EvalInputError(`depth prediction has ${pred.length} pixels but the ground truth ${gt.length}; resize the prediction to the ground-truth size`);
  const lo = options.minDepth ?? 1e-3;
  const hi = options.maxDepth ?? Infinity;
  const clamp = options.clampPrediction ?? true;
  let n = 0;
  let se = 0;
  let rel = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  for (let i = 0; i < gt.length; i++) {
    const g = gt[i]!;
    if (!(g > lo && g <= hi)) continue;
    let p = pred[i]!;
    if (!Number.isFinite(p)) throw new EvalInputError(`depth prediction at pixel ${i} is ${p}`);
    if (clamp) p = Math.min(Math.max(p, lo), hi);
    const diff = p - g;
    se += diff * diff;
    rel += Math.abs(diff) / g;
    const ratio = p > 0 ? Math.max(p / g, g / p) : Infinity;
    if (ratio < 1.25) d1++;
    if (ratio < 1.25 ** 2) d2++;
    if (ratio < 1.25 ** 3) d3++;
    n++;
  }
  if (n === 0) return null;
  return { rmse: Math.sqrt(se / n), absRel: rel / n, delta1: d1 / n, delta2: d2 / n, delta3: d3 / n };
}

/** Averages per-image depth metrics over a dataset (images without valid pixels are skipped). */
export class DepthMetricAccumulator {
  private readonly sums: DepthMetrics = { rmse: 0, absRel: 0, delta1: 0, delta2: 0, delta3: 0 };
  images = 0;

  constructor(readonly options: DepthMetricOptions = {}) {}

  add(pred: ArrayLike<number>, gt: ArrayLike<number>): DepthMetrics | null {
    const m = depthMetrics(pred, gt, this.options);
    if (!m) return null;
    for (const k of Object.keys(this.sums) as (keyof DepthMetrics)[]) this.sums[k] += m[k];
    this.images++;
    return m;
  }

  mean(): DepthMetrics & { images: number } {
    const n = this.images;
    const out = { images: n } as DepthMetrics & { images: number };
    for (const k of Object.keys(this.sums) as (keyof DepthMetrics)[]) out[k] = n ? this.sums[k] / n : NaN;
    return out;
  }
}
