import { dot3, pixelRay, type PinholeCamera, type Vec3 } from './camera';
import { intersectPrimitive } from './primitives';
import type { MultiviewScene } from './scene';

/** One rendered view: 8-bit RGB (HWC) and, per pixel, the index of the object seen at its centre (−1: background). */
export interface RenderedView {
  width: number;
  height: number;
  rgb: Uint8Array;
  objectIds: Int16Array;
}

/** Colour and object index seen along one ray (nearest hit, Lambertian + ambient shading, no shadows). */
export function traceRay(scene: MultiviewScene, origin: Vec3, direction: Vec3): { color: Vec3; object: number } {
  let best = Infinity;
  let object = -1;
  let normal: Vec3 = [0, 0, 0];
  for (let i = 0; i < scene.objects.length; i++) {
    const hit = intersectPrimitive(scene.objects[i]!, origin, direction);
    if (hit && hit.t < best) {
      best = hit.t;
      object = i;
      normal = hit.normal;
    }
  }
  if (object < 0) return { color: scene.background, object };
  const albedo = scene.objects[object]!.color;
  const shade = scene.ambient + (1 - scene.ambient) * Math.max(0, dot3(normal, scene.lightDir));
  return { color: [albedo[0] * shade, albedo[1] * shade, albedo[2] * shade], object };
}

/**
 * Ray-casts a scene into a camera's image. Each pixel averages `supersample`² stratified
 * sub-pixel rays (antialiasing; 1 = one ray through the pixel centre); object ids come from the
 * centre ray.
 */
export function raycastView(scene: MultiviewScene, camera: PinholeCamera, supersample = 2): RenderedView {
  const { width, height } = camera;
  const rgb = new Uint8Array(width * height * 3);
  const objectIds = new Int16Array(width * height);
  const ss = Math.max(1, Math.floor(supersample));
  const inv = 1 / (ss * ss);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const ray = pixelRay(camera, x + (sx + 0.5) / ss, y + (sy + 0.5) / ss);
          const c = traceRay(scene, ray.origin, ray.direction).color;
          r += c[0];
          g += c[1];
          b += c[2];
        }
      }
      const centre = pixelRay(camera, x + 0.5, y + 0.5);
      objectIds[y * width + x] = traceRay(scene, centre.origin, centre.direction).object;
      const o = (y * width + x) * 3;
      rgb[o] = to8(r * inv);
      rgb[o + 1] = to8(g * inv);
      rgb[o + 2] = to8(b * inv);
    }
  }
  return { width, height, rgb, objectIds };
}

function to8(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}
