// Benchmarks of @tips/vit-core on the active backend (TIPS_BACKEND, default auto): the image tower's
// forward pass for the S/14 preset at 224 and 448 (random weights in the official layout), latency
// at batch 1, images/s at batch 4, peak RSS. One JSON object on stdout; progress on stderr.
//   npm run bench -w @tips/vit-core [-- filter]     e.g. `-- 448`
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, describeBackend, Rng } from '@tips/runtime';
import { filterArg, matches, timeSteps, machineInfo, emit, log, peakRssMB } from '@tips/runtime/bench/lib';
import { VisionTransformer, vitPreset } from '../dist/index.js';

const filter = filterArg();
const steps = Number(process.env.BENCH_STEPS ?? 5);
const info = await initBackend();
const results = [];
for (const size of [224, 448]) {
  const name = `vit-forward-S-${size}`;
  if (!matches(filter, name, 'vit', 'forward', String(size))) continue;
  const cfg = { ...vitPreset('S'), posGrid: size / 14 };
  const model = VisionTransformer.init(cfg, { seed: 0, trainable: false });
  const rng = new Rng(1);
  const row = { name, preset: 'S', size, params: model.params.count() };
  for (const batch of [1, 4]) {
    const images = tf.tensor4d(rng.fill(new Float32Array(batch * size * size * 3), (r) => r.uniform()), [batch, size, size, 3]);
    const timing = await timeSteps(`${name} b${batch}`, async () => {
      const out = model.forward(images);
      await out.patches.data();
      tf.dispose([out.cls1, out.cls2, out.patches]);
    }, { warmup: 1, steps, tf });
    images.dispose();
    row[`batch${batch}`] = { ...timing, imagesPerSec: Math.round((1000 * batch * 100) / timing.msPerStep.median) / 100 };
  }
  row.latencyMs = row.batch1.msPerStep.median;
  row.imagesPerSec = row.batch4.imagesPerSec;
  log(`${name}: latency ${row.latencyMs} ms, ${row.imagesPerSec} images/s`);
  results.push(row);
  model.dispose();
}
emit({ package: '@tips/vit-core', backend: describeBackend(info), machine: machineInfo(), peakRssMB: Math.round(peakRssMB()), results });
