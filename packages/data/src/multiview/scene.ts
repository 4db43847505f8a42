import { Rng } from '@tips/runtime';
import { normalize3, type Vec3 } from './camera';
import { boundingRadius, type Primitive, type PrimitiveKind } from './primitives';

/** A 3D scene of the multi-view generator: primitives, one directional light, a background colour. */
export interface MultiviewScene {
  objects: Primitive[];
  /** Unit direction towards the light (world coordinates). */
  lightDir: Vec3;
  /** Ambient term: shaded colour = albedo · (ambient + (1 − ambient) · max(0, n·l)). */
  ambient: number;
  /** Background colour, RGB in [0, 1]. */
  background: Vec3;
}

export interface SceneSampleOptions {
  /** Number of objects per scene, inclusive range (default [1, 3]). */
  objects?: [number, number];
  /** Kinds to draw from (default all four). */
  kinds?: PrimitiveKind[];
  /** Every object lies inside the origin-centred sphere of this radius (default 0.9). */
  boundRadius?: number;
  background?: Vec3;
  ambient?: number;
}

export const ALL_PRIMITIVE_KINDS: PrimitiveKind[] = ['sphere', 'box', 'cylinder', 'cone'];

function hsvToRgb(h: number, s: number, v: number): Vec3 {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  switch (((i % 6) + 6) % 6) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

/** Rotation Ry(yaw)·Rx(pitch)·Rz(roll), 3×3 row-major. */
export function eulerRotation(yaw: number, pitch: number, roll: number): number[] {
  const [cy, sy, cp, sp, cr, sr] = [Math.cos(yaw), Math.sin(yaw), Math.cos(pitch), Math.sin(pitch), Math.cos(roll), Math.sin(roll)];
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const Rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  return mul3(mul3(Ry, Rx), Rz);
}

function mul3(a: number[], b: number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j]! += a[i * 3 + k]! * b[k * 3 + j]!;
  return out;
}

/**
 * Draws a scene from `rng`: 1–3 primitives with distinct saturated colours, placed near the
 * origin and shrunk until each fits inside the bounding sphere; a light from the upper hemisphere.
 */
export function samplePrimitiveScene(rng: Rng, options: SceneSampleOptions = {}): MultiviewScene {
  const [lo, hi] = options.objects ?? [1, 3];
  const kinds = options.kinds ?? ALL_PRIMITIVE_KINDS;
  const bound = options.boundRadius ?? 0.9;
  const n = lo + rng.int(hi - lo + 1);
  const hue0 = rng.uniform();
  const objects: Primitive[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rng.pick(kinds);
    const spread = n === 1 ? 0.15 : 0.45;
    const center: Vec3 = [rng.range(-spread, spread), rng.range(-spread, spread) * 0.7, rng.range(-spread, spread)];
    let size: Vec3;
    if (kind === 'sphere') {
      const r = rng.range(0.2, 0.45);
      size = [r, r, r];
    } else if (kind === 'box') size = [rng.range(0.12, 0.35), rng.range(0.12, 0.35), rng.range(0.12, 0.35)];
    else size = [rng.range(0.15, 0.32), rng.range(0.18, 0.4), 0];
    const rotation = kind === 'sphere' ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : eulerRotation(rng.range(0, 2 * Math.PI), rng.range(-0.5, 0.5), rng.range(-0.3, 0.3));
    // Evenly spaced hues (golden-ratio steps) keep the objects of a scene distinguishable.
    const color = hsvToRgb((hue0 + i * 0.618034) % 1, rng.range(0.55, 0.95), rng.range(0.6, 0.95));
    const obj: Primitive = { kind, center, size, rotation, color };
    const r = boundingRadius(obj);
    if (r > bound) {
      // Pull the object towards the origin first, then shrink it.
      const c = Math.hypot(...center);
      const extent = r - c;
      const newC = Math.max(0, Math.min(c, bound - extent));
      const f = c > 0 ? newC / c : 0;
      obj.center = [center[0] * f, center[1] * f, center[2] * f];
      const r2 = boundingRadius(obj);
      if (r2 > bound) {
        const s = (bound - newC) / (r2 - newC);
        obj.size = [size[0] * s, size[1] * s, size[2] * s];
      }
    }
    objects.push(obj);
  }
  const lightDir = normalize3([rng.range(-1, 1), rng.range(0.4, 1.2), rng.range(-1, 1)]);
  return { objects, lightDir, ambient: options.ambient ?? 0.35, background: options.background ?? [1, 1, 1] };
}
