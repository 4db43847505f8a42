// @tips/lrm-head benchmarks. `npm run bench -w @tips/lrm-head [-- filter]` prints one JSON object on stdout
// (progress on stderr). Cases (the filter word picks them by substring):
//   sampler   triplane bilinear sampling, forward + backward, 24 576 points, 'js' vs 'ops' path
//   render    full-image volume rendering (tiny preset, 24 samples/ray): rays/s at 32² and 64²
//   train     LRM training step through @tips/trainer (tiny preset, frozen tiny tower, B=4, 2×128 rays): ms/step
//   multiview multi-view scene generation (6 views, 32²): scenes/s
// The machine may be shared: the 1-minute load average is recorded with each case.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, describeBackend } from '@tips/runtime';
import { generateMultiviewScenes, intrinsicsFromFov, lookAt } from '@tips/data';
import { TINY, train, visionConfigOf } from '@tips/trainer';
import { VisionTransformer } from '@tips/vit-core';
import {
  LrmDataSource, LrmHead, LrmModel, LrmTrainable, MultiviewSet, Reconstruction, lrmConfig, planeResolution, renderImage, sampleTriplanes, triplaneTaps,
} from '@tips/lrm-head';

const filter = process.argv[2] ?? '';
const want = (name) => name.includes(filter);
const log = (...a) => process.stderr.write(a.join(' ') + '\n');
const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeIt(fn, reps) {
  fn(); // warm-up
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return { medianMs: round(median(ts)), minMs: round(Math.min(...ts)), reps };
}

await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
const out = { package: '@tips/lrm-head', backend: describeBackend?.() ?? tf.getBackend(), node: process.version, results: {} };
const tower = () => VisionTransformer.init(visionConfigOf(TINY), { seed: 0, trainable: false });
const cfg = lrmConfig('tiny', visionConfigOf(TINY).embedDim);

if (want('sampler')) {
  const R = planeResolution(cfg);
  const planes = tf.variable(tf.randomNormal([1, 3, R, R, cfg.planeChannels]));
  const P = 24576;
  const pts = Float32Array.from({ length: P * 3 }, () => Math.random() * 2 - 1);
  const taps = triplaneTaps(pts, () => 0, R, 1);
  const res = {};
  for (const mode of ['js', 'ops']) {
    res[mode] = timeIt(() => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(sampleTriplanes(planes, taps, mode)), [planes]);
      value.dataSync();
      Object.values(grads)[0].dataSync();
    }), 10);
    log('sampler', mode, JSON.stringify(res[mode]));
  }
  planes.dispose();
  out.results.sampler = { points: P, planeResolution: R, channels: cfg.planeChannels, ...res, load1: round(loadavg()[0]) };
}

if (want('render')) {
  const model = new LrmModel(cfg, tower(), LrmHead.init(cfg, 0));
  const R = planeResolution(cfg);
  const planes = tf.randomNormal([1, 3, R, R, cfg.planeChannels]);
  const recon = new Reconstruction(planes);
  const res = {};
  for (const size of [32, 64]) {
    const cam = { width: size, height: size, K: intrinsicsFromFov(45, size, size), c2w: lookAt([0, 1, 2.5], [0, 0, 0]) };
    const t = timeIt(() => renderImage(model, recon, cam, [1, 1, 1], 1), 5);
    res[`${size}x${size}`] = { ...t, raysPerSec: Math.round((size * size) / (t.medianMs / 1000)) };
    log('render', size, JSON.stringify(res[`${size}x${size}`]));
  }
  planes.dispose();
  model.dispose();
  out.results.render = { samplesPerRay: cfg.samplesPerRay, ...res, load1: round(loadavg()[0]) };
}

let dataDir = null;
if (want('multiview') || want('train')) {
  dataDir = mkdtempSync(join(tmpdir(), 'lrm-bench-'));
  const t = performance.now();
  await generateMultiviewScenes({ out: dataDir, count: 100, views: 6, size: 32, seed: 0 });
  const s = (performance.now() - t) / 1000;
  log('multiview', `100 scenes in ${round(s)} s`);
  if (want('multiview')) out.results.multiview = { scenes: 100, views: 6, size: 32, seconds: round(s), scenesPerSec: round(100 / s, 1), load1: round(loadavg()[0]) };
}

if (want('train')) {
  const set = await MultiviewSet.load(join(dataDir, 'train.jsonl'));
  const model = new LrmModel(cfg, tower(), LrmHead.init(cfg, 0));
  const ms = [];
  await train({
    trainable: new LrmTrainable(model),
    data: new LrmDataSource(set, { batchSize: 4, targetViews: 2, raysPerView: 128, seed: 0 }),
    steps: 12, outDir: join(dataDir, 'run'), lr: { peak: 1e-3 }, progress: false, checkpointEvery: 0,
    onStep: (r) => ms.push(r.msPerStep),
  });
  model.dispose();
  const steady = ms.slice(2);
  out.results.train = { batch: 4, raysPerStep: 4 * 2 * 128, samplesPerRay: cfg.samplesPerRay, medianMsPerStep: round(median(steady)), minMsPerStep: round(Math.min(...steady)), steps: steady.length, load1: round(loadavg()[0]) };
  log('train', JSON.stringify(out.results.train));
}
if (dataDir) rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(JSON.stringify(out) + '\n');
