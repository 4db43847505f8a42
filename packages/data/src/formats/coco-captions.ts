import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DatasetFormatError } from '../errors';
import { formatZodIssues } from './caption-fields';

const cocoSchema = z.object({
  images: z.array(z.object({ id: z.union([z.number(), z.string()]), file_name: z.string().min(1) }).passthrough()),
  annotations: z.array(z.object({ image_id: z.union([z.number(), z.string()]), caption: z.string() }).passthrough()),
});

/** An image-text retrieval set: images with their captions (COCO / Flickr30k Karpathy-style). */
export interface RetrievalSet {
  images: { id: string; path: string; captionIndices: number[] }[];
  captions: { text: string; imageIndex: number }[];
}

/**
 * Reads a COCO-captions JSON (`{images: [{id, file_name}], annotations: [{image_id, caption}]}`, as in
 * captions_val2017.json) for image↔text retrieval. Image paths are `imageRoot/file_name` (default: the
 * JSON's folder). Images keep the file's order; captions keep the annotations' order.
 * Throws DatasetFormatError for a bad file, a caption of an unknown image or an image without captions.
 */
export async function readCocoCaptions(path: string, imageRoot?: string): Promise<RetrievalSet> {
  const file = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new DatasetFormatError(`${file}: cannot read COCO captions JSON (${(e as Error).message})`, { cause: e });
  }
  const parsed = cocoSchema.safeParse(raw);
  if (!parsed.success) throw new DatasetFormatError(`${file}: not a COCO captions file: ${formatZodIssues(parsed.error)}`);
  const root = imageRoot ? resolve(imageRoot) : dirname(file);
  const byId = new Map<string, number>();
  const images: RetrievalSet['images'] = parsed.data.images.map((im, i) => {
    const id = String(im.id);
    if (byId.has(id)) throw new DatasetFormatError(`${file}: image id ${id} appears twice in "images"`);
    byId.set(id, i);
    return { id, path: isAbsolute(im.file_name) ? im.file_name : resolve(root, im.file_name), captionIndices: [] };
  });
  const captions: RetrievalSet['captions'] = [];
  parsed.data.annotations.forEach((a, k) => {
    const imageIndex = byId.get(String(a.image_id));
    if (imageIndex === undefined) throw new DatasetFormatError(`${file}: annotations[${k}] refers to image_id ${a.image_id}, which is not in "images"`);
    images[imageIndex]!.captionIndices.push(captions.length);
    captions.push({ text: a.caption.trim(), imageIndex });
  });
  const bare = images.find((im) => im.captionIndices.length === 0);
  if (bare) throw new DatasetFormatError(`${file}: image ${bare.id} (${bare.path}) has no caption`);
  return { images, captions };
}
