import { makeTipsViews } from '../augment/tips-views';
import { applyEvalTransform } from '../augment/eval-transform';
import { samplePatchMask } from '../augment/patch-mask';
import { decodeImage, type ImageInput } from '../image/decode';
import type { CropBox } from '../image/resample';
import { ImageDecodeError } from '../errors';
import type { TransformSpec } from './transform-spec';

/** One unit of work for a loader thread: decode one image and make its views. */
export interface SampleTask {
  id: number | string;
  image: ImageInput;
  seed: number | string;
  epoch: number;
  transform: TransformSpec;
}

/** The result of a task: the views (Float32 in [0, 1]), or why the image was skipped. */
export type SampleResult =
  | {
      ok: true;
      /** tips: the global crop; eval: the transformed image. */
      global: Float32Array;
      /** tips: the local crops back to back (empty for eval). */
      locals: Float32Array;
      /** tips with masking: [rows·cols] 1 = masked patch. */
      mask?: Uint8Array;
      width: number;
      height: number;
      boxes: CropBox[];
      flips: boolean[];
    }
  | { ok: false; path: string; reason: string };

/** Decodes and transforms one image. Only decode errors (ImageDecodeError) become skips; others throw. */
export async function processSample(task: SampleTask): Promise<SampleResult> {
  let img;
  try {
    img = await decodeImage(task.image);
  } catch (e) {
    if (e instanceof ImageDecodeError) return { ok: false, path: e.path, reason: e.message };
    throw e;
  }
  const t = task.transform;
  if (t.kind === 'eval') {
    const r = applyEvalTransform(img, t.eval);
    return { ok: true, global: r.data, locals: new Float32Array(0), width: r.width, height: r.height, boxes: [], flips: [] };
  }
  const key = { seed: task.seed, epoch: task.epoch, sampleId: task.id };
  const v = makeTipsViews(img, t.views, key);
  const grid = t.views.globalSize / t.views.patchSize;
  const mask = t.mask ? samplePatchMask(grid * grid, t.mask, key) : undefined;
  return { ok: true, global: v.global, locals: v.locals, mask, width: t.views.globalSize, height: t.views.globalSize, boxes: v.boxes, flips: v.flips };
}

/** The buffers of a result, to transfer (not copy) them from a worker thread. */
export function transferList(r: SampleResult): ArrayBuffer[] {
  if (!r.ok) return [];
  const list = [r.global.buffer as ArrayBuffer, r.locals.buffer as ArrayBuffer];
  if (r.mask) list.push(r.mask.buffer as ArrayBuffer);
  return list;
}
