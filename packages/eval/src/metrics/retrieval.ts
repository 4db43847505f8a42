import { EvalInputError } from '../errors';

export interface RetrievalRecall {
  /** Image → text: fraction of images with at least one of their captions among the top K texts. */
  imageToText: Record<number, number>;
  /** Text → image: fraction of captions whose image is among the top K images. */
  textToImage: Record<number, number>;
}

/**
 * Recall@K of image↔text retrieval with several captions per image (COCO / Flickr30k protocol, as in
 * CLIP and TIPS): `similarity` is row-major [nImages, nTexts]; `textImage[t]` is the image that text t
 * describes. A ground-truth item's rank is the number of wrong items scoring at least as high (ties
 * count against the model), and it is retrieved at K when that rank is below K.
 */
export function retrievalRecall(similarity: ArrayLike<number>, nImages: number, textImage: ArrayLike<number>, ks: readonly number[] = [1, 5]): RetrievalRecall {
  const nTexts = textImage.length;
  if (similarity.length !== nImages * nTexts) throw new EvalInputError(`similarity holds ${similarity.length} values, not ${nImages} images × ${nTexts} texts`);
  for (let t = 0; t < nTexts; t++) {
    const i = textImage[t]!;
    if (!(Number.isInteger(i) && i >= 0 && i < nImages)) throw new EvalInputError(`text ${t} points at image ${i}, outside 0..${nImages - 1}`);
  }
  // Image → text.
  const bestPos = new Float64Array(nImages).fill(-Infinity);
  for (let t = 0; t < nTexts; t++) {
    const i = textImage[t]!;
    bestPos[i] = Math.max(bestPos[i]!, similarity[i * nTexts + t]!);
  }
  const i2tRank = new Int32Array(nImages);
  let imagesWithText = 0;
  for (let i = 0; i < nImages; i++) {
    if (bestPos[i] === -Infinity) {
      i2tRank[i] = -1;
      continue;
    }
    imagesWithText++;
    let rank = 0;
    for (let t = 0; t < nTexts; t++) if (textImage[t] !== i && similarity[i * nTexts + t]! >= bestPos[i]!) rank++;
    i2tRank[i] = rank;
  }
  // Text → image.
  const t2iRank = new Int32Array(nTexts);
  for (let t = 0; t < nTexts; t++) {
    const gt = textImage[t]!;
    const s = similarity[gt * nTexts + t]!;
    let rank = 0;
    for (let i = 0; i < nImages; i++) if (i !== gt && similarity[i * nTexts + t]! >= s) rank++;
    t2iRank[t] = rank;
  }
  const imageToText: Record<number, number> = {};
  const textToImage: Record<number, number> = {};
  for (const k of ks) {
    let a = 0;
    for (let i = 0; i < nImages; i++) if (i2tRank[i]! >= 0 && i2tRank[i]! < k) a++;
    imageToText[k] = imagesWithText ? a / imagesWithText : NaN;
    let b = 0;
    for (let t = 0; t < nTexts; t++) if (t2iRank[t]! < k) b++;
    textToImage[k] = nTexts ? b / nTexts : NaN;
  }
  return { imageToText, textToImage };
}
