#!/usr/bin/env node
// Can the tiny image tower learn the built-in scenes' scene label at all within a budget? Trains the
// `tiny` preset's image tower SUPERVISED (fine-tuned tower + linear head on cls1, the shared training
// loop) on the label, then reports held-out top-1 and the training-loss curve. An upper bound for what
// a `tips train --preset tiny` run of the same length can put into its features. `--label brightness`
// is the control: a label linear in the pixels (mean-brightness octile), which any working set-up learns.
//
//   node scripts/shape-learnability.mjs [--steps 300] [--lr 1e-3] [--size 84] [--label shape|brightness]
//                                      [--objects 1-4] [--perspective]   (scene variants; default: the tiny preset's scenes)
// Results: appended to runs/learnability.jsonl.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tips/runtime';
import { VisionTransformer } from '@tips/vit-core';
import { HeadTrainable, train, resolveTipsConfig, resolveTipsData, visionConfigOf, towerInitOf } from '@tips/trainer';
import { openEvalSplit, splitImages, LinearClassifierHead } from '@tips/eval';
import { generateScenes } from '@tips/data';

const { values: a } = parseArgs({ options: { steps: { type: 'string', default: '300' }, lr: { type: 'string', default: '1e-3' }, size: { type: 'string', default: '84' }, label: { type: 'string', default: 'shape' }, batch: { type: 'string', default: '32' }, objects: { type: 'string' }, perspective: { type: 'boolean', default: false } } });
const [steps, lr, S, B] = [Number(a.steps), Number(a.lr), Number(a.size), Number(a.batch)];
if (!['shape', 'brightness'].includes(a.label)) throw new Error(`--label must be shape or brightness, got '${a.label}'`);
await initBackend();
const config = resolveTipsConfig({ preset: 'tiny' });
let data;
if (a.objects || a.perspective) {
  const objects = (a.objects ?? '1-4').split('-').map(Number);
  const b = config.data.builtin;
  const dir = `${b.cache}/learnability-${b.size}px-${objects.join('-')}${a.perspective ? '-perspective' : ''}`;
  const common = { out: dir, seed: b.seed, width: b.size, height: b.size, objects, perspective: a.perspective };
  data = { train: (await generateScenes({ ...common, count: b.count, split: 'train' })).manifest, eval: (await generateScenes({ ...common, count: b.evalCount, split: 'eval' })).manifest };
} else data = await resolveTipsData(config);

const brightnessOctile = (px) => {
  let m = 0;
  for (const v of px) m += v;
  return Math.max(0, Math.min(7, Math.floor(((m / px.length - 0.2) / 0.5) * 8)));
};
async function load(manifest) {
  const split = await openEvalSplit(manifest);
  const n = split.records.length;
  const images = await splitImages(split, [S, S]).load([...Array(n).keys()]);
  const per = S * S * 3;
  const labels = a.label === 'shape' ? Int32Array.from(split.records.map((r) => r.label)) : Int32Array.from({ length: n }, (_, i) => brightnessOctile(images.subarray(i * per, (i + 1) * per)));
  return { n, images, labels, per };
}
const tr = await load(data.train);
const te = await load(data.eval);

const vcfg = { ...visionConfigOf(config), posGrid: S / 14 };
const encoder = VisionTransformer.init(vcfg, towerInitOf(config).vision);
const head = LinearClassifierHead.create({ embedDim: vcfg.embedDim, numClasses: 8 }, 0);
const source = {
  imagesPerBatch: B,
  async *batches(from) {
    for (let index = from?.index ?? 0; ; ) {
      const idx = Array.from({ length: B }, (_, k) => ((index + k) * 7919) % tr.n); // a fixed permutation (7919 is prime)
      index += B;
      const im = new Float32Array(B * tr.per);
      idx.forEach((i, k) => im.set(tr.images.subarray(i * tr.per, (i + 1) * tr.per), k * tr.per));
      yield { batch: { images: tf.tensor4d(im, [B, S, S, 3]), target: { labels: tf.tensor1d(Int32Array.from(idx.map((i) => tr.labels[i])), 'int32') } }, next: { index } };
    }
  },
  release: (b) => tf.dispose([b.images, b.target.labels]),
};
const variant = a.objects || a.perspective ? `-objects${a.objects ?? '1-4'}${a.perspective ? '-perspective' : ''}` : '';
const out = `runs/learnability/${a.label}${variant}-${S}px-${steps}-${lr}`;
const t0 = Date.now();
await train({ trainable: new HeadTrainable(encoder, head, { fineTune: true }), data: source, steps, outDir: out, lr: { peak: lr, warmup: Math.ceil(steps / 10) }, progress: true, label: 'supervised' });
let correct = 0;
for (let i = 0; i < te.n; i += 50) {
  const n = Math.min(50, te.n - i);
  const pred = tf.tidy(() => tf.argMax(head.forward(encoder.forward(tf.tensor4d(te.images.subarray(i * te.per, (i + n) * te.per), [n, S, S, 3]))), -1).dataSync());
  for (let k = 0; k < n; k++) correct += pred[k] === te.labels[i + k] ? 1 : 0;
}
const prior = Math.max(...Array.from({ length: 8 }, (_, c) => te.labels.filter((x) => x === c).length)) / te.n;
const losses = readFileSync(`${out}/metrics.jsonl`, 'utf8').split('\n').filter((l) => l.includes('"loss"')).map((l) => JSON.parse(l).loss);
const window = Math.max(1, Math.round(steps / 10));
const curve = Array.from({ length: Math.ceil(losses.length / window) }, (_, k) => { const w = losses.slice(k * window, (k + 1) * window); return +(w.reduce((s, x) => s + x, 0) / w.length).toFixed(3); });
const result = { label: a.label, scenes: variant.slice(1) || 'tiny preset', size: S, steps, lr, batch: B, heldOutTop1: correct / te.n, majorityClass: prior, lossCurve: curve, seconds: (Date.now() - t0) / 1000 };
mkdirSync('runs', { recursive: true });
appendFileSync('runs/learnability.jsonl', JSON.stringify(result) + '\n');
console.log(JSON.stringify(result));
