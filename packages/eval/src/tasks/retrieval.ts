import { EvalTaskError } from '../errors';
import { splitCaptions } from '../data/eval-split';
import { retrievalRecall } from '../metrics/retrieval';
import { l2NormalizeRows, matMulTransposed } from '../metrics/vectors';
import { embedTexts } from '../text/embed-texts';
import { globalEmbeddings } from './common';
import type { RetrievalResult, TaskContext } from './types';

/** Image↔text retrieval on the test split: R@1 and R@5 both ways, all captions of each image. */
export function runRetrieval(ctx: TaskContext): RetrievalResult {
  if (!ctx.text) throw new EvalTaskError('retrieval', 'needs a text tower and its tokenizer');
  const { texts, textImage } = splitCaptions(ctx.test.split, ctx.captions);
  if (texts.length === 0) throw new EvalTaskError('retrieval', `the test split has no ${ctx.captions === 'all' ? '' : `${ctx.captions} `}captions`);
  const D = ctx.test.features.dim;
  if (ctx.text.model.config.hiddenSize !== D) throw new EvalTaskError('retrieval', `text embeddings are ${ctx.text.model.config.hiddenSize}-d but image embeddings ${D}-d`);
  const t = embedTexts(ctx.text, texts);
  const img = l2NormalizeRows(globalEmbeddings(ctx.test.features, ctx.embedding), D);
  const sim = matMulTransposed(img, t, D);
  const r = retrievalRecall(sim, ctx.test.features.count, textImage, [1, 5]);
  return { ...r, images: ctx.test.features.count, texts: texts.length, captions: ctx.captions };
}
