// Benchmarks of @tips/losses on the active backend (TIPS_BACKEND, default auto → wasm here). Prints one
// JSON object on stdout; progress goes to stderr. Run after `npm run build`:
//   node bench/run.mjs [filter]      e.g. `node bench/run.mjs clip`
// Each case times forward + backward (tf.grads w.r.t. the inputs, or tf.variableGrads for the head),
// median of BENCH_REPS (default 5) runs after one warm-up. Cases:
//   clip_B256_D768        clipLoss, 256 pairs of ViT-B-width embeddings, scale 1/0.07
//   siglip_B256_D768      sigLipLoss, same inputs
//   clip_B4096_D64        clipLoss at the largest batch the issue asks for (small width)
//   dino_head_S_K16384    DinoHead(384 → 2048 → 2048 → 256 → 16384 prototypes), 64 rows
//   matmul_grad_fast / matmul_grad_default   [64,256]·[256,16384] with its gradients: matMulFast
//                         (explicit transposes on wasm) vs tf.matMul's default transposed-operand gradient
//   dino_loss_6x64_K16384 dinoLoss, 6 local crops × 64 images against one teacher crop
//   ibot_loss_16x256_K4096 ibotLoss (iBOT++ weight 0.5), 16 images × 256 patches
//   sinkhorn_1024_K16384  sinkhornKnopp, 3 iterations (forward only)
//   mask_256x256          randomPatchMask, 256 images × 256 patches (plain JS)
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tips/runtime';
import {
  clipLoss,
  sigLipLoss,
  DinoHead,
  dinoLoss,
  ibotLoss,
  sinkhornKnopp,
  randomPatchMask,
  randomPatchMaskTensor,
  matMulFast,
} from '../dist/index.js';

const filter = process.argv[2] ?? '';
const log = (msg) => process.stderr.write(`[losses bench] ${msg}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const reps = Number(process.env.BENCH_REPS ?? 5);

const backend = await initBackend();
log(`backend ${backend.choice} (${backend.package})`);
const results = [];

async function time(name, extra, fn) {
  if (filter && !name.includes(filter)) return;
  const times = [];
  for (let i = 0; i <= reps; i++) {
    const before = tf.memory().numTensors;
    const t = performance.now();
    const out = fn();
    const list = Array.isArray(out) ? out : out instanceof tf.Tensor ? [out] : Object.values(out ?? {});
    for (const o of list) if (o instanceof tf.Tensor) await o.data();
    const ms = performance.now() - t;
    tf.dispose(list.filter((o) => o instanceof tf.Tensor));
    if (tf.memory().numTensors !== before) throw new Error(`${name}: ${tf.memory().numTensors - before} tensors leaked`);
    if (i > 0) times.push(ms);
    log(`${name} ${i === 0 ? 'warm-up' : `${i}/${reps}`}: ${ms.toFixed(1)} ms`);
  }
  results.push({ name, ms: Number(median(times).toFixed(2)), reps, ...extra });
}

const randn = (shape, seed, std = 1) => tf.randomNormal(shape, 0, std, 'float32', seed);

{
  const [img, txt] = [randn([256, 768], 1), randn([256, 768], 2)];
  await time('clip_B256_D768', { batch: 256, dim: 768 }, () => tf.grads((a, b) => clipLoss(a, b, { logitScale: 1 / 0.07 }))([img, txt]));
  await time('siglip_B256_D768', { batch: 256, dim: 768 }, () => tf.grads((a, b) => sigLipLoss(a, b, { logitScale: 10, logitBias: -10 }))([img, txt]));
  tf.dispose([img, txt]);
}
{
  const [img, txt] = [randn([4096, 64], 3), randn([4096, 64], 4)];
  await time('clip_B4096_D64', { batch: 4096, dim: 64 }, () => tf.grads((a, b) => clipLoss(a, b, { logitScale: 100 }))([img, txt]));
  tf.dispose([img, txt]);
}
if (!filter || 'dino_head_S_K16384'.includes(filter) || 'matmul_grad'.includes(filter) || filter.startsWith('matmul')) {
  const head = new DinoHead({ inDim: 384, outDim: 16384, seed: 0 });
  const x = randn([64, 384], 5);
  await time('dino_head_S_K16384', { rows: 64, inDim: 384, hidden: 2048, bottleneck: 256, prototypes: 16384 }, () => {
    const { value, grads } = tf.variableGrads(() => tf.mean(head.apply(x)), head.trainableVariables());
    return [value, ...Object.values(grads)];
  });
  head.dispose();
  const [a, w] = [randn([64, 256], 6), randn([256, 16384], 7)];
  const flops = 3 * 2 * 64 * 256 * 16384;
  await time('matmul_grad_fast', { gflop: flops / 1e9 }, () => tf.grads((p, q) => tf.mean(matMulFast(p, q)))([a, w]));
  await time('matmul_grad_default', { gflop: flops / 1e9 }, () => tf.grads((p, q) => tf.mean(tf.matMul(p, q)))([a, w]));
  tf.dispose([x, a, w]);
}
{
  const s = randn([6, 64, 16384], 8);
  const t = tf.softmax(randn([64, 16384], 9));
  await time('dino_loss_6x64_K16384', { crops: 6, batch: 64, prototypes: 16384 }, () => tf.grads((v) => dinoLoss(v, t))([s]));
  const big = tf.tile(t, [16, 1]);
  await time('sinkhorn_1024_K16384', { samples: 1024, prototypes: 16384 }, () => sinkhornKnopp(big, 0.07));
  tf.dispose([s, t, big]);
}
{
  const s = randn([16, 256, 4096], 10);
  const t = tf.softmax(randn([16, 256, 4096], 11));
  const m = randomPatchMaskTensor({ batch: 16, numPatches: 256, seed: 1 });
  await time('ibot_loss_16x256_K4096', { batch: 16, patches: 256, prototypes: 4096 }, () => tf.grads((v) => ibotLoss(v, t, m, { visibleWeight: 0.5 }))([s]));
  tf.dispose([s, t, m]);
}
await time('mask_256x256', { batch: 256, patches: 256 }, () => {
  randomPatchMask({ batch: 256, numPatches: 256, seed: 2 });
  return [];
});

process.stdout.write(`${JSON.stringify({ package: '@tips/losses', backend: backend.choice, cases: results })}\n`);
