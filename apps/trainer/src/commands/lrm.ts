import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeImage, generateMultiviewScenes, intrinsicsFromFov, lookAt, orbitPosition, turntableRig, type PinholeCamera } from '@tips/data';
import {
  LrmConfigError,
  MultiviewSet,
  evaluateLrm,
  hstack,
  loadLrmModel,
  readLrmInfo,
  reconstruct,
  renderImage,
  trainLrm,
  writePng,
  type LrmConfig,
  type LrmEncoderSource,
} from '@tips/lrm-head';
import { initBackend, writeFileAtomic } from '@tips/runtime';
import { TINY, visionConfigOf } from '@tips/trainer';
import { vitPreset, type VitConfig } from '@tips/vit-core';
import { parseIntOption, parseNumberOption } from '../io/cli-numbers';

/** Where `tips lrm` keeps the built-in multi-view scenes when no data is given. */
export const BUILTIN_MULTIVIEW_DIR = join('.cache', 'tips', 'multiview');

const int = (flag: string, text: string, min: number): number => parseIntOption(flag, text, min, (m) => new LrmConfigError(m));

const num = (flag: string, text: string): number => parseNumberOption(flag, text, (m) => new LrmConfigError(m));

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--set key=value` overrides of the LRM architecture (e.g. --set width=96 --set aggregate=sum). */
function parseOverrides(items: string[] = []): Partial<LrmConfig> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(item);
    if (!m) throw new LrmConfigError(`--set takes key=value (e.g. --set width=96), not '${item}'`);
    let v: unknown = m[2];
    try {
      v = JSON.parse(m[2]!);
    } catch {
      /* a bare string such as aggregate=sum */
    }
    out[m[1]!] = v;
  }
  return out as Partial<LrmConfig>;
}

/** A random tower: `tiny` (the `tips train --preset tiny` tower) or a ViT preset name (S, B, L, So400m, g). */
function randomTowerConfig(name: string): VitConfig {
  return name.toLowerCase() === 'tiny' ? visionConfigOf(TINY) : vitPreset(name);
}

interface DataCliOptions {
  out: string;
  train: string;
  eval: string;
  views: string;
  size: string;
  seed: string;
}

async function generateBuiltin(o: { out: string; train: number; eval: number; views: number; size: number; seed: number }): Promise<{ train: string; eval: string }> {
  let last = 0;
  const progress = (split: string) => (done: number, total: number) => {
    if (Date.now() - last > 2000 || done === total) {
      last = Date.now();
      process.stderr.write(`tips lrm data: ${split} ${done}/${total} scenes\n`);
    }
  };
  const common = { out: o.out, views: o.views, size: o.size, seed: o.seed };
  const tr = await generateMultiviewScenes({ ...common, count: o.train, split: 'train', onProgress: progress('train') });
  const ev = await generateMultiviewScenes({ ...common, count: o.eval, split: 'eval', onProgress: progress('eval') });
  return { train: tr.manifest, eval: ev.manifest };
}

interface TrainCliOptions {
  data?: string;
  train?: string;
  eval?: string;
  out: string;
  encoder?: string;
  randomEncoder?: string;
  encoderSeed: string;
  fineTune?: boolean;
  preset: string;
  set?: string[];
  steps: string;
  batch: string;
  rays: string;
  targetViews: string;
  lr: string;
  warmup: string;
  seed: string;
  checkpointEvery: string;
  evalScenes?: string;
  resume?: boolean;
  progress: boolean;
}

async function train(o: TrainCliOptions, backend?: string): Promise<void> {
  await initBackend({ backend });
  let trainManifest = o.train;
  let evalManifest = o.eval;
  if (!trainManifest) {
    const dir = resolve(o.data ?? BUILTIN_MULTIVIEW_DIR);
    if (!existsSync(join(dir, 'train.jsonl'))) {
      process.stderr.write(`tips lrm train: generating the built-in multi-view scenes in ${dir}\n`);
      await generateBuiltin({ out: dir, train: 300, eval: 30, views: 6, size: 32, seed: 0 });
    }
    trainManifest = join(dir, 'train.jsonl');
    if (!evalManifest && existsSync(join(dir, 'eval.jsonl'))) evalManifest = join(dir, 'eval.jsonl');
  }
  if (o.encoder && o.randomEncoder) throw new LrmConfigError('give either --encoder <checkpoint> or --random-encoder <preset>, not both');
  let encoder: LrmEncoderSource;
  if (o.encoder) encoder = { checkpoint: resolve(o.encoder) };
  else {
    const name = o.randomEncoder ?? 'tiny';
    if (!o.randomEncoder) process.stderr.write(`tips lrm train: no --encoder given: using a randomly initialised '${name}' tower (pass --encoder <tower checkpoint from tips train>)\n`);
    encoder = { random: randomTowerConfig(name), seed: int('encoder-seed', o.encoderSeed, 0) };
  }
  const r = await trainLrm({
    train: resolve(trainManifest),
    eval: evalManifest ? resolve(evalManifest) : undefined,
    out: resolve(o.out),
    encoder,
    fineTune: o.fineTune ?? false,
    preset: o.preset,
    config: parseOverrides(o.set),
    steps: int('steps', o.steps, 1),
    batchSize: int('batch', o.batch, 1),
    raysPerView: int('rays', o.rays, 1),
    targetViews: int('target-views', o.targetViews, 1),
    lr: num('lr', o.lr),
    warmup: int('warmup', o.warmup, 0),
    seed: int('seed', o.seed, 0),
    checkpointEvery: int('checkpoint-every', o.checkpointEvery, 0),
    evalMaxScenes: o.evalScenes ? int('eval-scenes', o.evalScenes, 1) : undefined,
    resume: o.resume ?? false,
    progress: o.progress,
  });
  process.stderr.write(`tips lrm train: ${r.train.step} steps in ${r.seconds.toFixed(0)} s; model ${r.model}\n`);
  if (r.eval) process.stdout.write(JSON.stringify({ model: r.eval.model, meanColorBaseline: r.eval.meanColorBaseline, backgroundBaseline: r.eval.backgroundBaseline, scenes: r.eval.scenes, views: r.eval.views }) + '\n');
}

interface EvalCliOptions {
  model: string;
  data: string;
  out?: string;
  maxScenes?: string;
  sourceView: string;
  saveScenes: string;
}

async function evaluate(o: EvalCliOptions, backend?: string): Promise<void> {
  await initBackend({ backend });
  const model = await loadLrmModel(resolve(o.model));
  try {
    const set = await MultiviewSet.load(resolve(o.data));
    const report = await evaluateLrm(model, set, {
      sourceView: int('source-view', o.sourceView, 0),
      maxScenes: o.maxScenes ? int('max-scenes', o.maxScenes, 1) : undefined,
      saveDir: o.out ? resolve(o.out) : undefined,
      saveScenes: int('save-scenes', o.saveScenes, 0),
      onProgress: (d, t) => {
        if (d === t || d % 10 === 0) process.stderr.write(`tips lrm eval: ${d}/${t} scenes\n`);
      },
    });
    if (o.out) await writeFileAtomic(join(resolve(o.out), 'eval.json'), JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(JSON.stringify({ model: report.model, meanColorBaseline: report.meanColorBaseline, backgroundBaseline: report.backgroundBaseline, scenes: report.scenes, views: report.views }) + '\n');
  } finally {
    model.dispose();
  }
}

interface RenderCliOptions {
  model: string;
  image: string;
  camera?: string;
  out: string;
  frames: string;
  size: string;
  radius: string;
  fov: string;
  elevation: string;
  sourceElevation: string;
  background: string;
}

/** The source camera: a JSON file {width, height, K, c2w} (OpenCV, as the multi-view layout) or the generator's default pose. */
async function sourceCamera(o: RenderCliOptions, width: number, height: number): Promise<PinholeCamera> {
  if (o.camera) {
    const j = JSON.parse(await readFile(resolve(o.camera), 'utf8')) as { K: number[] | number[][]; c2w: number[] | number[][] };
    return { width, height, K: j.K.flat(), c2w: j.c2w.flat().length === 12 ? [...j.c2w.flat(), 0, 0, 0, 1] : j.c2w.flat() };
  }
  return { width, height, K: intrinsicsFromFov(num('fov', o.fov), width, height), c2w: lookAt(orbitPosition(num('radius', o.radius), 0, (num('source-elevation', o.sourceElevation) * Math.PI) / 180), [0, 0, 0]) };
}

async function render(o: RenderCliOptions, backend?: string): Promise<void> {
  await initBackend({ backend });
  const model = await loadLrmModel(resolve(o.model));
  try {
    const img = await decodeImage(resolve(o.image));
    const data = Float32Array.from(img.data, (v) => v / 255);
    const cam = await sourceCamera(o, img.width, img.height);
    const bg = o.background.split(',').map(Number);
    if (bg.length !== 3 || bg.some((v) => !(v >= 0 && v <= 1))) throw new LrmConfigError(`--background must be r,g,b in [0, 1], not '${o.background}'`);
    const { info } = await readLrmInfo(resolve(o.model));
    const recon = reconstruct(model, data, img.width, img.height, cam);
    try {
      const size = int('size', o.size, 4);
      const frames = turntableRig(int('frames', o.frames, 1), size, { radius: num('radius', o.radius), fovDeg: num('fov', o.fov), elevationDeg: num('elevation', o.elevation) }).map((c) =>
        renderImage(model, recon, c, bg, 1),
      );
      await mkdir(resolve(o.out, '..'), { recursive: true });
      await writePng(resolve(o.out), hstack(frames));
      process.stderr.write(`tips lrm render: ${frames.length} frames → ${resolve(o.out)} (model trained ${String(info.steps ?? '?')} steps)\n`);
    } finally {
      recon.dispose();
    }
  } finally {
    model.dispose();
  }
}

export function registerLrm(program: Command): void {
  const lrm = program.command('lrm').description('Single-image-to-3D (LRM head on a TIPS image tower): data, train, eval, render');

  lrm
    .command('data')
    .description('Generate the built-in multi-view scenes (3D primitives ray-cast from cameras around them): train and eval splits')
    .option('--out <dir>', 'output folder (train.jsonl, eval.jsonl, PNGs)', BUILTIN_MULTIVIEW_DIR)
    .option('--train <n>', 'training scenes', '300')
    .option('--eval <n>', 'held-out scenes', '30')
    .option('--views <n>', 'views per scene', '6')
    .option('--size <px>', 'image side', '32')
    .option('--seed <n>', 'seed', '0')
    .action(async (o: DataCliOptions) => {
      const r = await generateBuiltin({ out: resolve(o.out), train: int('train', o.train, 1), eval: int('eval', o.eval, 1), views: int('views', o.views, 2), size: int('size', o.size, 4), seed: int('seed', o.seed, 0) });
      process.stdout.write(JSON.stringify(r) + '\n');
    });

  lrm
    .command('train')
    .description('Train the LRM head through the shared training loop; with no data given, on the built-in multi-view scenes; evaluates on the eval split at the end')
    .option('--data <dir>', `folder with train.jsonl (and eval.jsonl); generated when missing (default ${BUILTIN_MULTIVIEW_DIR})`)
    .option('--train <manifest>', 'training manifest (multi-view JSONL layout); overrides --data')
    .option('--eval <manifest>', 'held-out manifest evaluated at the end')
    .requiredOption('--out <dir>', 'run folder (checkpoints, metrics.jsonl, lrm.safetensors, eval.json, renders/)')
    .option('--encoder <checkpoint>', 'image tower: a `tips train` export, an official TIPS .npz or a TIPSv2 safetensors')
    .option('--random-encoder <preset>', "randomly initialised tower: 'tiny' (the tips train tiny tower) or S/B/L/So400m/g")
    .option('--encoder-seed <n>', 'seed of the random tower', '0')
    .option('--fine-tune', 'train the tower too (default: frozen)')
    .option('--preset <name>', 'LRM size: tiny (CPU, minutes) or small', 'tiny')
    .option('--set <key=value>', 'override an LRM config key, e.g. --set width=96 (repeatable)', collect)
    .option('--steps <n>', 'optimiser steps', '300')
    .option('--batch <n>', 'scenes per step', '4')
    .option('--rays <n>', 'random rays per target view', '128')
    .option('--target-views <n>', 'supervised views per scene', '2')
    .option('--lr <x>', 'peak learning rate (AdamW, warm-up + cosine)', '2e-3')
    .option('--warmup <n>', 'warm-up steps', '50')
    .option('--seed <n>', 'seed (head init, data order, ray sampling)', '0')
    .option('--checkpoint-every <n>', 'checkpoint every N steps', '100')
    .option('--eval-scenes <n>', 'evaluate only the first N held-out scenes')
    .option('--resume', 'continue from <out>/checkpoints/latest')
    .option('--no-progress', 'log lines instead of a progress bar')
    .action(async (o: TrainCliOptions, cmd: Command) => train(o, cmd.optsWithGlobals().tfBackend));

  lrm
    .command('eval')
    .description('PSNR and SSIM on held-out novel views (vs the mean-colour and background baselines); PNGs of renders and turntables')
    .requiredOption('--model <file>', 'lrm.safetensors written by tips lrm train')
    .requiredOption('--data <manifest>', 'multi-view manifest of held-out scenes')
    .option('--out <dir>', 'write eval.json and PNGs here')
    .option('--max-scenes <n>', 'evaluate only the first N scenes')
    .option('--source-view <n>', 'view used as the input image', '0')
    .option('--save-scenes <n>', 'scenes that get PNGs', '4')
    .action(async (o: EvalCliOptions, cmd: Command) => evaluate(o, cmd.optsWithGlobals().tfBackend));

  lrm
    .command('render')
    .description('Reconstruct one image and render a turntable strip (PNG)')
    .requiredOption('--model <file>', 'lrm.safetensors')
    .requiredOption('--image <file>', 'the input image (object centred, like the training views)')
    .option('--camera <json>', 'source camera {K, c2w} (OpenCV); default: the generator pose (azimuth 0, --source-elevation)')
    .requiredOption('--out <png>', 'output strip')
    .option('--frames <n>', 'turntable frames', '8')
    .option('--size <px>', 'frame side', '64')
    .option('--radius <r>', 'camera distance', '2.7')
    .option('--fov <deg>', 'horizontal field of view', '45')
    .option('--elevation <deg>', 'turntable elevation', '20')
    .option('--source-elevation <deg>', 'elevation of the default source camera', '20')
    .option('--background <r,g,b>', 'background colour in [0, 1]', '1,1,1')
    .action(async (o: RenderCliOptions, cmd: Command) => render(o, cmd.optsWithGlobals().tfBackend));
}
