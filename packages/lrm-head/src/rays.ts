import { pixelRay, type PinholeCamera } from '@tips/data';
import type { Rng } from '@tips/runtime';
import { LrmInputError } from './errors';

/** Rays in world coordinates: origins and unit directions, 3 floats per ray. */
export interface RayBatch {
  count: number;
  origins: Float32Array;
  directions: Float32Array;
}

/**
 * Rays through pixel centres of a camera (OpenCV convention, see @tips/data's camera.ts): all
 * pixels in row-major order, or the given pixel indices (y·width + x).
 */
export function cameraRays(camera: PinholeCamera, pixels?: ArrayLike<number>): RayBatch {
  const W = camera.width;
  const n = pixels ? pixels.length : W * camera.height;
  const origins = new Float32Array(n * 3);
  const directions = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const p = pixels ? pixels[i]! : i;
    if (!(p >= 0 && p < W * camera.height)) throw new LrmInputError(`pixel index ${p} is outside the ${W}×${camera.height} image`);
    const ray = pixelRay(camera, (p % W) + 0.5, Math.floor(p / W) + 0.5);
    origins.set(ray.origin, i * 3);
    directions.set(ray.direction, i * 3);
  }
  return { count: n, origins, directions };
}

/** Concatenates ray batches. */
export function concatRays(batches: readonly RayBatch[]): RayBatch {
  const count = batches.reduce((s, b) => s + b.count, 0);
  const origins = new Float32Array(count * 3);
  const directions = new Float32Array(count * 3);
  let o = 0;
  for (const b of batches) {
    origins.set(b.origins, o * 3);
    directions.set(b.directions, o * 3);
    o += b.count;
  }
  return { count, origins, directions };
}

/**
 * Where a ray o + t·d enters and leaves the cube [−bound, bound]³ (slab method), clamped to t ≥ 0;
 * `hit` false (near = far = 0) when it misses.
 */
export function rayBoxInterval(o: ArrayLike<number>, d: ArrayLike<number>, offset: number, bound: number): { near: number; far: number; hit: boolean } {
  let near = 0;
  let far = Infinity;
  for (let a = 0; a < 3; a++) {
    const oa = o[offset + a]!;
    const da = d[offset + a]!;
    if (Math.abs(da) < 1e-12) {
      if (oa < -bound || oa > bound) return { near: 0, far: 0, hit: false };
      continue;
    }
    let t1 = (-bound - oa) / da;
    let t2 = (bound - oa) / da;
    if (t1 > t2) [t1, t2] = [t2, t1];
    near = Math.max(near, t1);
    far = Math.min(far, t2);
  }
  if (!(far > near)) return { near: 0, far: 0, hit: false };
  return { near, far, hit: true };
}

/** Sample positions along rays: S per ray, with the segment length each sample stands for. */
export interface RaySamples {
  rays: number;
  samples: number;
  /** Distance along the ray of each sample, [rays·S]. */
  t: Float32Array;
  /** Length of the ray segment each sample represents, [rays·S] (0 for rays that miss the box). */
  deltas: Float32Array;
  /** Sample points in world coordinates, [rays·S·3]. */
  points: Float32Array;
}

/**
 * Stratified sampling inside the scene box (NeRF, Mildenhall et al. 2020, eq. 2): the box chord
 * [near, far] of each ray is cut into S equal bins and one sample is drawn uniformly in each bin
 * (`rng` given) or placed at the bin centre (`rng` null: deterministic, for evaluation). Sample i
 * represents the segment from its bin start to the next bin start, so the deltas add up to the chord.
 */
export function sampleRays(rays: RayBatch, samplesPerRay: number, bound: number, rng: Rng | null): RaySamples {
  const S = samplesPerRay;
  const N = rays.count;
  const t = new Float32Array(N * S);
  const deltas = new Float32Array(N * S);
  const points = new Float32Array(N * S * 3);
  for (let r = 0; r < N; r++) {
    const { near, far, hit } = rayBoxInterval(rays.origins, rays.directions, r * 3, bound);
    const bin = (far - near) / S;
    const ox = rays.origins[r * 3]!, oy = rays.origins[r * 3 + 1]!, oz = rays.origins[r * 3 + 2]!;
    const dx = rays.directions[r * 3]!, dy = rays.directions[r * 3 + 1]!, dz = rays.directions[r * 3 + 2]!;
    for (let i = 0; i < S; i++) {
      const k = r * S + i;
      const u = rng ? rng.uniform() : 0.5;
      const ti = hit ? near + (i + u) * bin : 0;
      t[k] = ti;
      deltas[k] = hit ? bin : 0;
      points[k * 3] = ox + ti * dx;
      points[k * 3 + 1] = oy + ti * dy;
      points[k * 3 + 2] = oz + ti * dz;
    }
  }
  return { rays: N, samples: S, t, deltas, points };
}
