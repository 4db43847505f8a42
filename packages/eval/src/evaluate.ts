import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeBackend } from '@tips/runtime';
import { labelIds } from '@tips/data';
import { VisionTransformer, type VitInitOptions } from '@tips/vit-core';
import { TextTransformer, type SentencePieceTokenizer, type TextInitOptions } from '@tips/text-encoder';
import { EvalInputError, EvalTaskError } from './errors';
import { openEvalSplit, loadDepths, loadMasks, splitHas, splitImages, type CaptionChoice, type EvalSplit } from './data/eval-split';
import type { DatasetInfo } from './data/dataset-info';
import { extractFeatures } from './features/extract';
import { patchesOf } from './features/feature-set';
import type { DepthReadout } from './heads/depth-bins';
import { DEFAULT_IGNORE_INDEX } from './metrics/confusion';
import { pcaRgb } from './report/pca';
import { headlineMetrics } from './report/headline';
import type { EvalReport, FigureData } from './report/types';
import { writeReport } from './report/write-report';
import { runDepth } from './tasks/depth';
import { runKnn, runLinear, runZeroShot } from './tasks/classification';
import { runRetrieval } from './tasks/retrieval';
import { runSegmentation } from './tasks/seg';
import { runZeroShotSeg } from './tasks/zsseg';
import { ALL_TASKS, type EvalTask, type GlobalEmbedding, type ProbeSettings, type SplitData, type TaskContext, type TaskResults } from './tasks/types';
import { CLASSIFICATION_TEMPLATES, SEGMENTATION_TEMPLATES } from './text/prompts';

export interface EvaluateOptions {
  /** The frozen image tower. */
  vision: VisionTransformer;
  /** Text tower + tokenizer, for zero-shot classification, retrieval and zero-shot segmentation. */
  text?: TextTransformer;
  tokenizer?: SentencePieceTokenizer;
  /** Test split: a JSONL manifest path (or an opened split). */
  data: string | EvalSplit;
  /** Training split for the probes and kNN. Without it those tasks are skipped. */
  trainData?: string | EvalSplit;
  /** Tasks to run (default: every task the data and model allow; asking for one that cannot run throws). */
  tasks?: readonly EvalTask[];
  /** Side (or [H, W]) the images are resized to; multiples of the patch size (default: the tower's native size). */
  imageSize?: number | [number, number];
  /** Write the report (report.md, report.json, figures/, probes/) here. */
  outDir?: string;
  /** A training run's metrics.jsonl (or its folder): the report plots its loss curves. */
  runMetrics?: string;
  /** Name of the model in the report (e.g. the checkpoint path). */
  modelName?: string;
  /** Embedding used for the global tasks (default cls1: the web-caption CLS). */
  embedding?: GlobalEmbedding;
  /** Captions per image used in retrieval (default all: web + synthetic). */
  captions?: CaptionChoice;
  probe?: ProbeSettings;
  knn?: { k?: number; temperature?: number };
  /** Depth probe: bins range (default 1e-3 to the largest training depth), readout, bins (256), upsampling of the logits (×4, DINOv2; 1 is much cheaper). */
  depth?: { range?: [number, number]; readout?: DepthReadout; bins?: number; upsample?: number };
  /** Prompt templates ({} = class name). Default: dataset.json's label_prompt, else CLIP's 7; TCL's 9 for segmentation. */
  prompts?: { classification?: string[]; segmentation?: string[] };
  /** Overrides of dataset.json (class names, prompts, depth scale). */
  info?: DatasetInfo;
  /** Images per split at most (quick runs). */
  maxImages?: { train?: number; test?: number };
  /** Test images shown in the figures (default 4). */
  figures?: number;
  /** Feature-extraction batch size (default 16). */
  batchSize?: number;
  /**
   * Also evaluate randomly initialised towers of the same architecture (same data, tasks and probe
   * settings) and put them in the report as the baseline row, with which metrics the model beats.
   * `seed` seeds both towers' default initialisation; `vision` / `text` give the exact initialisation
   * instead (e.g. a training run's own step-0 weights: its seeds, `pixelMean`, `layerScaleInit`),
   * and `name` labels the row.
   */
  baseline?: boolean | { seed?: number; vision?: VitInitOptions; text?: TextInitOptions; name?: string };
  /** Progress lines (default: stderr when progress is true). */
  log?: (line: string) => void;
  progress?: boolean;
}

/** Evaluates freshly initialised towers of the same configurations as the model's (no report). */
async function randomBaseline(options: EvaluateOptions, tasks: EvalTask[], log: (l: string) => void): Promise<NonNullable<EvalReport['baseline']>> {
  const b = typeof options.baseline === 'object' ? options.baseline : {};
  const seed = b.seed ?? 0;
  const name = b.name ?? `random init (seed ${seed})`;
  log(`baseline: evaluating randomly initialised towers: ${name}`);
  const vision = VisionTransformer.init(options.vision.config, { seed, ...b.vision });
  const text = options.text ? TextTransformer.init(options.text.config, { seed, ...b.text }) : undefined;
  try {
    const { report } = await evaluate({ ...options, vision, text, tasks, outDir: undefined, runMetrics: undefined, baseline: false, figures: 0, log: (l) => log(`baseline: ${l}`) });
    return { name, headline: report.headline };
  } finally {
    vision.dispose();
    text?.dispose();
  }
}

export interface EvaluateResult {
  report: EvalReport;
  /** Per-task results including per-image predictions of the figure samples. */
  results: TaskResults;
  figures: FigureData | null;
}

interface Needs {
  train: boolean;
  masks: boolean;
  depth: boolean;
  labels: boolean;
  text: boolean;
  captions: boolean;
}

const NEEDS: Record<EvalTask, Partial<Needs>> = {
  seg: { train: true, masks: true },
  depth: { train: true, depth: true },
  knn: { train: true, labels: true },
  linear: { train: true, labels: true },
  zeroshot: { labels: true, text: true },
  retrieval: { text: true, captions: true },
  zsseg: { masks: true, text: true },
};

function sizeOf(s: number | [number, number] | undefined, vision: VisionTransformer): [number, number] {
  const P = vision.config.patchSize;
  const native = vision.config.posGrid * P;
  const [H, W] = s === undefined ? [native, native] : typeof s === 'number' ? [s, s] : s;
  if (H % P !== 0 || W % P !== 0 || H <= 0 || W <= 0) throw new EvalInputError(`image size ${H}×${W} must be a positive multiple of the patch size ${P} (e.g. ${Math.max(1, Math.round(H / P)) * P})`);
  return [H, W];
}

/** Why a task cannot run on these splits and towers, or null. */
function blocker(task: EvalTask, test: EvalSplit, train: EvalSplit | null, hasText: boolean, labelClasses: string[] | undefined, maskClasses: string[] | undefined): string | null {
  const n = NEEDS[task];
  if (n.train && !train) return 'needs a training split (trainData / --train-data)';
  if (n.text && !hasText) return 'needs a text tower and its tokenizer';
  const splits = [test, ...(n.train && train ? [train] : [])];
  if (n.masks && !splits.every((s) => splitHas(s, 'mask'))) return 'needs a class mask for every image';
  if (n.masks && !maskClasses?.length) return 'needs the mask class names (mask_classes in dataset.json)';
  if (n.depth && !splits.every((s) => splitHas(s, 'depth'))) return 'needs a depth map for every image';
  if (n.labels && !splits.every((s) => s.records.some((r) => r.label !== undefined))) return 'needs image labels';
  if (n.labels && (labelClasses?.length ?? 0) < 2) return 'needs at least 2 label classes';
  if (n.captions && !splitHas(test, 'caption')) return 'needs captions for every test image';
  return null;
}

function resolveLabels(test: EvalSplit, train: EvalSplit | null): { classes?: string[]; test?: Int32Array; train?: Int32Array } {
  const all = [...test.records, ...(train?.records ?? [])];
  if (!all.some((r) => r.label !== undefined)) return {};
  let classes = test.info.labelClasses ?? train?.info.labelClasses;
  if (!classes) {
    const strings = [...new Set(all.map((r) => r.label).filter((l): l is string => typeof l === 'string'))].sort();
    if (strings.length) classes = strings;
    else {
      const max = Math.max(...all.map((r) => (typeof r.label === 'number' ? r.label : -1)));
      classes = Array.from({ length: max + 1 }, (_, i) => `class ${i}`);
    }
  }
  const ids = (s: EvalSplit) => {
    const { ids: y } = labelIds(s.records, classes);
    for (const v of y) if (v >= classes!.length) throw new EvalInputError(`${s.manifest}: label ${v} is outside the ${classes!.length} label classes; fix label_classes in dataset.json`);
    return y;
  };
  return { classes, test: ids(test), train: train ? ids(train) : undefined };
}

/**
 * Evaluates a TIPS model the way the paper does, on frozen features: linear segmentation and depth
 * probes, kNN and linear classification, zero-shot classification, image↔text retrieval and
 * zero-shot segmentation, on any manifest (the built-in scenes or a user's data). Features are
 * extracted once per split; probes are Heads trained by @tips/trainer's loop. With `outDir`, writes
 * report.md, report.json and PNG figures there. Creates no tensor that outlives the call.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const t0 = performance.now();
  const log = options.log ?? (options.progress ? (l: string) => process.stderr.write(`[eval] ${l}\n`) : () => {});
  const vision = options.vision;
  const hasText = !!options.text && !!options.tokenizer;
  if (!!options.text !== !!options.tokenizer) throw new EvalInputError('give the text tower and its tokenizer together');
  const size = sizeOf(options.imageSize, vision);
  const test = typeof options.data === 'string' ? await openEvalSplit(options.data, { maxImages: options.maxImages?.test, info: options.info, name: 'test' }) : options.data;
  const trainSplit = options.trainData === undefined ? null : typeof options.trainData === 'string' ? await openEvalSplit(options.trainData, { maxImages: options.maxImages?.train, info: options.info, name: 'train' }) : options.trainData;
  const labels = resolveLabels(test, trainSplit);
  const maskClasses = test.info.maskClasses ?? trainSplit?.info.maskClasses;

  // Which tasks run.
  const skipped: { task: EvalTask; reason: string }[] = [];
  let tasks: EvalTask[];
  if (options.tasks) {
    for (const t of options.tasks) if (!ALL_TASKS.includes(t)) throw new EvalInputError(`unknown task '${t}'; choose from ${ALL_TASKS.join(', ')}`);
    tasks = [...new Set(options.tasks)];
    for (const t of tasks) {
      const why = blocker(t, test, trainSplit, hasText, labels.classes, maskClasses);
      if (why) throw new EvalTaskError(t, why);
    }
  } else {
    tasks = [];
    for (const t of ALL_TASKS) {
      const why = blocker(t, test, trainSplit, hasText, labels.classes, maskClasses);
      if (why) skipped.push({ task: t, reason: why });
      else tasks.push(t);
    }
  }
  if (tasks.length === 0) throw new EvalInputError(`no evaluation task can run on ${test.manifest}: ${skipped.map((s) => `${s.task} ${s.reason}`).join('; ')}`);
  log(`tasks: ${tasks.join(', ')}${skipped.length ? ` (skipped: ${skipped.map((s) => s.task).join(', ')})` : ''}; ${describeBackend()}`);

  const needTrain = tasks.some((t) => NEEDS[t].train);
  const needMasks = (s: 'train' | 'test') => tasks.some((t) => NEEDS[t].masks && (s === 'test' || NEEDS[t].train));
  const needDepth = tasks.includes('depth');
  const timings: Record<string, number> = {};

  const prepare = async (split: EvalSplit, which: 'train' | 'test'): Promise<SplitData> => {
    const ts = performance.now();
    const features = await extractFeatures(vision, splitImages(split, size), {
      batchSize: options.batchSize ?? 16,
      valuePatches: which === 'test' && tasks.includes('zsseg'),
      onProgress: (done, total, ips) => {
        if (done === total || done % (8 * (options.batchSize ?? 16)) === 0) log(`features ${which}: ${done}/${total} images (${ips.toFixed(1)} img/s)`);
      },
    });
    timings[`features_${which}`] = (performance.now() - ts) / 1000;
    return {
      split,
      features,
      size,
      labels: which === 'test' ? labels.test : labels.train,
      masks: needMasks(which) ? await loadMasks(split, size) : undefined,
      depth: needDepth ? await loadDepths(split, size) : undefined,
    };
  };
  const testData = await prepare(test, 'test');
  const trainData = needTrain && trainSplit ? await prepare(trainSplit, 'train') : undefined;

  const figureCount = Math.min(options.figures ?? 4, testData.features.count);
  const figureIndices = Array.from({ length: figureCount }, (_, i) => i);
  const workDir = options.outDir ? join(resolve(options.outDir), 'probes') : await mkdtemp(join(tmpdir(), 'tips-eval-'));
  const ctx: TaskContext = {
    train: trainData,
    test: testData,
    text: hasText ? { model: options.text!, tokenizer: options.tokenizer! } : undefined,
    embedding: options.embedding ?? 'cls1',
    probe: { steps: 300, lr: 1e-3, weightDecay: 1e-4, batchSize: 16, seed: 0, targetScale: 4, ...options.probe, progress: options.probe?.progress ?? options.progress ?? false },
    workDir,
    maskClasses,
    labelClasses: labels.classes,
    classificationPrompts: options.prompts?.classification ?? test.info.labelPrompts ?? CLASSIFICATION_TEMPLATES,
    segmentationPrompts: options.prompts?.segmentation ?? SEGMENTATION_TEMPLATES,
    captions: options.captions ?? 'all',
    knn: { k: options.knn?.k ?? 20, temperature: options.knn?.temperature ?? 0.07 },
    depth: { range: options.depth?.range, readout: options.depth?.readout ?? 'linear', bins: options.depth?.bins ?? 256, upsample: options.depth?.upsample ?? 4 },
    ignoreIndex: DEFAULT_IGNORE_INDEX,
    figureIndices,
    log,
  };

  const results: TaskResults = {};
  try {
    for (const t of tasks) {
      const ts = performance.now();
      log(`running ${t}`);
      if (t === 'seg') results.seg = await runSegmentation(ctx);
      else if (t === 'depth') results.depth = await runDepth(ctx);
      else if (t === 'knn') results.knn = runKnn(ctx);
      else if (t === 'linear') results.linear = await runLinear(ctx);
      else if (t === 'zeroshot') results.zeroshot = runZeroShot(ctx);
      else if (t === 'retrieval') results.retrieval = runRetrieval(ctx);
      else if (t === 'zsseg') results.zsseg = runZeroShotSeg(ctx);
      timings[t] = (performance.now() - ts) / 1000;
    }
  } finally {
    if (!options.outDir) {
      await rm(workDir, { recursive: true, force: true });
      for (const r of [results.seg, results.depth, results.linear]) if (r) r.probe.headPath = null;
    }
  }

  // Figure material: the first test images, their PCA, ground truth.
  let figures: FigureData | null = null;
  if (figureCount > 0) {
    const pix = await splitImages(test, size).load(figureIndices);
    const per = size[0] * size[1] * 3;
    const f = testData.features;
    const N = f.grid[0] * f.grid[1];
    const joint = new Float32Array(figureCount * N * f.dim);
    figureIndices.forEach((i, k) => joint.set(patchesOf(f, i), k * N * f.dim));
    const pca = pcaRgb(joint, f.dim);
    figures = {
      ids: figureIndices.map((i) => test.records[i]!.id),
      size,
      grid: f.grid,
      images: figureIndices.map((_, k) => Uint8Array.from(pix.subarray(k * per, (k + 1) * per), (v) => Math.round(v * 255))),
      pca: figureIndices.map((_, k) => pca.subarray(k * N * 3, (k + 1) * N * 3)),
      masks: testData.masks ? figureIndices.map((i) => testData.masks![i]!) : undefined,
      depth: testData.depth ? figureIndices.map((i) => testData.depth![i]!) : undefined,
      maskClasses,
    };
  }

  const text = options.text;
  let report: EvalReport = {
    format: 'tips-ts.eval-report',
    version: 1,
    createdAt: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
    backend: describeBackend(),
    model: {
      vision: { embedDim: vision.config.embedDim, depth: vision.config.depth, heads: vision.config.heads, patchSize: vision.config.patchSize, parameters: vision.params.count() },
      text: text ? { hiddenSize: text.config.hiddenSize, layers: text.config.numLayers, parameters: text.parameterCount() } : null,
      ...(options.modelName ? { source: options.modelName } : {}),
    },
    data: {
      imageSize: size,
      test: { manifest: test.manifest, images: test.records.length },
      train: trainSplit ? { manifest: trainSplit.manifest, images: trainSplit.records.length } : null,
    },
    settings: { tasks, embedding: ctx.embedding, captions: ctx.captions, probe: { ...ctx.probe }, knn: ctx.knn, depth: { readout: ctx.depth.readout, bins: ctx.depth.bins, upsample: ctx.depth.upsample } },
    headline: headlineMetrics(results),
    metrics: results,
    skipped,
    timings,
    files: [],
  };
  if (options.baseline) {
    report.baseline = await randomBaseline(options, tasks, log);
    report.seconds = (performance.now() - t0) / 1000;
  }
  if (options.outDir) {
    report = await writeReport(resolve(options.outDir), report, results, figures, { runMetrics: options.runMetrics });
    log(`report written to ${join(resolve(options.outDir), 'report.md')}`);
  }
  return { report, results, figures };
}
