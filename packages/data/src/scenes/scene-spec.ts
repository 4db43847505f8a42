import type { Rng } from '@tips/runtime';
import {
  BACKGROUND_COLOURS, BACKGROUND_COLOUR_NAMES, COLOURS, COLOUR_NAMES, SHAPES, SIZES, SIZE_NAMES, TEXTURE_NAMES,
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
  /** Objects per scene, inclusive range (default [1, 4]). */
  objects: [number, number];
}

/** Depth range of objects (m) and of the background plane, top row to bottom row (m). */
export const OBJECT_DEPTH_RANGE: [number, number] = [1.5, 6.5];
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
    const size = rng.pick(SIZE_NAMES);
    const [lo, hi] = SIZES[size];
    const radius = rng.range(lo, hi) * short;
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
      depth: rng.range(OBJECT_DEPTH_RANGE[0], OBJECT_DEPTH_RANGE[1]),
    });
  }
  return { width, height, background, objects };
}
