import { EvalTaskError } from '../errors';
import { patchesOf } from '../features/feature-set';
import { ConfusionMatrix } from '../metrics/confusion';
import { classEmbeddings, fillTemplates } from '../metrics/zero-shot';
import { zeroShotSegment } from '../metrics/zero-shot-seg';
import { embedTexts } from '../text/embed-texts';
import type { TaskContext, ZeroShotSegResult } from './types';

/**
 * Zero-shot segmentation (TIPSv2): per-patch argmax of the cosine between patch embeddings (the
 * MaskCLIP values trick when extracted, else the patch tokens) and prompt-ensembled class-name text
 * embeddings, upsampled to the mask size; mIoU against the test masks. No training.
 */
export function runZeroShotSeg(ctx: TaskContext): ZeroShotSegResult {
  if (!ctx.text) throw new EvalTaskError('zsseg', 'needs a text tower and its tokenizer');
  if (!ctx.test.masks) throw new EvalTaskError('zsseg', 'needs class masks in the test split');
  const names = ctx.maskClasses;
  if (!names?.length) throw new EvalTaskError('zsseg', 'needs the names of the mask classes (mask_classes in dataset.json)');
  const f = ctx.test.features;
  const D = f.dim;
  if (ctx.text.model.config.hiddenSize !== D) throw new EvalTaskError('zsseg', `text embeddings are ${ctx.text.model.config.hiddenSize}-d but patch embeddings ${D}-d`);
  const templates = ctx.segmentationPrompts;
  const cls = classEmbeddings(embedTexts(ctx.text, fillTemplates(names, templates)), names.length, templates.length, D);
  const which = f.valuePatches ? 'valuePatches' : 'patches';
  const cm = new ConfusionMatrix(names.length, ctx.ignoreIndex);
  const predictions: Uint8Array[] = [];
  for (let i = 0; i < f.count; i++) {
    const { labels } = zeroShotSegment(patchesOf(f, i, which), f.grid, cls, D, ctx.test.size);
    cm.add(ctx.test.masks[i]!, labels);
    const k = ctx.figureIndices.indexOf(i);
    if (k >= 0) predictions[k] = Uint8Array.from(labels);
  }
  const iou = cm.iou();
  return {
    miou: cm.meanIoU(),
    pixelAccuracy: cm.pixelAccuracy(),
    iou: Object.fromEntries(names.map((n, c) => [n, iou[c]!])),
    patchEmbeddings: f.valuePatches ? 'values' : 'tokens',
    predictions,
  };
}
