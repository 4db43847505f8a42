import { CaptionAnnotationError } from '../errors';
import type { ImageAnnotation, ObjectAnnotation } from './annotation';

/**
 * The fields of @tips/data's scene annotation (`SceneObject`, the `objects` of a built-in scenes
 * manifest record) that the template writer reads. bbox is [x0, y0, x1, y1) of the visible pixels.
 */
interface SceneObjectLike {
  class: string;
  colour?: string;
  size?: string;
  center?: [number, number];
  bbox: [number, number, number, number];
  depth_m?: number;
  depth_order?: number;
  occluded_by?: number[];
  visible_fraction?: number;
  /** One of @tips/data's REGIONS phrases (3×3 grid, row-major), computed from the unrounded centroid. */
  region?: string;
}

/** @tips/data's REGIONS, row-major over the 3×3 grid. */
const SCENE_REGIONS = [
  'in the upper left', 'at the top', 'in the upper right',
  'on the left', 'in the center', 'on the right',
  'in the lower left', 'at the bottom', 'in the lower right',
];

function regionCell(region: string | undefined): { row: 0 | 1 | 2; col: 0 | 1 | 2 } | undefined {
  const k = region === undefined ? -1 : SCENE_REGIONS.indexOf(region);
  return k < 0 ? undefined : { row: Math.floor(k / 3) as 0 | 1 | 2, col: (k % 3) as 0 | 1 | 2 };
}

function isSceneObject(o: unknown): o is SceneObjectLike {
  const x = o as SceneObjectLike;
  return typeof x === 'object' && x !== null && typeof x.class === 'string' && Array.isArray(x.bbox) && x.bbox.length === 4;
}

/** True when a manifest record carries built-in-scene `objects`. */
export function hasSceneObjects(raw: Record<string, unknown>): boolean {
  return Array.isArray(raw.objects) && raw.objects.length > 0 && raw.objects.every(isSceneObject);
}

/**
 * An ImageAnnotation from a built-in scenes record (`width`, `height`, `objects`): grid cells from
 * the scenes' `region` (so that our captions agree with the dataset's own), positions for relations
 * from the visible-pixel centroid, depth from
 * `depth_m`, occlusion from `occluded_by`. Objects with no visible pixel are left out (and the
 * occlusion indices renumbered).
 */
export function annotationFromSceneRecord(raw: Record<string, unknown>, where = 'scene record'): ImageAnnotation {
  const { width, height } = raw as { width?: unknown; height?: unknown };
  if (typeof width !== 'number' || typeof height !== 'number') {
    throw new CaptionAnnotationError(`${where}: a scenes record needs numeric width and height.`);
  }
  if (!hasSceneObjects(raw)) throw new CaptionAnnotationError(`${where}: "objects" is not a list of scene objects (class, bbox …).`);
  const objects = raw.objects as SceneObjectLike[];
  const kept = objects.map((o, i) => ({ o, i })).filter(({ o }) => o.bbox[2] > o.bbox[0] && o.bbox[3] > o.bbox[1]);
  const newIndex = new Map(kept.map(({ i }, k) => [i, k]));
  return {
    width,
    height,
    objects: kept.map(({ o }): ObjectAnnotation => ({
      name: o.class,
      colour: o.colour,
      size: o.size,
      bbox: [o.bbox[0], o.bbox[1], o.bbox[2] - o.bbox[0], o.bbox[3] - o.bbox[1]],
      centre: o.center,
      cell: regionCell(o.region),
      depth: o.depth_m ?? o.depth_order,
      occludedBy: o.occluded_by ? o.occluded_by.flatMap((j) => (newIndex.has(j) ? [newIndex.get(j)!] : [])) : undefined,
    })),
  };
}
