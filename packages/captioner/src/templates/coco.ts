import { CaptionAnnotationError } from '../errors';
import type { BBox, ImageAnnotation, ObjectAnnotation } from './annotation';

/** A COCO-style box: `bbox` [x, y, w, h] in pixels and a category (name, or id looked up in `categories`). */
export interface CocoBox {
  bbox: BBox | number[];
  category?: string;
  category_name?: string;
  name?: string;
  category_id?: number | string;
  /** COCO's crowd flag: crowd regions are skipped (they are not single objects). */
  iscrowd?: number | boolean;
}

/** COCO `categories` entries (`{id, name}`), as in instances_*.json. */
export interface CocoCategory {
  id: number | string;
  name: string;
}

/**
 * An ImageAnnotation from COCO-style boxes. Category names come from the box (`category`,
 * `category_name` or `name`) or from `categories` by `category_id`. Crowd boxes are dropped.
 * COCO has no colours or depth, so captions state positions, sizes and left/right/above/below.
 */
export function annotationFromCocoBoxes(
  image: { width: number; height: number },
  boxes: readonly CocoBox[],
  categories: readonly CocoCategory[] = [],
  where = 'COCO annotation',
): ImageAnnotation {
  const names = new Map(categories.map((c) => [String(c.id), c.name]));
  const objects: ObjectAnnotation[] = [];
  boxes.forEach((b, i) => {
    if (b.iscrowd === 1 || b.iscrowd === true) return;
    const name = b.category ?? b.category_name ?? b.name ?? (b.category_id !== undefined ? names.get(String(b.category_id)) : undefined);
    if (!name) {
      throw new CaptionAnnotationError(
        `${where}: box ${i} has ${b.category_id !== undefined ? `category_id ${b.category_id}, which is not in the categories given` : 'no category'}; ` +
          'give each box a "category" name or pass the COCO "categories" list.',
      );
    }
    if (!Array.isArray(b.bbox) || b.bbox.length !== 4) throw new CaptionAnnotationError(`${where}: box ${i} (${name}) has no [x, y, w, h] bbox.`);
    objects.push({ name, bbox: [b.bbox[0]!, b.bbox[1]!, b.bbox[2]!, b.bbox[3]!] });
  });
  return { width: image.width, height: image.height, objects };
}
