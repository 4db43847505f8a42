import { TipsError } from '../errors';

/** A named parameter of the flat buffers the pool shares with its workers. */
export interface ParamShape {
  name: string;
  shape: number[];
}

/**
 * Where each parameter lives in a flat float32 buffer: `offsets[i]` (in elements) and `sizes[i]`
 * for `names[i]`, in the order given; `total` elements in all.
 */
export interface FlatLayout {
  names: string[];
  shapes: number[][];
  offsets: number[];
  sizes: number[];
  total: number;
}

/** A pool is misused: bad layout, wrong shard count, a worker failed, or the worker script is missing. */
export class ParallelError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PARALLEL', message, options);
  }
}

export function flatLayout(params: readonly ParamShape[]): FlatLayout {
  const seen = new Set<string>();
  const layout: FlatLayout = { names: [], shapes: [], offsets: [], sizes: [], total: 0 };
  for (const { name, shape } of params) {
    if (seen.has(name)) throw new ParallelError(`parameter '${name}' is listed twice; give each parameter once`);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ParallelError(`parameter '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    seen.add(name);
    const size = shape.reduce((a, b) => a * b, 1);
    layout.names.push(name);
    layout.shapes.push([...shape]);
    layout.offsets.push(layout.total);
    layout.sizes.push(size);
    layout.total += size;
  }
  return layout;
}

/** Per-name Float32Array views of a flat buffer laid out by `layout` (no copy). */
export function viewsOf(layout: FlatLayout, flat: Float32Array): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  layout.names.forEach((n, i) => m.set(n, flat.subarray(layout.offsets[i]!, layout.offsets[i]! + layout.sizes[i]!)));
  return m;
}

/** The [start, end) element range of the flat buffer that worker `index` of `count` reduces. */
export function segmentOf(total: number, index: number, count: number): [number, number] {
  const per = Math.ceil(total / count);
  return [Math.min(total, index * per), Math.min(total, (index + 1) * per)];
}

/**
 * Splits `total` items into `parts` contiguous shards whose sizes differ by at most one (the first
 * `total % parts` shards get the extra item). Returns [start, end) pairs.
 */
export function shardRanges(total: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const base = Math.floor(total / parts);
  const extra = total % parts;
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const n = base + (i < extra ? 1 : 0);
    out.push([start, start + n]);
    start += n;
  }
  return out;
}
