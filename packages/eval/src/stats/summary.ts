import { EvalInputError } from '../errors';

/** Mean, sample standard deviation (n − 1) and standard error of a metric over seeds. */
export interface MetricSummary {
  mean: number;
  /** Sample standard deviation (Bessel-corrected); 0 for a single value. */
  std: number;
  /** Standard error of the mean: std / √n. */
  se: number;
  n: number;
  values: number[];
}

/** Summarises one metric's values over seeds. Non-finite values are refused (a diverged seed must be reported, not averaged). */
export function summarize(values: readonly number[]): MetricSummary {
  if (values.length === 0) throw new EvalInputError('summarize: no values; run at least one seed');
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new EvalInputError(`summarize: value ${i} is ${v}; drop or rerun that seed`);
  });
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { mean, std, se: std / Math.sqrt(n), n, values: [...values] };
}

/** How a model's metric compares to a baseline's. */
export interface Comparison {
  /** Improvement in the metric's better direction (positive = the model is ahead). */
  margin: number;
  /** Standard error of the difference of means: √(se_a² + se_b²). */
  se: number;
  /** margin / se (Infinity when both are exact and the margin is positive). */
  z: number;
  /** The margin exceeds `threshold` standard errors (default 2); needs ≥ 2 values on each side. */
  beats: boolean;
}

/**
 * Compares two metric summaries (independent samples, e.g. seeds). "Beats" means the model is
 * ahead by more than `threshold` standard errors of the difference; with fewer than 2 values on
 * either side there is no error estimate and nothing beats.
 */
export function compareSummaries(model: MetricSummary, baseline: MetricSummary, better: 'higher' | 'lower', threshold = 2): Comparison {
  const margin = better === 'higher' ? model.mean - baseline.mean : baseline.mean - model.mean;
  const se = Math.sqrt(model.se ** 2 + baseline.se ** 2);
  const z = se > 0 ? margin / se : margin > 0 ? Infinity : margin < 0 ? -Infinity : 0;
  const beats = model.n >= 2 && baseline.n >= 2 && z > threshold;
  return { margin, se, z, beats };
}

/** "12.3 ± 0.4" (mean ± std over n seeds), with `digits` decimals. */
export function formatSummary(s: MetricSummary, digits = 1): string {
  return `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}`;
}
