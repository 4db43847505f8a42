import { builtinEvalScenes } from './builtin-scenes';
import { loadModel, resolveCheckpoint, type LoadModelOptions } from './checkpoint';
import { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate';

export interface EvaluateCheckpointOptions extends Omit<EvaluateOptions, 'vision' | 'text' | 'tokenizer' | 'data' | 'trainData'> {
  /** A model folder (a `tips train` run, its `final/` export, official files) or an image-tower file. */
  checkpoint: string;
  /** Text-tower file and tokenizer, when not beside the checkpoint. */
  text?: string;
  tokenizer?: string;
  /** Test manifest; absent: the built-in scenes (generated into `scenes.cache`). */
  data?: string;
  /** Training manifest for probes and kNN; with the built-in scenes, their train split. */
  trainData?: string;
  /** Sizes of towers that match no preset and carry no config (e.g. official tiny test files). */
  load?: LoadModelOptions;
  /** Built-in scenes settings when `data` is absent. */
  scenes?: { cache?: string; train?: number; test?: number; seed?: number };
}

function numberAt(o: unknown, path: string[]): number | undefined {
  let v: unknown = o;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' ? v : undefined;
}

/**
 * `tips eval` as a function: resolves and loads a checkpoint, picks the data (the built-in scenes by
 * default, at the resolution the model was trained at when its tips.json says), runs evaluate() and
 * writes the report. The towers are disposed before returning.
 */
export async function evaluateCheckpoint(options: EvaluateCheckpointOptions): Promise<EvaluateResult> {
  const log = options.log ?? (options.progress ? (l: string) => process.stderr.write(`[eval] ${l}\n`) : () => {});
  const ck = await resolveCheckpoint(options.checkpoint, { text: options.text, tokenizer: options.tokenizer });
  log(`image tower ${ck.vision}${ck.text ? `, text tower ${ck.text}` : ' (no text tower: text tasks skipped)'}`);
  const model = await loadModel(ck, log, options.load);
  try {
    const trainedAt = numberAt(ck.meta, ['config', 'data', 'globalSize']);
    const imageSize = options.imageSize ?? trainedAt;
    let data = options.data;
    let trainData = options.trainData;
    if (!data) {
      const side = typeof imageSize === 'number' ? imageSize : Array.isArray(imageSize) ? imageSize[0] : model.vision.config.posGrid * model.vision.config.patchSize;
      const scenes = await builtinEvalScenes({ ...options.scenes, size: side, log });
      data = scenes.test;
      trainData ??= scenes.train;
    }
    const { checkpoint: _c, text: _t, tokenizer: _k, scenes: _s, load: _l, ...rest } = options;
    return await evaluate({
      ...rest,
      vision: model.vision,
      text: model.text,
      tokenizer: model.tokenizer,
      data,
      trainData,
      imageSize,
      runMetrics: options.runMetrics ?? ck.runMetrics ?? undefined,
      modelName: options.modelName ?? options.checkpoint,
      log,
    });
  } finally {
    model.vision.dispose();
    model.text?.dispose();
  }
}
