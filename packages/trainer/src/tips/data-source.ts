import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Rng, hashString } from '@tips/runtime';
import { createTipsLoader, generateScenes, manifestSource, readManifest, type SkipTracker, type TipsBatch, type Tokenizer } from '@tips/data';
import { readRunJson } from '../checkpoint/read-json';
import type { DataSource, SkipCounts } from '../loop/types';
import type { TipsConfig } from './config';

export interface ResolvedData {
  /** Training manifest. */
  train: string;
  /** Held-out manifest (built-in scenes: the eval split), when there is one. */
  eval: string | null;
}

/**
 * The data a run trains on: the config's manifest, or the built-in spatial scenes generated once into
 * a cache folder keyed by their parameters (train and eval splits drawn from separate streams).
 */
export async function resolveTipsData(config: TipsConfig, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<ResolvedData> {
  if (config.data.manifest) return { train: resolve(config.data.manifest), eval: null };
  const b = config.data.builtin;
  // Scenes with a pinhole camera get their own key; the default scenes keep the key they always had.
  const key = hashString(JSON.stringify({ count: b.count, evalCount: b.evalCount, seed: b.seed, size: b.size, v: 1, ...(b.perspective ? { perspective: true } : {}) })).toString(16);
  const dir = resolve(b.cache, `scenes-${b.size}px-${b.count}-${b.evalCount}-s${b.seed}-${key}`);
  const train = join(dir, 'train.jsonl');
  const evalManifest = join(dir, 'eval.jsonl');
  if (!existsSync(train) || !existsSync(evalManifest)) {
    log(`generating the built-in spatial scenes into ${dir} (${b.count} train + ${b.evalCount} eval, ${b.size}px${b.perspective ? ', perspective' : ''})`);
    const common = { out: dir, seed: b.seed, width: b.size, height: b.size, perspective: b.perspective ?? false };
    await generateScenes({ ...common, count: b.count, split: 'train' });
    await generateScenes({ ...common, count: b.evalCount, split: 'eval' });
  }
  return { train, eval: evalManifest };
}

/**
 * A DataSource over a manifest through @tips/data's TIPS loader: 1 global crop (masked for MIM),
 * M local crops, tokenised web and synthetic captions. The same position gives the same batches.
 */
export async function tipsDataSource(config: TipsConfig, manifest: string, tokenizer: Tokenizer): Promise<DataSource<TipsBatch>> {
  const records = await readManifest(manifest);
  const d = config.data;
  const mim = config.objective.mim;
  const seed = Rng.derive(config.run.seed, 'data').nextU32();
  // Counts over every loader this source opens (one per batches() call), for skips().
  const done: SkipCounts = { seen: 0, skipped: 0, paths: [] };
  let live: SkipTracker | null = null;
  const skips = (): SkipCounts => {
    const now = live?.summary();
    return now ? { seen: done.seen + now.seen, skipped: done.skipped + now.skipped, paths: [...done.paths, ...now.paths].slice(0, 20) } : { ...done, paths: [...done.paths] };
  };
  return {
    imagesPerBatch: d.batchSize,
    skips,
    async *batches(from) {
      Object.assign(done, skips());
      live = null;
      const loader = createTipsLoader({
        source: manifestSource(records, { seed }),
        batchSize: d.batchSize,
        seed,
        start: from ? { epoch: from.epoch ?? 0, index: from.index ?? 0 } : undefined,
        tokenizer,
        maxTokens: config.model.text.maxLen,
        numWorkers: d.workers,
        maxSkippedFraction: d.maxSkippedFraction,
        skipAllowance: d.skipAllowance,
        views: {
          globalSize: d.globalSize,
          localSize: d.localSize,
          localCount: Math.max(d.localCount, config.objective.distill.enabled ? 1 : 0),
          globalScale: d.globalScale,
          localScale: d.localScale,
        },
        mask: mim.enabled ? { ratio: mim.maskRatio, probability: mim.maskProbability } : undefined,
      });
      live = loader.skips;
      for await (const batch of loader) yield { batch, next: { ...batch.position } };
    },
  };
}

/** Reads a run's resolved config (written at the start of every run). */
export function readRunConfig(runDir: string): unknown {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) return null;
  return readRunJson(path, 'the run\'s configuration');
}
