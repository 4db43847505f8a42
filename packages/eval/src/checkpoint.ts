import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { openTensorFile } from '@tips/runtime';
import { loadVisionCheckpoint, type VisionTransformer, type VitConfig } from '@tips/vit-core';
import { loadTextCheckpoint, SentencePieceTokenizer, type TextConfig, type TextTransformer } from '@tips/text-encoder';
import { scenesTokenizerPath } from '@tips/data';
import { EvalCheckpointError } from './errors';

/** The files of a TIPS model found from a folder or a file. */
export interface ResolvedCheckpoint {
  vision: string;
  text: string | null;
  tokenizer: string | null;
  /** A training run's metrics.jsonl (for loss curves), when the folder is a run or inside one. */
  runMetrics: string | null;
  /** The exported model's tips.json (@tips/trainer's export), parsed, when present. */
  meta: Record<string, unknown> | null;
}

const TENSOR_FILE = /\.(npz|safetensors)$/i;

/** What a tensor file holds: an image tower (pos_embed), a text tower (token_embedding.weight), both or neither. */
async function sniff(path: string): Promise<{ vision: boolean; text: boolean }> {
  try {
    const r = await openTensorFile(path);
    try {
      const keys = r.keys();
      return { vision: keys.some((k) => k === 'pos_embed' || k.endsWith('.pos_embed')), text: keys.some((k) => k === 'token_embedding.weight' || k.endsWith('.token_embedding.weight')) };
    } finally {
      await r.close();
    }
  } catch {
    return { vision: false, text: false };
  }
}

function pick(paths: string[], hint: RegExp, what: string, dir: string): string | null {
  if (paths.length <= 1) return paths[0] ?? null;
  const hinted = paths.filter((p) => hint.test(basename(p)));
  if (hinted.length === 1) return hinted[0]!;
  throw new EvalCheckpointError(`${dir} holds ${paths.length} ${what} checkpoints (${paths.map((p) => basename(p)).join(', ')}); pass the file itself`);
}

/**
 * Finds the image tower, text tower, tokenizer and run metrics of a model:
 * - a folder: tensor files sniffed by their keys (our export `vision.safetensors`/`text.safetensors`,
 *   official `*_vision.npz`/`*_text.npz`, a combined file), also in its `final/` subfolder (a
 *   `tips train` run folder), plus `tokenizer.model` and `metrics.jsonl`;
 * - a file: the image tower; the text tower beside it is found by name (`…vision…` → `…text…`).
 * Explicit `text` / `tokenizer` paths win.
 */
export async function resolveCheckpoint(path: string, explicit: { text?: string; tokenizer?: string } = {}): Promise<ResolvedCheckpoint> {
  const p = resolve(path);
  if (!existsSync(p)) throw new EvalCheckpointError(`${p} does not exist; pass a model folder (e.g. a tips train run or its final/ export) or an image-tower file`);
  let vision: string | null = null;
  let text: string | null = null;
  let folder: string;
  if (statSync(p).isDirectory()) {
    folder = existsSync(join(p, 'final')) && !readdirSync(p).some((f) => TENSOR_FILE.test(f)) ? join(p, 'final') : p;
    const files = readdirSync(folder).filter((f) => TENSOR_FILE.test(f)).map((f) => join(folder, f));
    const kinds = await Promise.all(files.map(sniff));
    vision = pick(files.filter((_, i) => kinds[i]!.vision), /vision|image/i, 'image-tower', folder);
    text = pick(files.filter((_, i) => kinds[i]!.text), /text/i, 'text-tower', folder);
    if (!vision) throw new EvalCheckpointError(`${folder} holds no image-tower checkpoint (.npz or .safetensors with a pos_embed tensor)`);
  } else {
    folder = dirname(p);
    if (!(await sniff(p)).vision) throw new EvalCheckpointError(`${p} is not an image-tower checkpoint (no pos_embed tensor)`);
    vision = p;
    const name = basename(p);
    if (/vision/i.test(name)) {
      const sibling = join(folder, name.replace(/vision/i, 'text'));
      if (existsSync(sibling) && (await sniff(sibling)).text) text = sibling;
    } else if ((await sniff(p)).text) text = p;
  }
  const tokenizerHere = join(folder, 'tokenizer.model');
  const runDir = basename(folder) === 'final' ? dirname(folder) : folder;
  const metaPath = join(folder, 'tips.json');
  let meta: Record<string, unknown> | null = null;
  if (existsSync(metaPath)) {
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new EvalCheckpointError(`${metaPath} is not valid JSON (${(e as Error).message})`);
    }
  }
  return {
    vision,
    text: explicit.text ? resolve(explicit.text) : text,
    tokenizer: explicit.tokenizer ? resolve(explicit.tokenizer) : existsSync(tokenizerHere) ? tokenizerHere : null,
    runMetrics: existsSync(join(runDir, 'metrics.jsonl')) ? join(runDir, 'metrics.jsonl') : null,
    meta,
  };
}

/** The loaded towers of a resolved checkpoint (frozen). The caller disposes them. */
export interface LoadedModel {
  vision: VisionTransformer;
  text?: TextTransformer;
  tokenizer?: SentencePieceTokenizer;
}

/** How to read checkpoints whose sizes match no preset and carry no config. */
export interface LoadModelOptions {
  /** Preset name (S, B, L, So400m, g) of both towers. */
  variant?: string;
  visionConfig?: Partial<VitConfig>;
  textConfig?: Partial<TextConfig>;
}

/**
 * Loads the towers (not trainable) and the tokenizer. Without a tokenizer file, a text tower uses the
 * built-in scenes tokenizer of @tips/data when its vocabulary fits, else the text side is left out
 * with a warning through `log`.
 */
export async function loadModel(ck: ResolvedCheckpoint, log: (line: string) => void = () => {}, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const vision = await loadVisionCheckpoint(ck.vision, { trainable: false, variant: options.variant, config: options.visionConfig });
  if (!ck.text) return { vision };
  try {
    const text = await loadTextCheckpoint(ck.text, { trainable: false, variant: options.variant, config: options.textConfig });
    const tokPath = ck.tokenizer ?? scenesTokenizerPath();
    const tokenizer = SentencePieceTokenizer.fromBytes(await readFile(tokPath), tokPath);
    if (tokenizer.vocabSize > text.config.vocabSize) {
      text.dispose();
      throw new EvalCheckpointError(`the tokenizer ${tokPath} has ${tokenizer.vocabSize} pieces but the text tower ${text.config.vocabSize} embeddings; pass the tokenizer the model was trained with (--tokenizer)`);
    }
    if (!ck.tokenizer) log(`no tokenizer.model beside the checkpoint: using the built-in scenes tokenizer ${tokPath}`);
    return { vision, text, tokenizer };
  } catch (e) {
    vision.dispose();
    throw e;
  }
}
