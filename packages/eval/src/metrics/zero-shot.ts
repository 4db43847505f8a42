import { EvalInputError } from '../errors';
import { argmaxRows } from './accuracy';
import { l2NormalizeRows, matMulTransposed } from './vectors';

/**
 * Class embeddings for zero-shot classification, as CLIP's prompt ensembling (Radford et al. 2021,
 * `zeroshot_classifier`) and the TIPS zero-shot notebooks: each class's prompt embeddings are
 * L2-normalised, averaged, and the mean is normalised again.
 * `textEmbeddings` is row-major [numClasses · templates, dim], class-major (class c, template t at
 * row c·templates + t). Returns [numClasses, dim].
 */
export function classEmbeddings(textEmbeddings: ArrayLike<number>, numClasses: number, templates: number, dim: number): Float32Array {
  if (textEmbeddings.length !== numClasses * templates * dim) {
    throw new EvalInputError(`text embeddings hold ${textEmbeddings.length} values, not ${numClasses} classes × ${templates} templates × ${dim}`);
  }
  const unit = l2NormalizeRows(textEmbeddings, dim);
  const mean = new Float32Array(numClasses * dim);
  for (let c = 0; c < numClasses; c++) {
    for (let t = 0; t < templates; t++) {
      const row = (c * templates + t) * dim;
      for (let d = 0; d < dim; d++) mean[c * dim + d]! += unit[row + d]! / templates;
    }
  }
  return l2NormalizeRows(mean, dim);
}

/** Every class name put into every template ("a photo of a {}." → "a photo of a dog."), class-major. */
export function fillTemplates(classNames: readonly string[], templates: readonly string[]): string[] {
  if (templates.length === 0) throw new EvalInputError('give at least one prompt template');
  for (const t of templates) if (!t.includes('{}')) throw new EvalInputError(`prompt template '${t}' has no '{}' where the class name goes`);
  return classNames.flatMap((c) => templates.map((t) => t.replaceAll('{}', c)));
}

/**
 * Zero-shot classification: cosine similarity of each image embedding with each class embedding
 * (both normalised here), prediction = the most similar class. Returns predictions and the
 * similarity matrix [nImages, numClasses].
 */
export function zeroShotClassify(imageEmbeddings: ArrayLike<number>, classEmb: ArrayLike<number>, dim: number): { predictions: Int32Array; similarity: Float32Array } {
  const img = l2NormalizeRows(imageEmbeddings, dim);
  const cls = l2NormalizeRows(classEmb, dim);
  const similarity = matMulTransposed(img, cls, dim);
  const n = img.length / dim;
  return { predictions: argmaxRows(similarity, n, cls.length / dim), similarity };
}
