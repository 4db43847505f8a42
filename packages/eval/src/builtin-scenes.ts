import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateScenes } from '@tips/data';

export interface BuiltinScenesOptions {
  /** Cache folder (default `.cache/tips/scenes`, as `tips train`). */
  cache?: string;
  /** Image side in pixels (default 224). */
  size?: number;
  /** Scenes for the probes and kNN (default 300) and for testing (default 100). */
  train?: number;
  test?: number;
  seed?: number;
  /** Apparent size follows depth (pinhole camera; default false): @tips/data SceneOptions.perspective. */
  perspective?: boolean;
  log?: (line: string) => void;
}

/**
 * The built-in spatial scenes as an evaluation set: a `train` split (probes, kNN) and a `test` split
 * drawn from separate streams, generated once into the cache and reused.
 */
export async function builtinEvalScenes(options: BuiltinScenesOptions = {}): Promise<{ train: string; test: string; dir: string }> {
  const size = options.size ?? 224;
  const nTrain = options.train ?? 300;
  const nTest = options.test ?? 100;
  const seed = options.seed ?? 0;
  const dir = resolve(options.cache ?? '.cache/tips/scenes', `eval-${size}px-${nTrain}-${nTest}-s${seed}${options.perspective ? '-perspective' : ''}`);
  const train = join(dir, 'train.jsonl');
  const test = join(dir, 'test.jsonl');
  if (!existsSync(train) || !existsSync(test)) {
    options.log?.(`generating the built-in spatial scenes into ${dir} (${nTrain} train + ${nTest} test, ${size}px)`);
    const common = { out: dir, width: size, height: size, seed, perspective: options.perspective ?? false };
    await generateScenes({ ...common, count: nTrain, split: 'train' });
    await generateScenes({ ...common, count: nTest, split: 'test' });
  }
  return { train, test, dir };
}
