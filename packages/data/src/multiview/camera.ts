/**
 * Pinhole cameras in the OpenCV convention, the one the multi-view JSON layout stores:
 * camera x points right, y down, z forward (into the scene); pixel (u, v) has its centre at
 * (u + 0.5, v + 0.5); K = [[fx, 0, cx], [0, fy, cy], [0, 0, 1]] maps camera coordinates to pixels;
 * `c2w` (camera-to-world, 4×4, row-major) maps camera coordinates to world coordinates, so its
 * last column is the camera centre. OpenGL/Blender cameras (y up, z backward) convert by negating
 * the second and third columns of the rotation (see `openGlToOpenCv`).
 */
export type Vec3 = [number, number, number];

export interface PinholeCamera {
  width: number;
  height: number;
  /** Intrinsics, 3×3 row-major (9 numbers). */
  K: number[];
  /** Camera-to-world rigid transform, 4×4 row-major (16 numbers). */
  c2w: number[];
}

export const sub3 = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add3 = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale3 = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot3 = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross3 = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm3 = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export function normalize3(a: Vec3): Vec3 {
  const n = norm3(a);
  if (!(n > 0)) throw new RangeError('cannot normalise a zero vector');
  return [a[0] / n, a[1] / n, a[2] / n];
}

/** K for a horizontal field of view (degrees), principal point at the image centre, square pixels. */
export function intrinsicsFromFov(fovXDeg: number, width: number, height: number): number[] {
  const f = width / 2 / Math.tan((fovXDeg * Math.PI) / 360);
  return [f, 0, width / 2, 0, f, height / 2, 0, 0, 1];
}

/**
 * Camera-to-world matrix of a camera at `eye` looking at `target`, with `up` the world direction
 * that appears upward in the image (OpenCV convention: camera y = −up projected).
 */
export function lookAt(eye: Vec3, target: Vec3, up: Vec3 = [0, 1, 0]): number[] {
  const z = normalize3(sub3(target, eye)); // forward
  let x = cross3(z, up); // right = forward × up  (with y down)
  if (norm3(x) < 1e-9) x = cross3(z, Math.abs(z[0]) < 0.9 ? [1, 0, 0] : [0, 0, 1]);
  x = normalize3(x);
  const y = cross3(z, x); // down
  return [x[0], y[0], z[0], eye[0], x[1], y[1], z[1], eye[1], x[2], y[2], z[2], eye[2], 0, 0, 0, 1];
}

/** A point on a sphere of `radius` around the origin (y is up): azimuth around y, elevation above the xz plane. */
export function orbitPosition(radius: number, azimuthRad: number, elevationRad: number): Vec3 {
  const c = Math.cos(elevationRad);
  return [radius * c * Math.sin(azimuthRad), radius * Math.sin(elevationRad), radius * c * Math.cos(azimuthRad)];
}

/** Inverse of a rigid 4×4 transform [R t; 0 1] → [Rᵀ −Rᵀt; 0 1]. */
export function invertRigid(m: readonly number[]): number[] {
  const r = [m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!];
  const t = [m[3]!, m[7]!, m[11]!];
  const out = new Array<number>(16).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) out[i * 4 + j] = r[j * 3 + i]!;
    out[i * 4 + 3] = -(r[0 * 3 + i]! * t[0]! + r[1 * 3 + i]! * t[1]! + r[2 * 3 + i]! * t[2]!);
  }
  out[15] = 1;
  return out;
}

/** Applies a 4×4 (row-major) to a point. */
export function transformPoint(m: readonly number[], p: Vec3): Vec3 {
  return [
    m[0]! * p[0] + m[1]! * p[1] + m[2]! * p[2] + m[3]!,
    m[4]! * p[0] + m[5]! * p[1] + m[6]! * p[2] + m[7]!,
    m[8]! * p[0] + m[9]! * p[1] + m[10]! * p[2] + m[11]!,
  ];
}

/** Applies the rotation part of a 4×4 (row-major) to a direction. */
export function rotateDirection(m: readonly number[], d: Vec3): Vec3 {
  return [m[0]! * d[0] + m[1]! * d[1] + m[2]! * d[2], m[4]! * d[0] + m[5]! * d[1] + m[6]! * d[2], m[8]! * d[0] + m[9]! * d[1] + m[10]! * d[2]];
}

/**
 * Projects a world point into a camera: (u, v) continuous pixel coordinates (pixel (i, j) covers
 * [i, i+1) × [j, j+1)), and the depth along the optical axis (negative: behind the camera).
 */
export function projectPoint(camera: PinholeCamera, p: Vec3): { u: number; v: number; depth: number } {
  const pc = transformPoint(invertRigid(camera.c2w), p);
  const K = camera.K;
  const z = pc[2];
  return { u: (K[0]! * pc[0] + K[1]! * pc[1]) / z + K[2]!, v: (K[4]! * pc[1]) / z + K[5]!, depth: z };
}

/**
 * The ray through continuous pixel coordinates (u, v) (use u = i + 0.5 for pixel centres):
 * origin = camera centre, unit direction in world coordinates.
 */
export function pixelRay(camera: PinholeCamera, u: number, v: number): { origin: Vec3; direction: Vec3 } {
  const K = camera.K;
  const fx = K[0]!, s = K[1]!, cx = K[2]!, fy = K[4]!, cy = K[5]!;
  const yc = (v - cy) / fy;
  const xc = (u - cx - s * yc) / fx;
  const d = normalize3(rotateDirection(camera.c2w, [xc, yc, 1]));
  return { origin: [camera.c2w[3]!, camera.c2w[7]!, camera.c2w[11]!], direction: d };
}

/**
 * Converts an OpenGL/Blender camera-to-world (camera y up, z backward — NeRF-synthetic's
 * `transform_matrix`) to the OpenCV convention used here, by negating the y and z camera axes.
 */
export function openGlToOpenCv(c2w: readonly number[]): number[] {
  const out = [...c2w];
  for (const row of [0, 4, 8]) {
    out[row + 1] = -c2w[row + 1]!;
    out[row + 2] = -c2w[row + 2]!;
  }
  return out;
}
