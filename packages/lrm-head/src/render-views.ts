import * as tf from '@tensorflow/tfjs-core';
import type { PinholeCamera } from '@tips/data';
import { cameraFeatures } from './camera-features';
import { modelFrame } from './camera-frame';
import type { LrmModel } from './model';
import type { ImageF32 } from './metrics';
import { cameraRays } from './rays';

/** Triplanes [1, 3, R, R, C] of one input view and the map from world cameras to their frame. Owns the planes (dispose()). */
export class Reconstruction {
  constructor(
    readonly planes: tf.Tensor5D,
    /** World camera → the camera in the triplanes' frame (see modelFrame). */
    readonly toModel: (camera: PinholeCamera) => PinholeCamera = (c) => c,
  ) {}
  dispose(): void {
    this.planes.dispose();
  }
}

/**
 * Reconstructs one input view: image Float32 HWC [H, W, 3] in [0, 1] and its (world) camera →
 * triplanes in the model's camera frame. The caller disposes the result.
 */
export function reconstruct(model: LrmModel, image: Float32Array, width: number, height: number, camera: PinholeCamera): Reconstruction {
  const toModel = modelFrame(model.config.cameraFrame, camera);
  const planes = tf.tidy(() => model.predict(tf.tensor4d(image, [1, height, width, 3]), tf.tensor2d(cameraFeatures(toModel(camera)), [1, 16])));
  return new Reconstruction(planes, toModel);
}

/**
 * Renders a full image of a reconstruction from a world camera, in chunks of rays (bin-centre
 * samples: deterministic). Returns plain Float32 data; no tensor outlives the call.
 */
export function renderImage(model: LrmModel, recon: Reconstruction, camera: PinholeCamera, background: readonly number[], bound: number, chunk = 4096): ImageF32 {
  const planes = recon.planes;
  const rays = cameraRays(recon.toModel(camera));
  const out = new Float32Array(rays.count * 3);
  for (let start = 0; start < rays.count; start += chunk) {
    const n = Math.min(chunk, rays.count - start);
    const part = {
      count: n,
      origins: rays.origins.subarray(start * 3, (start + n) * 3),
      directions: rays.directions.subarray(start * 3, (start + n) * 3),
    };
    const bg = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) bg.set(background.slice(0, 3), i * 3);
    const rgb = tf.tidy(() => model.head.render(planes, { rays: part, scene: new Int32Array(n), background: bg, bound }, null).rgb);
    out.set(rgb.dataSync() as Float32Array, start * 3);
    rgb.dispose();
  }
  return { width: camera.width, height: camera.height, data: out };
}
