import { Rng } from '@tips/runtime';
import { intrinsicsFromFov, lookAt, orbitPosition, type PinholeCamera } from './camera';

export interface OrbitRigOptions {
  /** Number of cameras. */
  views: number;
  /** Image side in pixels (square images). */
  size: number;
  /** Distance of every camera from the origin (default 2.7). */
  radius?: number;
  /** Horizontal field of view in degrees (default 45). */
  fovDeg?: number;
  /** Elevation range in degrees above the horizontal plane (default [−10, 40]). */
  elevation?: [number, number];
}

/**
 * Cameras on a sphere around the origin, all looking at it (world y up): azimuths evenly spaced
 * from a random start with a small jitter, elevations uniform in the range. Same rng state → same rig.
 */
export function orbitRig(rng: Rng, options: OrbitRigOptions): PinholeCamera[] {
  const { views, size } = options;
  const radius = options.radius ?? 2.7;
  const [e0, e1] = options.elevation ?? [-10, 40];
  const K = intrinsicsFromFov(options.fovDeg ?? 45, size, size);
  const start = rng.range(0, 2 * Math.PI);
  const step = (2 * Math.PI) / views;
  const cams: PinholeCamera[] = [];
  for (let i = 0; i < views; i++) {
    const az = start + i * step + rng.range(-0.25, 0.25) * step;
    const el = (rng.range(e0, e1) * Math.PI) / 180;
    cams.push({ width: size, height: size, K: [...K], c2w: lookAt(orbitPosition(radius, az, el), [0, 0, 0]) });
  }
  return cams;
}

/** A turntable: `count` cameras at one elevation, azimuths evenly spaced from 0 (for renders, not training). */
export function turntableRig(count: number, size: number, options: { radius?: number; fovDeg?: number; elevationDeg?: number } = {}): PinholeCamera[] {
  const K = intrinsicsFromFov(options.fovDeg ?? 45, size, size);
  const el = ((options.elevationDeg ?? 20) * Math.PI) / 180;
  return Array.from({ length: count }, (_, i) => ({
    width: size,
    height: size,
    K: [...K],
    c2w: lookAt(orbitPosition(options.radius ?? 2.7, (2 * Math.PI * i) / count, el), [0, 0, 0]),
  }));
}
