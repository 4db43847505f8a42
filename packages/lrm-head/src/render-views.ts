import * as tf from '@tensorflow/tfjs-core';
import type { PinholeCamera } from '@tips/data';
import { cameraFeatures } from './camera-features';
import type { LrmModel } from './model';
import type { ImageF32 } from './metrics';
import { cameraRays } from './rays';

/**
 * Predicts the triplanes of one source view: image Float32 HWC [H, W, 3] in [0, 1] and its camera.
 * Returns [1, 3, R, R, C]; the caller disposes it.
 */
export function predictTriplanes(model: LrmModel, image: Float32Array, width: number, height: number, camera: PinholeCamera): tf.Tensor5D {
  return tf.tidy(() => model.predict(tf.tensor4d(image, [1, height, width, 3]), tf.tensor2d(cameraFeatures(camera), [1, 16])));
}

/**
 * Renders a full image of triplanes (batch element 0) from a camera, in chunks of rays (bin-centre
 * samples: deterministic). Returns plain Float32 data; no tensor outlives the call.
 */
export function renderImage(model: LrmModel, planes: tf.Tensor5D, camera: PinholeCamera, background: readonly number[], bound: number, chunk = 4096): ImageF32 {
  const rays = cameraRays(camera);
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
