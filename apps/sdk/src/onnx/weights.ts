import { ExportError } from '../errors';

/** One float32 tensor in the official layout (Linear weights [out, in], C-order). */
export interface Tensor32 {
  shape: number[];
  data: Float32Array;
}

/** Official state-dict name → tensor. */
export type WeightMap = Map<string, Tensor32>;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The tensor called `name`, checked against `shape` when given; a typed error names what is wrong. */
export function need(weights: WeightMap, name: string, shape?: readonly number[]): Tensor32 {
  const t = weights.get(name);
  if (!t) {
    throw new ExportError(`the weights have no '${name}'; is this the right tower and variant? (have ${weights.size} tensors, e.g. ${[...weights.keys()].slice(0, 4).join(', ')})`);
  }
  if (shape && !sameShape(t.shape, shape)) {
    throw new ExportError(`'${name}' has shape [${t.shape.join(', ')}], the model definition needs [${shape.join(', ')}]; check --variant / the config`);
  }
  return t;
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c]!;
  }
  return out;
}
