import type { SceneRaster } from './raster';
import type { SceneSpec } from './scene-spec';
import { REGIONS, SHAPES, regionOf, type ColourName, type ShapeName, type SizeName } from './vocabulary';

/**
 * One object's annotation, as stored in the manifest record's `objects` (the captioner's template
 * backend reads these). Pixel coordinates; bbox = [x0, y0, x1, y1) of the visible pixels.
 */
export interface SceneObject {
  class: ShapeName;
  /** Class-mask id (SHAPES index + 1). */
  class_id: number;
  colour: ColourName;
  size: SizeName;
  /** Centroid of the visible pixels. */
  center: [number, number];
  bbox: [number, number, number, number];
  radius_px: number;
  rotation_deg: number;
  depth_m: number;
  /** 0 = nearest to the camera. */
  depth_order: number;
  /** Visible pixels / pixels the object covers. */
  visible_fraction: number;
  region: (typeof REGIONS)[number];
  /** Indices (in `objects`) of the nearer objects hiding at least 5% of this one, most hiding first. */
  occluded_by: number[];
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Measures each object in the rendered scene. */
export function annotate(spec: SceneSpec, r: SceneRaster): SceneObject[] {
  const { width: W, height: H, objects } = spec;
  const n = objects.length;
  const sx = new Float64Array(n);
  const sy = new Float64Array(n);
  const bb = Array.from({ length: n }, () => [W, H, 0, 0]);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const k = r.instances[y * W + x]!;
      if (k < 0) continue;
      sx[k]! += x + 0.5;
      sy[k]! += y + 0.5;
      const b = bb[k]!;
      if (x < b[0]!) b[0] = x;
      if (y < b[1]!) b[1] = y;
      if (x + 1 > b[2]!) b[2] = x + 1;
      if (y + 1 > b[3]!) b[3] = y + 1;
    }
  const byDepth = objects.map((_, i) => i).sort((a, b) => objects[a]!.depth - objects[b]!.depth || a - b);
  return objects.map((o, k) => {
    const vis = r.visible[k]!;
    const cx = vis ? sx[k]! / vis : o.cx;
    const cy = vis ? sy[k]! / vis : o.cy;
    const fp = Math.max(1, r.footprint[k]!);
    const occluders = objects
      .map((_, b) => ({ b, c: r.cover[k * n + b]! }))
      .filter((e) => e.c >= 0.05 * fp)
      .sort((p, q) => q.c - p.c || p.b - q.b)
      .map((e) => e.b);
    return {
      class: o.shape,
      class_id: SHAPES.indexOf(o.shape) + 1,
      colour: o.colour,
      size: o.size,
      center: [round(cx, 1), round(cy, 1)],
      bbox: (vis ? bb[k]! : [0, 0, 0, 0]) as [number, number, number, number],
      radius_px: round(o.radius, 1),
      rotation_deg: round((o.rotation * 180) / Math.PI, 1),
      depth_m: round(o.depth, 3),
      depth_order: byDepth.indexOf(k),
      visible_fraction: round(vis / fp, 3),
      region: REGIONS[regionOf(cx, cy, W, H)]!,
      occluded_by: occluders,
    };
  });
}

/**
 * The scene-level class label: the DOMINANT SHAPE, i.e. the shape class with the most visible pixels
 * summed over its objects (ties → the earlier class in SHAPES). It depends on sizes and occlusion,
 * not only on which shapes are present. Label ids index SHAPES (0..7). Also returns the layout: the
 * region of the largest visible object.
 */
export function sceneLabel(objects: readonly SceneObject[], raster: SceneRaster): { label: number; name: ShapeName; layout: (typeof REGIONS)[number] } {
  const area = new Float64Array(SHAPES.length);
  let biggest = 0;
  objects.forEach((o, k) => {
    area[o.class_id - 1]! += raster.visible[k]!;
    if (raster.visible[k]! > raster.visible[biggest]!) biggest = k;
  });
  let label = 0;
  for (let c = 1; c < SHAPES.length; c++) if (area[c]! > area[label]!) label = c;
  return { label, name: SHAPES[label]!, layout: objects[biggest]!.region };
}
