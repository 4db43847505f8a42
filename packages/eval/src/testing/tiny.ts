import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateScenes } from '@tips/data';
import { SentencePieceTokenizer, TextTransformer } from '@tips/text-encoder';
import { VisionTransformer, type VitConfig } from '@tips/vit-core';

/** Tiny towers and data for tests: image 56×56 (4×4 patches), 32-d towers sharing the width. */
export const TINY_VIT: VitConfig = { embedDim: 32, depth: 2, heads: 2, mlpHidden: 64, ffn: 'mlp', patchSize: 14, posGrid: 4, registers: 1, eps: 1e-6, layerScale: true, qkvBias: true };

/** The committed test tokenizer (test-data/make_tokenizer.py). `packageRoot` is packages/eval. */
export function tokenizerPath(packageRoot: string): string {
  return join(packageRoot, 'test-data', 'scenes-tokenizer.model');
}

export async function tinyTowers(packageRoot: string, seed = 1): Promise<{ vision: VisionTransformer; text: TextTransformer; tokenizer: SentencePieceTokenizer }> {
  // fromBytes: SentencePieceTokenizer.load(path) reads through a dynamic import that jest's CommonJS runtime refuses.
  const tokenizer = SentencePieceTokenizer.fromBytes(readFileSync(tokenizerPath(packageRoot)));
  const vision = VisionTransformer.init(TINY_VIT, { seed, layerScaleInit: 1 });
  const text = TextTransformer.init({ hiddenSize: 32, mlpDim: 64, numHeads: 2, numLayers: 1, vocabSize: tokenizer.vocabSize, maxLen: 64, eps: 1e-5 }, { seed });
  return { vision, text, tokenizer };
}

/** Built-in scenes at 56×56: a train and a test split in `dir`. */
export async function tinyScenes(dir: string, train = 16, test = 8): Promise<{ train: string; test: string }> {
  const a = await generateScenes({ out: dir, count: train, split: 'train', width: 56, height: 56, seed: 5, concurrency: 4 });
  const b = await generateScenes({ out: dir, count: test, split: 'test', width: 56, height: 56, seed: 5, concurrency: 4 });
  return { train: a.manifest, test: b.manifest };
}
