import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@tips/runtime';
import { DataOptionError } from '../errors';
import { writeManifest, type ManifestLine } from '../formats/manifest';
import { writeTarShard } from '../formats/tar-writer';
import { DEPTH_PNG_SCALE, encodeScenePngs } from './encode-scene';
import { renderScene, type SceneOptions } from './render-scene';
import { MASK_CLASSES, SHAPES } from './vocabulary';

export interface GenerateScenesOptions extends SceneOptions {
  /** Output folder: writes `{split}.jsonl`, `{split}/images|masks|depth/NNNNNN.png`, `dataset.json`. */
  out: string;
  count: number;
  seed?: number;
  /** Split name (default 'train'); each split draws from its own stream (seed, 'scenes', split, i). */
  split?: string;
  /** Also write WebDataset shards `{split}/shards/{split}-NNNNNN.tar` (true: 1000 samples per shard). */
  shards?: boolean | { size: number };
  /** Scenes encoded at the same time (default 8). */
  concurrency?: number;
  onProgress?: (p: GenerateProgress) => void;
}

export interface GenerateProgress {
  done: number;
  total: number;
  elapsedSeconds: number;
  scenesPerSecond: number;
  etaSeconds: number;
}

export interface GenerateScenesResult {
  manifest: string;
  split: string;
  count: number;
  shards: string[];
  seconds: number;
  scenesPerSecond: number;
}

/** Name of the scene-level label classes (the dominant shape) and the zero-shot prompt template. */
export const SCENE_LABEL_CLASSES: readonly string[] = SHAPES;
export const SCENE_LABEL_PROMPT = 'a picture of mostly {} shapes';

const pad = (i: number) => String(i).padStart(6, '0');

async function mergeDatasetJson(out: string, split: string, info: Record<string, unknown>): Promise<void> {
  const path = join(out, 'dataset.json');
  let current: { splits?: Record<string, unknown> } = {};
  try {
    current = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    current = {};
  }
  const doc = {
    name: 'tips-spatial-scenes',
    version: 1,
    description: 'Built-in procedural scenes of coloured shapes (@tips/data generateScenes).',
    mask_classes: MASK_CLASSES,
    label: 'dominant shape: the shape class with the most visible pixels',
    label_classes: SCENE_LABEL_CLASSES,
    label_prompt: SCENE_LABEL_PROMPT,
    depth_png_scale: DEPTH_PNG_SCALE,
    depth_unit: 'm',
    synthetic_captions: ['short', 'medium', 'detailed spatial'],
    splits: { ...(current.splits ?? {}), [split]: info },
  };
  await writeFileAtomic(path, JSON.stringify(doc, null, 2) + '\n');
}

/**
 * Generates the built-in spatial-scenes dataset: `count` scenes of `split` for `seed`, rendered with
 * our rasteriser and encoded as PNG (image, class mask, 16-bit depth in mm), and a JSONL manifest
 * that `readManifest` reads like any user dataset (+ optional WebDataset shards).
 * Deterministic: the same (seed, split, index, size) always gives the same scene, bytes included.
 * The manifest is written last and atomically: a manifest only exists for a finished split.
 */
export async function generateScenes(opts: GenerateScenesOptions): Promise<GenerateScenesResult> {
  const split = opts.split ?? 'train';
  const seed = opts.seed ?? 0;
  if (!/^[A-Za-z0-9_-]+$/.test(split)) throw new DataOptionError(`split '${split}' must be letters, digits, '-' or '_'`);
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new DataOptionError(`count must be a positive integer, got ${opts.count}`);
  const width = opts.width ?? 224;
  const height = opts.height ?? 224;
  const shardSize = opts.shards ? (opts.shards === true ? 1000 : opts.shards.size) : 0;
  if (opts.shards && !(Number.isInteger(shardSize) && shardSize > 0)) throw new DataOptionError(`shard size must be a positive integer, got ${shardSize}`);
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  for (const d of ['images', 'masks', 'depth', ...(shardSize ? ['shards'] : [])]) await mkdir(join(opts.out, split, d), { recursive: true });

  const start = performance.now();
  const lines: ManifestLine[] = new Array(opts.count);
  const shards: string[] = [];
  const chunk = shardSize || 500;
  let done = 0;
  for (let c0 = 0; c0 < opts.count; c0 += chunk) {
    const c1 = Math.min(opts.count, c0 + chunk);
    const members: { key: string; files: Record<string, Uint8Array | string> }[] = new Array(c1 - c0);
    let next = c0;
    const work = async () => {
      while (next < c1) {
        const i = next++;
        const s = renderScene(seed, split, i, opts);
        const png = await encodeScenePngs(s.raster, width, height);
        const name = pad(i);
        const rel = { image: `${split}/images/${name}.png`, mask: `${split}/masks/${name}.png`, depth: `${split}/depth/${name}.png` };
        await Promise.all([writeFile(join(opts.out, rel.image), png.image), writeFile(join(opts.out, rel.mask), png.mask), writeFile(join(opts.out, rel.depth), png.depth)]);
        const annotations = {
          id: `${split}-${name}`,
          web_caption: s.webCaption,
          synthetic_caption: s.syntheticCaptions,
          label: s.label,
          label_name: s.labelName,
          layout: s.layout,
          width,
          height,
          background: { texture: s.spec.background.texture, colour: s.spec.background.colour },
          objects: s.objects,
        };
        lines[i] = { ...rel, ...annotations };
        if (shardSize) members[i - c0] = { key: name, files: { png: png.image, 'mask.png': png.mask, 'depth.png': png.depth, json: JSON.stringify(annotations) } };
        done++;
        if (opts.onProgress && (done % 50 === 0 || done === opts.count)) {
          const el = (performance.now() - start) / 1000;
          const rate = done / Math.max(el, 1e-9);
          opts.onProgress({ done, total: opts.count, elapsedSeconds: el, scenesPerSecond: rate, etaSeconds: (opts.count - done) / rate });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, work));
    if (shardSize) {
      const path = join(opts.out, split, 'shards', `${split}-${pad(c0 / shardSize)}.tar`);
      await writeTarShard(path, members);
      shards.push(path);
    }
  }
  const manifest = join(opts.out, `${split}.jsonl`);
  await writeManifest(manifest, lines);
  const seconds = (performance.now() - start) / 1000;
  await mergeDatasetJson(opts.out, split, {
    seed,
    count: opts.count,
    perspective: opts.perspective ?? false,
    width,
    height,
    manifest: `${split}.jsonl`,
    shards: shards.length ? `${split}/shards/${split}-{${pad(0)}..${pad(shards.length - 1)}}.tar` : null,
  });
  return { manifest, split, count: opts.count, shards, seconds, scenesPerSecond: opts.count / seconds };
}
