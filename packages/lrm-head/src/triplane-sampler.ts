import * as tf from '@tensorflow/tfjs-core';

/**
 * The three axis-aligned planes of a triplane (EG3D, Chan et al. 2022; LRM §3.2), each a grid of
 * R×R feature vectors over the square [−bound, bound]²: plane 0 = xy (column x, row y), plane 1 =
 * xz (column x, row z), plane 2 = zy (column z, row y). Grid cell (row i, col j) has its centre at
 * coordinate −bound + (j + 0.5)·2·bound/R (align_corners = False, as PyTorch's grid_sample default).
 */
export const TRIPLANE_AXES: readonly [number, number][] = [
  [0, 1], // xy: (column axis, row axis)
  [0, 2], // xz
  [2, 1], // zy
];

/**
 * Precomputed bilinear taps of points on a batch of triplanes: for each point and plane the four
 * neighbouring cells (flat row indices into a [B·3·R·R, C] table) and their weights; taps outside
 * the grid get weight 0 (zero padding, grid_sample's padding_mode='zeros').
 */
export interface TriplaneTaps {
  points: number;
  /** [points·3·4] rows of the [B·3·R·R, C] table. */
  indices: Int32Array;
  /** [points·3·4] bilinear weights. */
  weights: Float32Array;
}

/**
 * Bilinear taps of `points` ([P·3] world coordinates); `batchOf(p)` says which triplane of the
 * batch point p reads. Pure JavaScript: positions come from camera rays, which carry no gradient.
 */
export function triplaneTaps(points: Float32Array, batchOf: (p: number) => number, resolution: number, bound: number): TriplaneTaps {
  const P = points.length / 3;
  const R = resolution;
  const indices = new Int32Array(P * 12);
  const weights = new Float32Array(P * 12);
  const scale = R / (2 * bound);
  for (let p = 0; p < P; p++) {
    const b = batchOf(p);
    for (let plane = 0; plane < 3; plane++) {
      const axes = TRIPLANE_AXES[plane]!;
      // Continuous cell coordinates (cell centres at integers).
      const x = (points[p * 3 + axes[0]]! + bound) * scale - 0.5;
      const y = (points[p * 3 + axes[1]]! + bound) * scale - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const base = (b * 3 + plane) * R * R;
      const o = (p * 3 + plane) * 4;
      for (let k = 0; k < 4; k++) {
        const row = y0 + (k >> 1);
        const col = x0 + (k & 1);
        const inside = row >= 0 && row < R && col >= 0 && col < R;
        const w = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
        indices[o + k] = inside ? base + row * R + col : base;
        weights[o + k] = inside ? w : 0;
      }
    }
  }
  return { points: P, indices, weights };
}

/** How sampleTriplanes computes: in JavaScript on downloaded arrays, or with gather/scatterND ops on the backend. */
export type TriplaneSamplerMode = 'js' | 'ops';

/**
 * 'ops' (measured faster on tfjs-wasm: 35 ms vs 46–60 ms for forward + backward of 24 576 points on
 * 16×16×8 planes, `npm run bench -w @tips/lrm-head -- sampler`), except on the pure-JS 'cpu' backend,
 * whose gather kernels are slower than the plain loops.
 */
export function defaultSamplerMode(): TriplaneSamplerMode {
  return tf.getBackend() === 'cpu' ? 'js' : 'ops';
}

/**
 * Samples triplanes at precomputed taps: planes [B, 3, R, R, C] → features [P, 3, C] (one C-vector
 * per plane). Differentiable with respect to the planes through a custom gradient that scatters the
 * weighted output gradient back onto the four taps, so tfjs's gather gradient (unsortedSegmentSum,
 * absent on wasm) is never needed. Mode 'js' runs both passes as plain loops over host arrays (the
 * planes are small: a few thousand values), 'ops' as gatherND/gather + scatterND on the backend.
 * Returns a new tensor; the caller disposes it (or a tidy / gradient scope does).
 */
export function sampleTriplanes(planes: tf.Tensor, taps: TriplaneTaps, mode: TriplaneSamplerMode = defaultSamplerMode()): tf.Tensor3D {
  const [B, three, R, R2, C] = planes.shape as number[];
  if (planes.rank !== 5 || three !== 3 || R !== R2) throw new Error(`planes must be [B, 3, R, R, C]; got ${JSON.stringify(planes.shape)}`);
  const rows = B! * 3 * R! * R!;
  const P = taps.points;
  const c = C!;
  if (mode === 'js') {
    const op = tf.customGrad(((table: tf.Tensor2D) => {
      const out = new Float32Array(P * 3 * c);
      accumulateTaps(taps, c, table.dataSync() as Float32Array, out, 'gather');
      const gradFunc = (dy: tf.Tensor) => {
        const acc = new Float32Array(rows * c);
        accumulateTaps(taps, c, dy.dataSync() as Float32Array, acc, 'scatter');
        return tf.tensor2d(acc, [rows, c]);
      };
      return { value: tf.tensor3d(out, [P, 3, c]), gradFunc };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return op(tf.reshape(planes, [rows, c])) as tf.Tensor3D;
  }
  const idx = tf.tensor2d(taps.indices, [P * 12, 1], 'int32');
  const w = tf.tensor4d(taps.weights, [P, 3, 4, 1]);
  const useGatherNd = tf.getBackend() === 'wasm';
  const op = tf.customGrad(((table: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    const g = useGatherNd ? tf.gatherND(table, idx) : tf.gather(table, tf.reshape(idx, [P * 12]));
    const value = tf.sum(tf.mul(tf.reshape(g, [P, 3, 4, c]), w), 2) as tf.Tensor3D;
    // The gradient scope frees forward tensors before the backward pass: keep the taps through save().
    save([idx, w]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sIdx, sW] = saved as [tf.Tensor2D, tf.Tensor4D];
      return tf.scatterND(sIdx, tf.reshape(tf.mul(tf.expandDims(dy, 2), sW), [P * 12, c]), [rows, c]);
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const out = op(tf.reshape(planes, [rows, c])) as tf.Tensor3D;
  idx.dispose();
  w.dispose();
  return out;
}

/**
 * The taps as loops over host arrays: 'gather' adds w · table[row] to each output vector (forward),
 * 'scatter' adds w · output-gradient to each table row (backward, the transpose).
 */
function accumulateTaps(taps: TriplaneTaps, c: number, src: Float32Array, dst: Float32Array, direction: 'gather' | 'scatter'): void {
  const { indices, weights } = taps;
  const gather = direction === 'gather';
  for (let q = 0; q < taps.points * 3; q++) {
    const o = q * c;
    for (let k = 0; k < 4; k++) {
      const w = weights[q * 4 + k]!;
      if (w === 0) continue;
      const r = indices[q * 4 + k]! * c;
      if (gather) for (let ch = 0; ch < c; ch++) dst[o + ch]! += w * src[r + ch]!;
      else for (let ch = 0; ch < c; ch++) dst[r + ch]! += w * src[o + ch]!;
    }
  }
}
