// Speed of the TIPS image tower: @tips/sdk on onnxruntime-node and on onnxruntime-web (wasm, in
// Node), side by side with the official PyTorch model (bench/torch_reference.py, Debian's torch with
// OpenBLAS) and our tfjs path (@tips/vit-core on the tfjs backend TIPS_BACKEND picks, wasm here).
// S/14 and B/14 at 224 and 448, random weights in the official layout. One JSON object on stdout,
// progress on stderr. Run after `npm run build -w @tips/sdk`:
//   node bench/run.mjs [filter]     filter matches "S/14@224 sdk-node" style names, e.g. B/14, 448, torch
// Env: BENCH_REPS (timed runs per cell, default 3), BENCH_BUDGET_S (seconds per cell before stopping
// early, default 30), BENCH_THREADS (threads of the native columns: onnxruntime-node and PyTorch;
// default 2 = this machine's cores), BENCH_WEB_THREADS (onnxruntime-web's wasm threads in Node,
// default 1: on this 2-core machine its worker threads ran slower than one thread),
// TIPS_OFFICIAL_REPO (git dir of google-deepmind/tips; default the local mirror), PYTHON (/usr/bin/python3).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { fileShape, initBackend, Rng } from '@tips/runtime';
import { vitParamSpecs, vitPreset, VisionTransformer } from '@tips/vit-core';
import { buildVisionGraph, TipsModel } from '../dist/index.js';

const filter = (process.argv[2] ?? '').toLowerCase();
const reps = Number(process.env.BENCH_REPS ?? 3);
const budgetS = Number(process.env.BENCH_BUDGET_S ?? 30);
const threads = Number(process.env.BENCH_THREADS ?? 2);
const webThreads = Number(process.env.BENCH_WEB_THREADS ?? 1);
const mirror = process.env.TIPS_OFFICIAL_REPO ?? '/work/.mirror/google-deepmind+tips/repo';
const python = process.env.PYTHON ?? '/usr/bin/python3';
const BATCH = { 224: 4, 448: 2 };
const log = (m) => process.stderr.write(`[sdk bench] ${m}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const wanted = (variant, size, column) => !filter || `${variant}/14@${size} ${column}`.toLowerCase().includes(filter);

/** Random weights in the official layout (Linear [out, in], Conv [D, 3, 14, 14]), seeded. */
function randomWeights(config) {
  const rng = Rng.derive(0, 'sdk-bench', config.embedDim);
  const weights = new Map();
  for (const spec of vitParamSpecs(config)) {
    const shape = fileShape(spec);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/norm\d?\.weight$|\.gamma$/.test(spec.name)) data.fill(1);
    else if (!/\.bias$/.test(spec.name)) rng.fill(data, (r) => r.normal(0, 0.02));
    weights.set(spec.name, { shape, data });
  }
  return weights;
}

/** Median ms of `fn` after one warm-up, at most `reps` runs or until the budget is spent. */
async function timed(fn, n = reps) {
  await fn();
  const times = [];
  const start = performance.now();
  while (times.length < n && (times.length === 0 || performance.now() - start < budgetS * 1000)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { ms: median(times), runs: times.map((t) => Math.round(t)) };
}

function pixelBatch(n, size) {
  const rng = new Rng(n * size);
  return Array.from({ length: n }, () => ({ pixels: rng.fill(new Float32Array(3 * size * size), (r) => r.uniform()), height: size, width: size }));
}

async function sdkColumn(column, variant, size, onnx) {
  const backend = column === 'sdk-node' ? 'node' : 'web';
  const t0 = performance.now();
  const model = await TipsModel.load({ vision: onnx, backend, threads: backend === 'node' ? threads : webThreads, batchSize: BATCH[size] });
  const loadMs = performance.now() - t0;
  try {
    const one = pixelBatch(1, size);
    const many = pixelBatch(BATCH[size], size);
    const lat = await timed(() => model.embedImage(one));
    const thr = await timed(() => model.embedImage(many));
    return { latency: lat, throughput: thr, extra: { session_load_ms: Math.round(loadMs), runtime: backend === 'node' ? `onnxruntime-node (CPU EP, ${threads} threads)` : `onnxruntime-web (wasm in Node, ${webThreads} thread${webThreads > 1 ? 's' : ''})` } };
  } finally {
    await model.dispose();
  }
}

async function tfjsColumn(config, size) {
  const model = VisionTransformer.init(config, { seed: 0, trainable: false, layerScaleInit: 1 });
  const run = async (b) => {
    const x = tf.randomUniform([b, size, size, 3]);
    const out = model.forward(x);
    await out.patches.data();
    tf.dispose([x, out.cls1, out.cls2, out.patches]);
  };
  try {
    // tfjs-wasm is single-threaded and slow: batch 1 only, two timed runs.
    const lat = await timed(() => run(1), Math.min(2, reps));
    return { latency: lat, throughput: { ms: lat.ms, runs: lat.runs, batch: 1 }, extra: { runtime: `tfjs ${tf.getBackend()}` } };
  } finally {
    model.dispose();
  }
}

function torchColumn(variant, size) {
  if (!existsSync(python)) return { skipped: `${python} not found` };
  if (!existsSync(mirror)) return { skipped: `official TIPS repository not found at ${mirror} (set TIPS_OFFICIAL_REPO)` };
  const spec = { cells: [{ variant, size, batch: BATCH[size] }], threads, reps, budget_s: budgetS, mirror };
  const r = spawnSync(python, [new URL('./torch_reference.py', import.meta.url).pathname], { input: JSON.stringify(spec), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    const why = /No module named 'torch'/.test(r.stderr) ? 'torch is not installed for ' + python : `torch_reference.py failed: ${r.stderr.trim().split('\n').pop()}`;
    return { skipped: why };
  }
  const out = JSON.parse(r.stdout);
  const c = out.results[0];
  return {
    latency: { ms: c.latency_ms, runs: c.runs.latency.map(Math.round) },
    throughput: { ms: c.throughput_ms, runs: c.runs.throughput.map(Math.round) },
    extra: { runtime: `official PyTorch ${out.torch} (${out.threads} threads, BLAS ${out.blas})` },
  };
}

const tfInfo = await initBackend({ backend: process.env.TIPS_BACKEND ?? 'auto' });
log(`tfjs backend ${tfInfo.choice}; ${cpus().length} CPUs (${cpus()[0]?.model}); load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const loadStart = loadavg();
const results = [];
const notes = [];
for (const variant of ['S', 'B']) {
  const config = { ...vitPreset(variant) };
  for (const size of [224, 448]) {
    const columns = ['sdk-node', 'sdk-web', 'torch', 'tfjs'].filter((c) => wanted(variant, size, c));
    if (columns.length === 0) continue;
    let onnx = null;
    if (columns.some((c) => c.startsWith('sdk'))) {
      const t = performance.now();
      onnx = buildVisionGraph(randomWeights(config), config, { height: size, width: size });
      log(`${variant}/14@${size}: exported ${(onnx.length / 1048576).toFixed(0)} MB of ONNX in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    for (const column of columns) {
      log(`${variant}/14@${size} ${column} ...`);
      let r;
      try {
        r = column === 'torch' ? torchColumn(variant, size) : column === 'tfjs' ? await tfjsColumn(config, size) : await sdkColumn(column, variant, size, onnx);
      } catch (e) {
        r = { skipped: `failed: ${e.message}` };
      }
      if (r.skipped) {
        log(`  skipped: ${r.skipped}`);
        notes.push(`${variant}/14@${size} ${column} skipped: ${r.skipped}`);
        results.push({ model: `${variant}/14`, size, column, skipped: r.skipped });
        continue;
      }
      const batch = r.throughput.batch ?? BATCH[size];
      const row = {
        model: `${variant}/14`,
        size,
        column,
        latency_ms: Math.round(r.latency.ms),
        throughput_batch: batch,
        images_per_s: Number(((batch * 1000) / r.throughput.ms).toFixed(3)),
        runs_ms: { latency: r.latency.runs, throughput: r.throughput.runs },
        ...r.extra,
      };
      log(`  batch 1: ${row.latency_ms} ms; batch ${batch}: ${row.images_per_s} images/s`);
      results.push(row);
    }
  }
}

const ratios = [];
for (const model of ['S/14', 'B/14']) {
  for (const size of [224, 448]) {
    const ips = (c) => results.find((r) => r.model === model && r.size === size && r.column === c && !r.skipped)?.images_per_s;
    const ratio = (a, b) => (ips(a) && ips(b) ? Number((ips(a) / ips(b)).toFixed(2)) : null);
    if (!results.some((r) => r.model === model && r.size === size)) continue;
    ratios.push({
      model,
      size,
      'sdk-node/torch': ratio('sdk-node', 'torch'),
      'sdk-web/torch': ratio('sdk-web', 'torch'),
      'sdk-node/tfjs': ratio('sdk-node', 'tfjs'),
      'sdk-web/tfjs': ratio('sdk-web', 'tfjs'),
    });
  }
}

process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: '@tips/sdk image tower (images/s: higher is better; ratios > 1 mean the SDK is faster)',
      command: `node bench/run.mjs${filter ? ` ${filter}` : ''}`,
      date: new Date().toISOString(),
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, load_average_start: loadStart.map((x) => Number(x.toFixed(2))), load_average_end: loadavg().map((x) => Number(x.toFixed(2))) },
      settings: { reps, budget_s: budgetS, threads, web_threads: webThreads, batch: BATCH, weights: 'random, official layout, seeded', input: 'float pixels at the model size (no decoding)' },
      results,
      ratios,
      notes,
    },
    null,
    1,
  )}\n`,
);
