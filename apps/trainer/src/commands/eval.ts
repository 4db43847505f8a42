import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { initBackend } from '@tips/runtime';
import { ALL_TASKS, EvalInputError, evaluateCheckpoint, headlineTable, type CaptionChoice, type EvalTask, type GlobalEmbedding } from '@tips/eval';
import { parseSize } from '../io/image-input';
import { parseIntOption } from '../io/cli-numbers';

interface EvalCliOptions {
  checkpoint: string;
  data?: string;
  trainData?: string;
  text?: string;
  tokenizer?: string;
  variant?: string;
  out: string;
  tasks?: string;
  size?: string;
  embedding: string;
  captions: string;
  probeSteps: string;
  probeLr: string;
  probeSolver: string;
  depthUpsample: string;
  depthReadout: string;
  batchSize: string;
  maxImages?: string;
  run?: string;
  scenesTrain: string;
  scenesTest: string;
  cache?: string;
  seed: string;
  progress: boolean;
  baseline?: boolean;
}

const positiveInt = (name: string, text: string): number => parseIntOption(name, text, 1, (m) => new EvalInputError(m));

function parseTasks(text: string | undefined): EvalTask[] | undefined {
  if (!text) return undefined;
  const tasks = text.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = tasks.filter((t) => !(ALL_TASKS as readonly string[]).includes(t));
  if (bad.length || tasks.length === 0) throw new EvalInputError(`--tasks: unknown task(s) ${bad.join(', ') || '(none given)'}; choose from ${ALL_TASKS.join(',')}`);
  return tasks as EvalTask[];
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new EvalInputError(`--${name} must be one of ${allowed.join(', ')}, not '${text}'`);
  return text as T;
}

async function runEval(o: EvalCliOptions, backend?: string): Promise<void> {
  const lr = Number(o.probeLr);
  if (!(lr > 0)) throw new EvalInputError(`--probe-lr must be a positive number, not '${o.probeLr}'`);
  const maxImages = o.maxImages ? positiveInt('max-images', o.maxImages) : undefined;
  const options = {
    checkpoint: o.checkpoint,
    text: o.text,
    tokenizer: o.tokenizer,
    data: o.data ? resolve(o.data) : undefined,
    trainData: o.trainData ? resolve(o.trainData) : undefined,
    tasks: parseTasks(o.tasks),
    imageSize: o.size ? parseSize(o.size) : undefined,
    outDir: resolve(o.out),
    runMetrics: o.run ? resolve(o.run) : undefined,
    embedding: oneOf<GlobalEmbedding>('embedding', o.embedding, ['cls1', 'cls2']),
    captions: oneOf<CaptionChoice>('captions', o.captions, ['all', 'web', 'synthetic']),
    probe: { solver: oneOf<'ridge' | 'sgd'>('probe-solver', o.probeSolver, ['ridge', 'sgd']), steps: positiveInt('probe-steps', o.probeSteps), lr, batchSize: positiveInt('batch-size', o.batchSize), seed: Number(o.seed) || 0 },
    depth: { upsample: positiveInt('depth-upsample', o.depthUpsample), readout: oneOf<'linear' | 'softmax'>('depth-readout', o.depthReadout, ['linear', 'softmax']) },
    batchSize: positiveInt('batch-size', o.batchSize),
    maxImages: maxImages ? { train: maxImages, test: maxImages } : undefined,
    scenes: { train: positiveInt('scenes-train', o.scenesTrain), test: positiveInt('scenes-test', o.scenesTest), cache: o.cache, seed: Number(o.seed) || 0 },
    load: o.variant ? { variant: o.variant } : undefined,
    baseline: o.baseline ? { seed: Number(o.seed) || 0 } : undefined,
    progress: o.progress,
    log: (line: string) => process.stderr.write(`tips eval: ${line}\n`),
  };
  if (o.trainData && !o.data) throw new EvalInputError('--train-data needs --data (the test manifest); without --data the built-in scenes are used for both');
  await initBackend({ backend });
  const { report } = await evaluateCheckpoint(options);
  process.stdout.write(`${headlineTable([{ name: o.checkpoint, metrics: report.headline }])}\n\n`);
  process.stdout.write(`report: ${join(resolve(o.out), 'report.md')} (${report.files.length} files, ${report.seconds.toFixed(1)} s)\n`);
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'Evaluate a TIPS model on frozen features as the paper does — linear segmentation and depth probes, kNN and linear classification, zero-shot classification, image↔text retrieval, zero-shot segmentation — and write a report (markdown, JSON, PNG figures). With no --data, on the built-in spatial scenes.',
    )
    .requiredOption('--checkpoint <dir|file>', 'a tips train run folder, its final/ export, official .npz files, or an image-tower file')
    .option('--data <manifest>', 'test split: a JSONL manifest (masks, depth, labels and captions enable the tasks); default: the built-in scenes')
    .option('--train-data <manifest>', 'training split for the probes and kNN (with --data)')
    .option('--text <file>', 'text-tower checkpoint when it is not beside --checkpoint')
    .option('--tokenizer <model>', 'SentencePiece tokenizer.model of the text tower (default: the one beside the checkpoint, else the built-in scenes tokenizer)')
    .option('--variant <name>', 'preset of the towers (S, B, L, So400m, g) when the files do not say')
    .option('--out <dir>', 'report folder', 'eval-report')
    .option('--tasks <list>', `comma-separated subset of ${ALL_TASKS.join(',')} (default: every task the data allows)`)
    .option('--size <N|HxW>', "input size, multiples of 14 (default: the size the model was trained at, else its native size)")
    .option('--embedding <cls1|cls2>', 'global embedding for kNN, linear, zero-shot and retrieval', 'cls1')
    .option('--captions <all|web|synthetic>', 'captions used in retrieval', 'all')
    .option('--probe-solver <ridge|sgd>', 'linear classification and segmentation probes: closed-form ridge (λ chosen on a hold-out) or AdamW for --probe-steps', 'ridge')
    .option('--probe-steps <n>', 'optimiser steps of each SGD probe (the depth probe always; the others with --probe-solver sgd)', '300')
    .option('--probe-lr <x>', 'peak AdamW learning rate of the probes', '0.001')
    .option('--depth-upsample <n>', 'upsampling of the depth logits before the bins readout (DINOv2: 4; 1 is several times cheaper)', '4')
    .option('--depth-readout <linear|softmax>', 'distribution over the depth bins', 'linear')
    .option('--batch-size <n>', 'probe and feature-extraction batch size', '16')
    .option('--max-images <n>', 'use at most N images of each split')
    .option('--run <dir|metrics.jsonl>', "a training run's metrics for the loss-curve figure (default: found from --checkpoint)")
    .option('--scenes-train <n>', 'built-in scenes: training images', '300')
    .option('--scenes-test <n>', 'built-in scenes: test images', '100')
    .option('--cache <dir>', 'built-in scenes cache folder (default .cache/tips/scenes)')
    .option('--seed <n>', 'seed of the probes and of the built-in scenes', '0')
    .option('--baseline', 'also evaluate randomly initialised towers of the same architecture and compare')
    .option('--no-progress', 'no progress output')
    .action(async (opts: EvalCliOptions, cmd: Command) => {
      await runEval(opts, cmd.optsWithGlobals().tfBackend as string | undefined);
    });
}
