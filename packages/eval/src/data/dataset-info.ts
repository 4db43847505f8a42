import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EvalInputError } from '../errors';

/** What a dataset says about its classes (read from `dataset.json` beside the manifest when present). */
export interface DatasetInfo {
  /** Names of the class-mask ids (index = id). */
  maskClasses?: string[];
  /** Names of the image-level labels (index = label id). */
  labelClasses?: string[];
  /** Zero-shot prompt templates for the labels, with `{}` for the class name. */
  labelPrompts?: string[];
  /** Metres per unit of the 16-bit depth PNGs (default 1/1000). */
  depthScale?: number;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

/**
 * Reads `dataset.json` next to a manifest (the built-in scenes write one: mask_classes,
 * label_classes, label_prompt, depth_png_scale). Returns {} when there is none.
 */
export async function readDatasetInfo(manifest: string): Promise<DatasetInfo> {
  const path = join(dirname(manifest), 'dataset.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new EvalInputError(`${path}: not valid JSON (${(e as Error).message}); fix or remove it`);
  }
  const prompt = doc.label_prompt;
  return {
    maskClasses: strings(doc.mask_classes),
    labelClasses: strings(doc.label_classes),
    labelPrompts: typeof prompt === 'string' ? [prompt] : strings(prompt),
    depthScale: typeof doc.depth_png_scale === 'number' ? doc.depth_png_scale : undefined,
  };
}
