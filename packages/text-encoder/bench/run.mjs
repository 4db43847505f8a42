// Benchmarks of @tips/text-encoder on the active backend (TIPS_BACKEND, default auto). Prints one
// JSON object on stdout; progress goes to stderr. Run after `npm run build`:
//   node bench/run.mjs [filter]      e.g. `node bench/run.mjs forward`
// Cases:
//   forward_S   text-tower forward, S preset (384/1536/6/12, vocab 32000), random weights, batch 8 × 64 tokens
//   tokenize    SentencePieceTokenizer.tokenize on the committed unigram test model, batches of 8 captions
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, Rng } from '@tips/runtime';
import { SentencePieceTokenizer, TextTransformer, textPreset } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const log = (msg) => process.stderr.write(`[text-encoder bench] ${msg}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const reps = Number(process.env.BENCH_REPS ?? 5);

const backend = await initBackend();
log(`backend ${backend.choice} (${backend.package})`);
const results = [];

if ('forward_S'.includes(filter) || filter === 'forward') {
  const B = 8;
  const L = 64;
  const cfg = textPreset('S');
  let t = performance.now();
  const model = TextTransformer.init(cfg, { seed: 0, trainable: false });
  const initMs = performance.now() - t;
  log(`S initialised (${model.parameterCount()} parameters) in ${initMs.toFixed(0)} ms`);
  const rng = new Rng(1);
  const ids = new Int32Array(B * L);
  const pads = new Float32Array(B * L);
  for (let b = 0; b < B; b++) {
    const len = 8 + rng.int(L - 7); // 8…64 real tokens per row
    for (let j = 0; j < L; j++) {
      if (j < len) ids[b * L + j] = 1 + rng.int(cfg.vocabSize - 1);
      else pads[b * L + j] = 1;
    }
  }
  const idsT = tf.tensor2d(ids, [B, L], 'int32');
  const padT = tf.tensor2d(pads, [B, L]);
  const times = [];
  for (let i = 0; i <= reps; i++) {
    t = performance.now();
    const out = model.forward(idsT, padT);
    await out.data();
    out.dispose();
    const ms = performance.now() - t;
    if (i > 0) times.push(ms); // the first run warms up (kernel compilation, allocation)
    log(`forward ${i === 0 ? 'warm-up' : `${i}/${reps}`}: ${ms.toFixed(1)} ms`);
  }
  const ms = median(times);
  // Matmul FLOPs per token and layer: qkv 6D², out 2D², MLP 4·D·M, attention 4·L·D.
  const D = cfg.hiddenSize;
  const flops = B * L * cfg.numLayers * (8 * D * D + 4 * D * cfg.mlpDim + 4 * L * D);
  results.push({
    name: 'forward_S',
    preset: 'S',
    batch: B,
    tokens: L,
    init_ms: Math.round(initMs),
    median_ms: Number(ms.toFixed(2)),
    min_ms: Number(Math.min(...times).toFixed(2)),
    texts_per_s: Number(((B * 1000) / ms).toFixed(2)),
    gflop_per_s: Number((flops / ms / 1e6).toFixed(2)),
    reps,
  });
  tf.dispose([idsT, padT]);
  model.dispose();
}

if ('tokenize'.includes(filter)) {
  const tok = SentencePieceTokenizer.fromBytes(readFileSync(join(here, '..', 'test-data', 'unigram.model')));
  const rng = new Rng(2);
  const words = ['a', 'photo', 'of', 'the', 'red', 'dog', 'sitting', 'on', 'wooden', 'table', 'near', 'City', 'Café', '12', 'bicycle,', 'street.'];
  const texts = Array.from({ length: 4000 }, () => Array.from({ length: 6 + rng.int(20) }, () => rng.pick(words)).join(' '));
  for (let i = 0; i < 200; i += 8) tok.tokenize(texts.slice(i, i + 8)); // warm-up
  const t = performance.now();
  for (let i = 0; i < texts.length; i += 8) tok.tokenize(texts.slice(i, i + 8));
  const ms = performance.now() - t;
  results.push({ name: 'tokenize', model: 'test-data/unigram.model', texts: texts.length, total_ms: Number(ms.toFixed(1)), texts_per_s: Math.round((texts.length * 1000) / ms) });
  log(`tokenize: ${texts.length} texts in ${ms.toFixed(0)} ms`);
}

process.stdout.write(
  JSON.stringify({
    package: '@tips/text-encoder',
    backend: backend.choice,
    tf_backend: tf.getBackend(),
    node: process.version,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    results,
  }) + '\n',
);
