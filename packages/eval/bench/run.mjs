// Benchmarks of @tips/eval on the active backend (TIPS_BACKEND, default auto → wasm here). Prints one
// JSON object on stdout; progress goes to stderr. Run after `npm run build`:
//   node bench/run.mjs [filter]      e.g. `node bench/run.mjs probe`
// Cases (ViT-S width 384, 224×224 inputs → a 16×16 patch grid, random weights):
//   extract_S224             feature extraction with the frozen ViT-S image tower: images/s
//   extract_S224_values      the same plus the MaskCLIP values patches (zero-shot segmentation)
//   probe_seg_step           one training step of the linear segmentation probe (9 classes, batch 16,
//                            targets 64×64 = 4 px per patch side): ms/step and images/s
//   probe_depth_step         one step of the 256-bin linear depth probe (×4 upsampling, SigLoss)
//   probe_linear_step        one step of the linear classifier on CLS (8 classes)
//   knn_1000x200             DINO kNN: 200 test × 1000 train CLS embeddings, k 20
//   zsseg_image              zero-shot segmentation of one image (9 classes, 16×16 → 224×224)
//   report_figures           the PNG figures and markdown of a report (4 sample images)
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@tips/runtime';
import { VisionTransformer, vitPreset } from '@tips/vit-core';
import {
  extractFeatures, LinearSegHead, DepthBinsHead, LinearClassifierHead, knnClassify, zeroShotSegment, featureBatch, disposeFeatures,
  writeReport, pcaRgb,
} from '../dist/index.js';

const filter = process.argv[2] ?? '';
const log = (msg) => process.stderr.write(`[eval bench] ${msg}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const reps = Number(process.env.BENCH_REPS ?? 5);
const backend = await initBackend();
log(`backend ${backend.choice} (${backend.package})`);
const results = [];
const want = (name) => !filter || name.includes(filter);

async function time(name, extra, fn, n = reps) {
  if (!want(name)) return;
  const times = [];
  const cpu = [];
  for (let i = 0; i <= n; i++) {
    const before = tf.memory().numTensors;
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    const ms = performance.now() - t;
    const cpuMs = (process.cpuUsage(c).user + process.cpuUsage(c).system) / 1000;
    if (tf.memory().numTensors !== before) throw new Error(`${name}: ${tf.memory().numTensors - before} tensors leaked`);
    if (i > 0) {
      times.push(ms);
      cpu.push(cpuMs);
    }
    log(`${name} ${i === 0 ? 'warm-up' : `${i}/${n}`}: ${ms.toFixed(1)} ms`);
  }
  const ms = median(times);
  const r = { name, ms: Number(ms.toFixed(2)), cpuMs: Number(median(cpu).toFixed(2)), reps: n, ...extra };
  if (extra.images) r.imagesPerSec = Number(((1000 * extra.images) / ms).toFixed(2));
  results.push(r);
}

const rng = new Rng(1);
const randArray = (n) => new Float32Array(n).map(() => rng.normal());
const S = 224;
const D = 384;
const grid = [16, 16];
const N = 256;

if (want('extract')) {
  const vit = VisionTransformer.init(vitPreset('S'), { seed: 0, layerScaleInit: 1 });
  const B = 4;
  const pixels = new Float32Array(B * S * S * 3).map(() => rng.uniform());
  const images = { count: B, size: [S, S], load: async (idx) => pixels.subarray(0, idx.length * S * S * 3) };
  await time('extract_S224', { images: B, batch: B }, () => extractFeatures(vit, images, { batchSize: B }), 3);
  await time('extract_S224_values', { images: B, batch: B }, () => extractFeatures(vit, images, { batchSize: B, valuePatches: true }), 3);
  vit.dispose();
}

const B = 16;
const set = { count: B, dim: D, grid, cls1: randArray(B * D), cls2: randArray(B * D), patches: randArray(B * N * D) };
async function probeStep(name, head, target, extra) {
  const vars = [...head.params.variables().values()];
  await time(name, { images: B, batch: B, ...extra }, () => {
    const f = featureBatch(set, [...Array(B).keys()]);
    const { value, grads } = tf.variableGrads(() => head.loss(head.forward(f, { training: true }), target), vars);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
    disposeFeatures(f);
  });
}
if (want('probe_seg')) {
  const head = LinearSegHead.create({ embedDim: D, numClasses: 9 });
  const labels = tf.tensor3d(Int32Array.from({ length: B * 64 * 64 }, () => rng.int(9)), [B, 64, 64], 'int32');
  await probeStep('probe_seg_step', head, { labels }, { target: '64x64', classes: 9 });
  labels.dispose();
}
if (want('probe_depth')) {
  const head = DepthBinsHead.create({ embedDim: D, maxDepth: 12 });
  const depth = tf.tensor3d(Float32Array.from({ length: B * 64 * 64 }, () => 1 + 10 * rng.uniform()), [B, 64, 64]);
  await probeStep('probe_depth_step', head, { depth }, { target: '64x64', bins: 256 });
  depth.dispose();
}
if (want('probe_linear')) {
  const head = LinearClassifierHead.create({ embedDim: D, numClasses: 8 });
  const labels = tf.tensor1d(Int32Array.from({ length: B }, () => rng.int(8)), 'int32');
  await probeStep('probe_linear_step', head, { labels }, { classes: 8 });
  labels.dispose();
}
if (want('knn')) {
  const train = randArray(1000 * D);
  const labels = Int32Array.from({ length: 1000 }, () => rng.int(8));
  const test = randArray(200 * D);
  await time('knn_1000x200', { train: 1000, test: 200 }, () => knnClassify(train, labels, test, D, 8));
}
if (want('zsseg')) {
  const patches = randArray(N * D);
  const cls = randArray(9 * D);
  await time('zsseg_image', { images: 1 }, () => zeroShotSegment(patches, grid, cls, D, [S, S]));
}
if (want('report')) {
  const dir = mkdtempSync(join(tmpdir(), 'eval-bench-report-'));
  const k = 4;
  const img = () => Uint8Array.from({ length: S * S * 3 }, () => rng.int(256));
  const mask = () => Uint8Array.from({ length: S * S }, () => rng.int(9));
  const depth = () => Float32Array.from({ length: S * S }, () => 1 + 10 * rng.uniform());
  const pca = pcaRgb(randArray(k * N * D), D);
  const figures = { ids: ['a', 'b', 'c', 'd'], size: [S, S], grid, images: [...Array(k)].map(img), pca: [...Array(k)].map((_, i) => pca.subarray(i * N * 3, (i + 1) * N * 3)), masks: [...Array(k)].map(mask), depth: [...Array(k)].map(depth) };
  const probe = { steps: 100, finalLoss: 1, losses: [...Array(100)].map((_, i) => 2 / (i + 1)), seconds: 1, headPath: null };
  const iou = { background: 0.5, circle: 0.3 };
  const results = { seg: { miou: 0.4, pixelAccuracy: 0.8, iou, probe, predictions: [...Array(k)].map(mask) }, depth: { rmse: 1, absRel: 0.1, delta1: 0.8, delta2: 0.9, delta3: 0.95, images: 4, range: [0.001, 12], probe, predictions: [...Array(k)].map(depth) } };
  const report = { format: 'tips-ts.eval-report', version: 1, createdAt: new Date().toISOString(), seconds: 0, backend: 'bench', model: { vision: { embedDim: D, depth: 12, heads: 6, patchSize: 14, parameters: 0 }, text: null }, data: { imageSize: [S, S], test: { manifest: 'bench', images: 4 }, train: null }, settings: { tasks: ['seg', 'depth'], embedding: 'cls1', captions: 'all', probe: {}, knn: { k: 20, temperature: 0.07 }, depth: { readout: 'linear', bins: 256, upsample: 4 } }, headline: {}, metrics: results, skipped: [], timings: {}, files: [] };
  await time('report_figures', { figures: 5 }, () => writeReport(dir, report, results, figures), 3);
}
process.stdout.write(`${JSON.stringify({ package: '@tips/eval', backend: backend.choice, machine: { cpus: (await import('node:os')).cpus().length }, results }, null, 2)}\n`);
