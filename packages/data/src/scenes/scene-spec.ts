import type { Rng } from '@tips/runtime';
import {
  BACKGROUND_COLOURS, BACKGROUND_COLOUR_NAMES, COLOURS, COLOUR_NAMES, SHAPES, SIZES, SIZE_NAMES, TEXTURE_NAMES, sizeOf,
  type BackgroundColourName, type ColourName, type ShapeName, type SizeName, type TextureName,
} from './vocabulary';

/** One object of a scene before rendering. Depth is in metres; larger = farther. */
export interface SceneObjectSpec {
  shape: ShapeName;
  colour: ColourName;
  /** The exact RGB drawn (the named colour with a small jitter). */
  rgb: [number, number, number];
  size: SizeName;
  /** Centre and radius (half extent) in pixels, rotation in radians. */
  cx: number;
  cy: number;
  radius: number;
  rotation: number;
  depth: number;
}

export interface SceneSpec {
  width: number;
  height: number;
  background: { texture: TextureName; colour: BackgroundColourName; rgb: [number, number, number]; period: number; angle: number };
  objects: SceneObjectSpec[];
}

export interface SceneSpecOptions {
  width: number;
  height: number;
  /** Objects per scene, inclusive range. */
  objects: [number, number];
  /**
   * Pinhole camera (default false): an object's apparent size follows its depth, so size is a
   * monocular depth cue as in photographs. Without it, size and depth are drawn independently and an
   * object's depth cannot be read from the image (only its occlusion order can).
   */
  perspective?: boolean;
}

/** Depth range of objects (m) and of the background plane, top row to bottom row (m). */
export const OBJECT_DEPTH_RANGE: [number, number] = [1.5, 6.5];
/**
 * Pinhole camera: an object of physical scale s at depth d (m) has apparent radius
 * RADIUS_AT_1M · s / d (fraction of the image's shorter side): 0.30 at 1.5 m, 0.07 at 6.5 m for s = 1.
 * Physical scales vary by OBJECT_SCALE_RANGE, so apparent size is a depth cue, not a depth label.
 */
export const RADIUS_AT_1M = 0.45;
export const OBJECT_SCALE_RANGE: [number, number] = [0.85, 1.15];
export const BACKGROUND_DEPTH: [number, number] = [12, 7];

function jitter(rng: Rng, rgb: readonly number[], amount: number): [number, number, number] {
  return rgb.map((v) => Math.max(0, Math.min(255, Math.round(v + rng.range(-amount, amount))))) as [number, number, number];
}

/** Draws a scene's layout from `rng` (objects in drawing order are sorted later by depth). */
export function sampleSceneSpec(rng: Rng, opts: SceneSpecOptions): SceneSpec {
  const { width, height } = opts;
  const short = Math.min(width, height);
  const bgName = rng.pick(BACKGROUND_COLOUR_NAMES);
  const background = {
    texture: rng.pick(TEXTURE_NAMES),
    colour: bgName,
    rgb: jitter(rng, BACKGROUND_COLOURS[bgName], 10),
    period: Math.round(rng.range(0.05, 0.12) * short),
    angle: rng.range(0, Math.PI),
  };
  const n = opts.objects[0] + rng.int(opts.objects[1] - opts.objects[0] + 1);
  const objects: SceneObjectSpec[] = [];
  for (let i = 0; i < n; i++) {
    let size: SizeName, radius: number, depth: number | undefined;
    if (opts.perspective) {
      // Inverse depth is uniform, so apparent radii are spread evenly over [0.07, 0.30] (× scale).
      depth = 1 / rng.range(1 / OBJECT_DEPTH_RANGE[1], 1 / OBJECT_DEPTH_RANGE[0]);
      const fraction = (RADIUS_AT_1M * rng.range(OBJECT_SCALE_RANGE[0], OBJECT_SCALE_RANGE[1])) / depth;
      radius = fraction * short;
      size = sizeOf(fraction);
    } else {
      size = rng.pick(SIZE_NAMES);
      const [lo, hi] = SIZES[size];
      radius = rng.range(lo, hi) * short;
    }
    const colour = rng.pick(COLOUR_NAMES);
    objects.push({
      shape: rng.pick(SHAPES),
      colour,
      rgb: jitter(rng, COLOURS[colour], 12),
      size,
      // Centres keep at least 60% of the radius inside the image.
      cx: rng.range(radius * 0.4, width - radius * 0.4),
      cy: rng.range(radius * 0.4, height - radius * 0.4),
      radius,
      rotation: rng.range(-0.35, 0.35),
      // Default scenes draw depth last, independently of size (their stream order, kept byte for byte).
      depth: depth ?? rng.range(OBJECT_DEPTH_RANGE[0], OBJECT_DEPTH_RANGE[1]),
    });
  }
  return { width, height, background, objects };
}
