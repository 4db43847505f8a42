import type { PinholeCamera } from '@tips/data';

/** Length of the camera feature vector. */
export const CAMERA_FEATURES = 16;

/**
 * LRM's camera conditioning vector (§3.2: c = [E, fx, fy, cx, cy], intrinsics normalised by the
 * image size): the first three rows of the camera-to-world matrix (12 numbers; the fourth row is
 * always [0 0 0 1]) followed by fx/W, fy/H, cx/W, cy/H.
 */
export function cameraFeatures(camera: PinholeCamera): Float32Array {
  const out = new Float32Array(CAMERA_FEATURES);
  for (let i = 0; i < 12; i++) out[i] = camera.c2w[i]!;
  out[12] = camera.K[0]! / camera.width;
  out[13] = camera.K[4]! / camera.height;
  out[14] = camera.K[2]! / camera.width;
  out[15] = camera.K[5]! / camera.height;
  return out;
}
