import sharp from 'sharp';
import { asError, type CaptionResult } from '../captioner';
import { CaptionAnnotationError } from '../errors';
import type { JobRecord } from '../job/record';
import type { Granularity } from '../prompts';
import type { RecordCaptioner } from '../record-captioner';
import type { ImageAnnotation } from '../templates/annotation';
import { annotationFromCocoBoxes, type CocoBox, type CocoCategory } from '../templates/coco';
import { annotationFromSceneRecord, hasSceneObjects } from '../templates/scenes';
import { templateCaption, type TemplateOptions } from '../templates/spatial-captions';

export interface TemplateCaptionerOptions extends TemplateOptions {
  /** COCO `categories` for boxes that carry only a `category_id`. */
  categories?: readonly CocoCategory[];
  /** Custom extraction of the annotation from a record (default: scenes `objects`, else COCO-style `boxes`/`annotations`). */
  annotationOf?: (record: JobRecord) => ImageAnnotation | Promise<ImageAnnotation>;
}

/** Version of the template wording, written to provenance as the "model". */
export const TEMPLATE_MODEL = 'tips-spatial-templates-v1';

/**
 * The annotation of a manifest record: built-in scenes records (`objects` with class, colour, size,
 * bbox, depth, occlusion) or COCO-style boxes in `boxes` or `annotations` (`bbox` [x, y, w, h] +
 * `category`/`category_id`). Image size from `width`/`height`, else read from the image header.
 */
export async function annotationFromRecord(record: JobRecord, categories: readonly CocoCategory[] = []): Promise<ImageAnnotation> {
  const raw = record.raw;
  const where = `record ${record.id} (line ${record.line})`;
  if (hasSceneObjects(raw)) return annotationFromSceneRecord(raw, where);
  const boxes = (Array.isArray(raw.boxes) ? raw.boxes : Array.isArray(raw.annotations) ? raw.annotations : undefined) as CocoBox[] | undefined;
  if (!boxes) {
    throw new CaptionAnnotationError(
      `${where} has no object annotations: the template backend needs "objects" (built-in scenes) or COCO-style "boxes"/"annotations" with bbox and category.`,
    );
  }
  let { width, height } = raw as { width?: number; height?: number };
  if (typeof width !== 'number' || typeof height !== 'number') {
    try {
      const meta = await sharp(record.image).metadata();
      width = meta.width;
      height = meta.height;
    } catch (e) {
      throw new CaptionAnnotationError(`${where}: no width/height in the record and the image ${record.image} cannot be read (${asError(e).message}).`, { cause: e });
    }
    if (!width || !height) throw new CaptionAnnotationError(`${where}: cannot tell the size of ${record.image}; add width and height to the record.`);
  }
  return annotationFromCocoBoxes({ width, height }, boxes, categories, where);
}

/**
 * Deterministic spatial captions from annotations (no model): positions in a 3×3 grid, sizes,
 * left of / right of / above / below / in front of / partly hidden behind, at three granularities.
 */
export class TemplateCaptioner implements RecordCaptioner {
  readonly backend = 'template';
  readonly model = TEMPLATE_MODEL;

  constructor(private readonly options: TemplateCaptionerOptions = {}) {}

  promptFor(): null {
    return null;
  }

  /** The caption of one annotated image. */
  captionAnnotation(annotation: ImageAnnotation, granularity: Granularity, where?: string): string {
    return templateCaption(annotation, granularity, this.options, where);
  }

  async captionRecords(records: readonly JobRecord[], granularity: Granularity): Promise<CaptionResult[]> {
    return Promise.all(
      records.map(async (r): Promise<CaptionResult> => {
        try {
          const ann = await (this.options.annotationOf ? this.options.annotationOf(r) : annotationFromRecord(r, this.options.categories));
          return { ok: true, caption: templateCaption(ann, granularity, this.options, `record ${r.id} (line ${r.line})`) };
        } catch (e) {
          return { ok: false, error: asError(e) };
        }
      }),
    );
  }
}
