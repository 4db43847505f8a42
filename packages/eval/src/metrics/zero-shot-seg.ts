import { EvalInputError } from '../errors';
import { resizeMapsBilinear } from '../ops/bilinear';
import { l2NormalizeRows, matMulTransposed } from './vectors';
import { argmaxRows } from './accuracy';

/**
 * Zero-shot semantic segmentation from patch–text similarity (TIPSv2; the TIPS zero-shot
 * segmentation notebook's `predict_whole`): patch embeddings and class-text embeddings are
 * L2-normalised, each patch gets its cosine similarity with every class, the [h, w, C] similarity
 * maps are resized bilinearly (align_corners=False) to the label size, and each pixel takes the
 * most similar class. Returns class ids [H·W] and the low-resolution similarity [h·w, C].
 */
export function zeroShotSegment(
  patches: ArrayLike<number>,
  grid: [number, number],
  classEmb: ArrayLike<number>,
  dim: number,
  size: [number, number],
): { labels: Uint8Array | Int32Array; similarity: Float32Array } {
  const [h, w] = grid;
  if (patches.length !== h * w * dim) throw new EvalInputError(`patch embeddings hold ${patches.length} values, not ${h}×${w}×${dim}`);
  const C = classEmb.length / dim;
  if (!Number.isInteger(C) || C < 1) throw new EvalInputError(`class embeddings hold ${classEmb.length} values, not a multiple of ${dim}`);
  const similarity = matMulTransposed(l2NormalizeRows(patches, dim), l2NormalizeRows(classEmb, dim), dim);
  const [H, W] = size;
  const up = resizeMapsBilinear(similarity, h, w, C, H, W);
  const best = argmaxRows(up, H * W, C);
  const labels = C <= 256 ? Uint8Array.from(best) : best;
  return { labels, similarity };
}
