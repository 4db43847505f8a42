import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import * as data from '@tips/data';
import { DataOptionError, generateScenes, type GenerateProgress } from '@tips/data';
import { parseIntOption } from '../io/cli-numbers';

interface GenerateCliOptions {
  out: string;
  count: string;
  seed: string;
  split: string;
  size?: string;
  objects?: string;
  shards?: boolean;
  shardSize: string;
  multiview?: boolean;
  views?: string;
  perspective?: boolean;
}

const int = (name: string, text: string, min: number): number => parseIntOption(name, text, min, (m) => new DataOptionError(m));

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  return s >= 90 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`;
}

async function generate(o: GenerateCliOptions): Promise<void> {
  const count = int('count', o.count, 1);
  const seed = int('seed', o.seed, 0);
  const size = int('size', o.size ?? (o.multiview ? '32' : '224'), o.multiview ? 4 : 14);
  const shardSize = int('shard-size', o.shardSize, 1);
  if (o.multiview) {
    const multiview = (data as Record<string, unknown>).generateMultiviewScenes;
    if (typeof multiview !== 'function') {
      throw new DataOptionError('--multiview is not available yet: this @tips/data has no generateMultiviewScenes (multi-view 3D renders); generate 2D scenes without --multiview');
    }
    if (o.shards) throw new DataOptionError('--shards applies to the 2D scenes only; multi-view scenes are written as PNGs with a JSONL manifest');
    if (o.perspective) throw new DataOptionError('--perspective applies to the 2D scenes only; multi-view scenes are rendered with real cameras already');
    const views = int('views', o.views ?? '6', 2);
    const r = await (multiview as (opts: Record<string, unknown>) => Promise<unknown>)({ out: o.out, count, seed, split: o.split, size, views });
    process.stdout.write(JSON.stringify(r) + '\n');
    return;
  }
  let objects: [number, number] | undefined;
  if (o.objects) {
    const m = /^(\d+)(?:[,:-](\d+))?$/.exec(o.objects);
    if (!m) throw new DataOptionError(`--objects must be N or MIN,MAX (e.g. 1,4), not '${o.objects}'`);
    objects = [Number(m[1]), Number(m[2] ?? m[1])];
    if (objects[0] < 1 || objects[1] < objects[0]) throw new DataOptionError(`--objects ${o.objects}: need 1 ≤ MIN ≤ MAX`);
  }
  await mkdir(o.out, { recursive: true });
  const log = join(o.out, `generate-${o.split}.log.jsonl`);
  let lastPrint = 0;
  const onProgress = (p: GenerateProgress) => {
    const line = { event: 'progress', time: new Date().toISOString(), split: o.split, ...p };
    void appendFile(log, JSON.stringify(line) + '\n').catch(() => undefined);
    const now = Date.now();
    if (now - lastPrint > 2000 || p.done === p.total) {
      lastPrint = now;
      process.stderr.write(`tips data generate: ${p.done}/${p.total} scenes, ${p.scenesPerSecond.toFixed(1)}/s, ETA ${fmtTime(p.etaSeconds)}\n`);
    }
  };
  const r = await generateScenes({ out: o.out, count, seed, split: o.split, width: size, height: size, objects, perspective: o.perspective ?? false, shards: o.shards ? { size: shardSize } : false, onProgress });
  await appendFile(log, JSON.stringify({ event: 'done', time: new Date().toISOString(), ...r }) + '\n');
  process.stderr.write(`tips data generate: wrote ${r.count} ${r.split} scenes in ${fmtTime(r.seconds)} (${r.scenesPerSecond.toFixed(1)}/s) → ${r.manifest}\n`);
  process.stdout.write(JSON.stringify(r) + '\n');
}

/** `tips data generate`: writes the built-in spatial-scenes dataset (JSONL manifest, PNGs, optional WebDataset shards). */
export function registerData(program: Command): void {
  const cmd = program.command('data').description('datasets: generate the built-in spatial-scenes dataset');
  cmd
    .command('generate')
    .description('render seeded scenes of coloured shapes: images, class masks, depth, web and spatial captions, labels')
    .requiredOption('--out <dir>', 'output folder ({split}.jsonl, {split}/images|masks|depth, dataset.json)')
    .option('--count <n>', 'number of scenes', '1000')
    .option('--seed <n>', 'seed (same seed + split = same scenes)', '0')
    .option('--split <name>', 'split name; each split has its own stream, so train and eval never share a scene', 'train')
    .option('--size <px>', 'image side in pixels (default 224; with --multiview 32)')
    .option('--objects <min,max>', 'objects per scene (default 1,4)')
    .option('--shards', 'also write WebDataset tar shards under {split}/shards/')
    .option('--shard-size <n>', 'samples per shard', '1000')
    .option('--perspective', 'pinhole camera: apparent size follows depth, so size is a depth cue (default: size and depth independent)')
    .option('--multiview', 'multi-view renders of 3D primitives with camera matrices (for the LRM head; WebDataset shards do not apply)')
    .option('--views <n>', 'with --multiview: views per scene', '6')
    .action(async (o: GenerateCliOptions) => generate(o));
}
