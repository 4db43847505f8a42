import type { TopLevelSpec } from 'vega-lite';

/** One point of a curve: step, series name, value. */
export interface CurvePoint {
  step: number;
  series: string;
  value: number;
}

/** Line chart of training curves (one line per series), log-scaled y when all values are positive. */
export function curvesSpec(points: readonly CurvePoint[], title: string, options: { yTitle?: string; width?: number; height?: number } = {}): TopLevelSpec {
  const positive = points.every((p) => p.value > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: options.width ?? 560,
    height: options.height ?? 280,
    background: 'white',
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: options.yTitle ?? 'loss', scale: positive ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** Grouped horizontal bars: per-class IoU of one or more methods. */
export function barsSpec(rows: readonly { item: string; group: string; value: number }[], title: string, xTitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    background: 'white',
    data: { values: rows.map((r) => ({ ...r })) },
    mark: 'bar',
    encoding: {
      y: { field: 'item', type: 'nominal', title: null, sort: null },
      yOffset: { field: 'group', type: 'nominal' },
      x: { field: 'value', type: 'quantitative', title: xTitle, scale: { domain: [0, 1] } },
      color: { field: 'group', type: 'nominal', title: null },
    },
  };
}

/** Reduces a long curve to at most `max` points (keeps the first and last, evenly spaced between). */
export function thin<T>(values: readonly T[], max = 400): T[] {
  if (values.length <= max) return [...values];
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(values[Math.round((i * (values.length - 1)) / (max - 1))]!);
  return out;
}
