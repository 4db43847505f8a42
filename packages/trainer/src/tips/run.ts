import { join, resolve } from 'node:path';
import { describeBackend, TipsError } from '@tips/runtime';
import { SentencePieceTokenizer } from '@tips/text-encoder';
import * as data from '@tips/data';
import { train, type StepRecord, type TrainOptions, type TrainResult } from '../loop/train-loop';
import type { TipsConfig } from './config';
import { resolveTipsData, tipsDataSource, type ResolvedData } from './data-source';
import { exportTips, type ExportedTips } from './export';
import { TipsModel } from './model';
import { TipsObjective } from './objective';
import { prepareRunFolder, sameRunConfig } from './run-folder';
import { TipsDataParallel, resolveWorkers } from '../parallel/tips-data-parallel';

export interface TrainTipsOptions {
  resume?: boolean;
  /** Start again in a folder that holds a run: delete its checkpoints, final/ and metrics first. */
  overwrite?: boolean;
  progress?: boolean;
  stopAfter?: number;
  onStep?: (record: StepRecord) => void;
  log?: (line: string) => void;
}

export interface TrainTipsResult {
  outDir: string;
  data: ResolvedData;
  exported: ExportedTips | null;
  result: TrainResult;
  seconds: number;
}

/** The loop options a TIPS config sets (optimiser, schedules, accumulation, clipping, seed). */
export function optimOptionsOf(config: TipsConfig): Pick<TrainOptions<unknown>, 'seed' | 'accumulate' | 'clipGrad' | 'lr' | 'weightDecay' | 'adam'> {
  return {
    seed: config.run.seed,
    accumulate: config.optim.accumulate,
    clipGrad: config.optim.clipGrad,
    lr: config.optim.lr,
    weightDecay: config.optim.weightDecay,
    adam: { beta1: config.optim.beta1, beta2: config.optim.beta2 },
  };
}

/** The SentencePiece model a run uses: the config's, else the built-in scenes tokenizer of @tips/data. */
export function resolveTokenizerPath(config: TipsConfig): string {
  if (config.data.tokenizer) return resolve(config.data.tokenizer);
  const builtin = (data as unknown as { scenesTokenizerPath?: () => string }).scenesTokenizerPath;
  if (!builtin) throw new TipsError('NO_TOKENIZER', 'no tokenizer given and @tips/data has no built-in scenes tokenizer; set data.tokenizer to a SentencePiece .model file');
  return builtin();
}

/**
 * Trains TIPS with a resolved config: prepares the data (the built-in scenes by default), builds
 * the model, runs the shared loop (resumable), and exports the student towers to `<out>/final`.
 */
export async function trainTips(config: TipsConfig, options: TrainTipsOptions = {}): Promise<TrainTipsResult> {
  const started = Date.now();
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const outDir = resolve(config.run.out);
  // Validates the folder (existing run, resume checkpoint, same config) before writing anything.
  const resumeFrom = await prepareRunFolder(outDir, config, { resume: options.resume, overwrite: options.overwrite, log });
  const resolved = await resolveTipsData(config, log);
  const tokenizerPath = resolveTokenizerPath(config);
  const tokenizer = await SentencePieceTokenizer.load(tokenizerPath);
  const model = await TipsModel.create(config, tokenizer.vocabSize);
  const objective = new TipsObjective(model);
  const workers = resolveWorkers(config.optim.workers);
  let parallel: TipsDataParallel | null = null;
  log(`tips train: ${describeBackend()}; image tower ${model.vision.params.count().toLocaleString()} params, text tower ${model.text.params.count().toLocaleString()}; ${config.optim.steps} steps of ${config.data.batchSize}${workers > 1 ? ` over ${workers} worker threads` : ''}; out ${outDir}`);
  try {
    // optim.workers > 1: the gradients come from data-parallel worker threads (src/parallel).
    if (workers > 1) parallel = await TipsDataParallel.create({ model, objective, vocabSize: tokenizer.vocabSize, workers });
    const source = await tipsDataSource(config, resolved.train, tokenizer);
    const result = await train({
      trainable: parallel?.trainable ?? objective,
      gradients: parallel?.gradients,
      data: source,
      ...optimOptionsOf(config),
      steps: config.optim.steps,
      outDir,
      checkpointEvery: config.run.checkpointEvery,
      keepLast: config.run.keepLast,
      resume: resumeFrom ?? false,
      sameConfig: sameRunConfig,
      warn: log,
      progress: options.progress ?? true,
      logEvery: config.run.logEvery,
      label: 'tips train',
      config,
      onStep: options.onStep,
      stopAfter: options.stopAfter,
    });
    const done = result.step >= config.optim.steps;
    const exported = done ? await exportTips(model, join(outDir, 'final'), tokenizerPath) : null;
    if (exported) log(`exported the trained towers to ${exported.dir}`);
    return { outDir, data: resolved, exported, result, seconds: (Date.now() - started) / 1000 };
  } finally {
    await parallel?.close();
    objective.release();
    model.dispose();
  }
}
