import type { PinholeCamera } from '@tips/data';

/**
 * The frame the triplanes live in.
 * - 'source' (default): every scene is rotated about the origin so that the source camera has a
 *   canonical orientation (camera x = world +x, y = world −y, looking along world −z), as OpenLRM's
 *   camera normalisation does: the triplane is then aligned with the input view, so the model need not
 *   infer the world's orientation from the camera; the source camera keeps its distance and intrinsics.
 *   A rotation about the origin keeps the object inside the sphere of radius `bound`.
 * - 'world': the dataset's own world frame (the model must use the camera to orient the triplane).
 */
export type CameraFrame = 'source' | 'world';

/** Canonical source rotation (rows of the 3×3 camera-to-world rotation): x → +x, y → −y, z → −z. */
const R0 = [1, 0, 0, 0, -1, 0, 0, 0, -1];

/** Maps world cameras into the model frame of a scene whose input view is `source`. */
export function modelFrame(frame: CameraFrame, source: PinholeCamera): (camera: PinholeCamera) => PinholeCamera {
  if (frame === 'world') return (c) => c;
  const s = source.c2w;
  // M = R0 · R_srcᵀ (3×3): rotates the source camera's axes onto the canonical ones.
  const M = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += R0[i * 3 + k]! * s[j * 4 + k]!;
      M[i * 3 + j] = v;
    }
  return (c) => {
    const out = new Array<number>(16).fill(0);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 4; j++) {
        let v = 0;
        for (let k = 0; k < 3; k++) v += M[i * 3 + k]! * c.c2w[k * 4 + j]!;
        out[i * 4 + j] = v;
      }
    out[15] = 1;
    return { ...c, c2w: out };
  };
}
