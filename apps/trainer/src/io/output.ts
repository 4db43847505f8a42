import { writeFileAtomic, encodeNpy } from '@tips/runtime';

/** Rows of a [N, D] Float32Array as plain arrays (JSON output). */
export function rows(values: Float32Array, n: number, d: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(values.subarray(i * d, (i + 1) * d)));
  return out;
}

/** L2-normalises each row in place, dividing by max(‖x‖, 1e-3) as the official inference scripts do. */
export function l2NormaliseRows(values: Float32Array, d: number): Float32Array {
  for (let r = 0; r < values.length / d; r++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += values[r * d + k]! ** 2;
    const norm = Math.max(Math.sqrt(s), 1e-3);
    for (let k = 0; k < d; k++) values[r * d + k]! /= norm;
  }
  return values;
}

/** Writes a float32 array as a .npy file, atomically. */
export async function writeNpyFile(path: string, values: Float32Array, shape: number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy({ dtype: 'float32', shape, data: values }));
}
