import * as tf from '@tensorflow/tfjs-core';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ParamStore } from '@tips/runtime';
import { saveHead, type Head } from '@tips/trainer';
import { EvalTaskError } from '../errors';
import { featureSource } from '../features/feature-source';
import { LinearClassifierHead } from '../heads/linear-classifier';
import { trainProbe } from '../heads/train-probe';
import { fitRidgeClassifier, predictRidgeClasses } from '../heads/ridge-classifier';
import { top1Accuracy, topKAccuracy } from '../metrics/accuracy';
import { knnClassify } from '../metrics/knn';
import { classEmbeddings, fillTemplates, zeroShotClassify } from '../metrics/zero-shot';
import { embedTexts } from '../text/embed-texts';
import { forEachTestBatch, globalEmbeddings, probeSummary, requireTrain } from './common';
import type { KnnResult, LinearResult, TaskContext, ZeroShotResult } from './types';

function labelsOf(ctx: TaskContext, task: string): { train?: Int32Array; test: Int32Array; C: number } {
  if (!ctx.test.labels) throw new EvalTaskError(task, 'needs image labels (the manifest field "label")');
  const C = ctx.labelClasses?.length ?? 0;
  if (C < 2) throw new EvalTaskError(task, 'needs at least 2 label classes (label_classes in dataset.json, or string labels)');
  return { train: ctx.train?.labels, test: ctx.test.labels, C };
}

/** DINO's weighted kNN classifier on the global embedding (cosine, k = 20, T = 0.07 by default). */
export function runKnn(ctx: TaskContext): KnnResult {
  const train = requireTrain(ctx, 'knn');
  const { train: yTrain, test: yTest, C } = labelsOf(ctx, 'knn');
  if (!yTrain) throw new EvalTaskError('knn', 'the training split has no labels');
  const D = train.features.dim;
  const r = knnClassify(globalEmbeddings(train.features, ctx.embedding), yTrain, globalEmbeddings(ctx.test.features, ctx.embedding), D, C, ctx.knn);
  return {
    top1: top1Accuracy(r.predictions, yTest),
    ...(C > 5 ? { top5: topKAccuracy(r.votes, yTest, C, 5) } : {}),
    k: Math.min(ctx.knn.k, train.features.count),
    temperature: ctx.knn.temperature,
  };
}

/**
 * The closed-form linear probe: ridge regression onto one-hot labels on the global embedding, λ
 * chosen on a 20 % hold-out of the training split from a grid, then refit on all of it. Converged by
 * construction (an SGD probe at a fixed budget can stop at the class prior).
 */
async function linearByRidge(ctx: TaskContext, D: number, labelled: number[], yTrain: Int32Array, yTest: Int32Array, C: number): Promise<LinearResult> {
  const t0 = performance.now();
  const all = globalEmbeddings(requireTrain(ctx, 'linear').features, ctx.embedding);
  const x = new Float32Array(labelled.length * D);
  labelled.forEach((r, k) => x.set(all.subarray(r * D, (r + 1) * D), k * D));
  const y = Int32Array.from(labelled, (r) => yTrain[r]!);
  ctx.log(`linear: fitting the ridge classifier (${C} classes) on ${labelled.length} images`);
  const fit = fitRidgeClassifier(x, y, D, C, { seed: ctx.probe.seed });
  const pred = predictRidgeClasses(fit, globalEmbeddings(ctx.test.features, ctx.embedding), ctx.test.features.count);
  const s = fit.selection;
  // The fitted map as a LinearClassifierHead file, loadable like the SGD probe's.
  const cfg = { embedDim: D, numClasses: C, input: ctx.embedding };
  const head = new LinearClassifierHead(cfg, ParamStore.init(LinearClassifierHead.specs(cfg), (spec) => Float32Array.from(spec.name === 'linear.weight' ? s.model.weights : s.model.bias), false));
  const headPath = join(ctx.workDir, 'linear', 'head.safetensors');
  try {
    await rm(dirname(headPath), { recursive: true, force: true });
    await mkdir(dirname(headPath), { recursive: true });
    await saveHead(head as Head<unknown>, headPath);
  } finally {
    head.params.dispose();
  }
  return {
    top1: top1Accuracy(pred, yTest),
    probe: { solver: 'ridge', steps: 0, finalLoss: s.trainMse, losses: [], seconds: (performance.now() - t0) / 1000, headPath, lambda: s.model.lambda, valLoss: s.valMse },
  };
}

/** Linear classification probe on the frozen global embedding: closed-form ridge (default) or SGD with @tips/trainer's loop (probe.solver 'sgd'). */
export async function runLinear(ctx: TaskContext): Promise<LinearResult> {
  const train = requireTrain(ctx, 'linear');
  const { train: yTrain, test: yTest, C } = labelsOf(ctx, 'linear');
  if (!yTrain) throw new EvalTaskError('linear', 'the training split has no labels');
  const labelled = Array.from(yTrain.keys()).filter((i) => yTrain[i]! >= 0);
  if ((ctx.probe.solver ?? 'ridge') === 'ridge') return linearByRidge(ctx, train.features.dim, labelled, yTrain, yTest, C);
  const head = LinearClassifierHead.create({ embedDim: train.features.dim, numClasses: C, input: ctx.embedding }, ctx.probe.seed);
  try {
    const data = featureSource(train.features, {
      batchSize: ctx.probe.batchSize ?? 16,
      seed: ctx.probe.seed,
      indices: labelled,
      target: (idx) => ({ labels: tf.tensor1d(idx.map((i) => yTrain[i]!), 'int32') }),
      releaseTarget: (t) => t.labels.dispose(),
    });
    ctx.log(`linear: training the linear classifier (${C} classes) on ${labelled.length} images`);
    const run = await trainProbe(head, data, join(ctx.workDir, 'linear'), { ...ctx.probe, label: 'linear probe' });
    const pred = new Int32Array(ctx.test.features.count);
    forEachTestBatch(ctx.test.features, 64, (f, idx) => {
      const p = head.predict(f);
      pred.set(p.dataSync() as Int32Array, idx[0]!);
      p.dispose();
    });
    return { top1: top1Accuracy(pred, yTest), probe: { ...probeSummary(run), solver: 'sgd' } };
  } finally {
    head.params.dispose();
  }
}

/** Zero-shot classification: class-name prompts → mean of normalised text embeddings per class. */
export function runZeroShot(ctx: TaskContext): ZeroShotResult {
  if (!ctx.text) throw new EvalTaskError('zeroshot', 'needs a text tower and its tokenizer');
  const { test: yTest, C } = labelsOf(ctx, 'zeroshot');
  const classes = ctx.labelClasses!;
  const templates = ctx.classificationPrompts;
  const texts = fillTemplates(classes, templates);
  const D = ctx.text.model.config.hiddenSize;
  if (D !== ctx.test.features.dim) throw new EvalTaskError('zeroshot', `text embeddings are ${D}-d but image embeddings ${ctx.test.features.dim}-d; load the towers of the same model`);
  const cls = classEmbeddings(embedTexts(ctx.text, texts), C, templates.length, D);
  const { predictions } = zeroShotClassify(globalEmbeddings(ctx.test.features, ctx.embedding), cls, D);
  return { top1: top1Accuracy(predictions, yTest), classes: [...classes], templates: templates.length };
}
