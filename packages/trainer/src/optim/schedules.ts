/**
 * Schedules as pure functions of the step, so that a resumed run recomputes them exactly.
 */

/** Linear warm-up from 0 (or `start`) to `peak` over `warmup` steps, then cosine decay to `end` at `total`. */
export function warmupCosine(step: number, o: { peak: number; end: number; warmup: number; total: number; start?: number }): number {
  const start = o.start ?? 0;
  if (o.warmup > 0 && step < o.warmup) return start + ((o.peak - start) * step) / o.warmup;
  const span = Math.max(1, o.total - o.warmup);
  const t = Math.min(1, Math.max(0, (step - o.warmup) / span));
  return o.end + 0.5 * (o.peak - o.end) * (1 + Math.cos(Math.PI * t));
}

/** Cosine from `start` to `end` over `total` steps (DINO's weight-decay and teacher-momentum schedules). */
export function cosine(step: number, o: { start: number; end: number; total: number }): number {
  const t = Math.min(1, Math.max(0, step / Math.max(1, o.total)));
  return o.end + 0.5 * (o.start - o.end) * (1 + Math.cos(Math.PI * t));
}

/** Linear ramp from `start` to `end` over `steps`, then constant (DINO's teacher-temperature warm-up). */
export function linearWarmup(step: number, o: { start: number; end: number; steps: number }): number {
  if (o.steps <= 0 || step >= o.steps) return o.end;
  return o.start + ((o.end - o.start) * step) / o.steps;
}
