import { CaptionAnnotationError } from '../errors';

/** Box in pixels: top-left corner and size (COCO's `bbox` convention). */
export type BBox = readonly [x: number, y: number, width: number, height: number];

/** One annotated object of an image, in the form the template writer reads. */
export interface ObjectAnnotation {
  /** Category name ("cube", "person", "traffic light"). */
  name: string;
  /** Colour word, when known ("red"). */
  colour?: string;
  /** Size word given by the dataset ("small"); otherwise derived from the box area. */
  size?: string;
  bbox: BBox;
  /** Distance from the camera (any monotone scale; larger = farther). Enables front/behind relations. */
  depth?: number;
  /** Where the object is (e.g. the centroid of its visible pixels); default the box centre. */
  centre?: readonly [number, number];
  /** Its cell in the 3×3 grid (row, col 0..2) when the dataset gives it; default computed from the centre. */
  cell?: { row: 0 | 1 | 2; col: 0 | 1 | 2 };
  /**
   * Indices (into the image's `objects`) of nearer objects that hide part of this one, when the
   * dataset knows them (the built-in scenes do); otherwise occlusion is inferred from boxes + depth.
   */
  occludedBy?: readonly number[];
}

/** Everything the template writer needs to caption one image. */
export interface ImageAnnotation {
  width: number;
  height: number;
  objects: ObjectAnnotation[];
}

/** Checks sizes, boxes and names; throws CaptionAnnotationError naming the record and the field. */
export function validateAnnotation(a: ImageAnnotation, where: string): ImageAnnotation {
  if (!(a.width > 0 && a.height > 0)) {
    throw new CaptionAnnotationError(`${where}: image size ${a.width}×${a.height} is not positive; the template backend needs the image width and height.`);
  }
  if (!Array.isArray(a.objects) || a.objects.length === 0) {
    throw new CaptionAnnotationError(`${where}: no annotated objects; the template backend captions from object annotations (use another backend for unannotated images).`);
  }
  a.objects.forEach((o, i) => {
    if (typeof o.name !== 'string' || o.name.trim() === '') throw new CaptionAnnotationError(`${where}: object ${i} has no name/category.`);
    const b = o.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => Number.isFinite(v)) || !(b[2] > 0 && b[3] > 0)) {
      throw new CaptionAnnotationError(`${where}: object ${i} (${o.name}) has bbox ${JSON.stringify(b)}; expected [x, y, width, height] in pixels with positive size.`);
    }
    if (o.depth !== undefined && !Number.isFinite(o.depth)) throw new CaptionAnnotationError(`${where}: object ${i} (${o.name}) has a non-finite depth.`);
    if (o.occludedBy?.some((j) => !(Number.isInteger(j) && j >= 0 && j < a.objects.length && j !== i))) {
      throw new CaptionAnnotationError(`${where}: object ${i} (${o.name}) has occludedBy ${JSON.stringify(o.occludedBy)}; expected indices of other objects.`);
    }
  });
  return a;
}

/** The object's position: its given centre, else the centre of its box. */
export function centreOf(o: ObjectAnnotation): [number, number] {
  if (o.centre) return [o.centre[0], o.centre[1]];
  const b = o.bbox;
  return [b[0] + b[2] / 2, b[1] + b[3] / 2];
}

export function area(b: BBox): number {
  return b[2] * b[3];
}

/** Area of the intersection of two boxes. */
export function intersection(a: BBox, b: BBox): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}
