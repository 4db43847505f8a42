// @tips/runtime benchmarks: `npm run bench -w @tips/runtime [-- filter]` prints one JSON object.
//   train-block: one pre-LN transformer block (B=8, T=65, D=384, H=6) forward + backward + Adam:
//     stock   tfjs wasm with tfjs's own gradients (ops path 'reference'), one thread;
//     fast    our ops (hand-written backward passes, plain matmuls only), one thread;
//     parallel our ops, data-parallel over os.availableParallelism() workers (DataParallelPool,
//             sharded Adam in the workers);
//     torch   block_step.py: PyTorch (Debian python3-torch, OpenBLAS), torch.set_num_threads(2),
//             same initial weights and data (the first losses agree), skipped if torch is missing.
//   ops: per-op forward+backward timings of the layer ops, stock vs fast.
//   profile: tfjs kernel profile (tf.profile) of one block training step, stock and fast.
// Variants run in separate child processes, alternating over two passes (see compareVariants).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVariants, emit, filterArg, log, machineInfo, matches, profileKernels, round, runChildIfAsked, timeSteps } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const BLOCK = { B: 8, T: 65, D: 384, heads: 6, lr: 1e-4 };

async function blockChild(variant, opts) {
  const tf = await import('@tensorflow/tfjs-core');
  const rt = await import('@tips/runtime');
  const { blockInit, makeBlockTrainer } = await import('./block.mjs');
  await rt.initBackend({ backend: 'wasm' });
  const { B, T, D, heads, lr } = BLOCK;
  const losses = [];
  const extra = {};
  let step;
  let cleanup;
  if (variant === 'stock' || variant === 'fast') {
    rt.setOpsPath(variant === 'stock' ? 'reference' : 'fast');
    const trainer = makeBlockTrainer({ B, T, D, heads, lr });
    step = () => losses.push(trainer.step());
    cleanup = async () => trainer.dispose();
  } else {
    rt.setOpsPath('fast');
    const workers = opts.workers ?? availableParallelism();
    const init = blockInit(D);
    const { x, target } = makeBlockTrainer.data({ B, T, D });
    const pool = await rt.DataParallelPool.create({
      module: join(HERE, 'block-worker.mjs'),
      params: Object.entries(init).map(([name, { shape }]) => ({ name, shape })),
      workers,
      init: { heads, lr, eps: 1e-7 }, // tf.train.adam's epsilon on wasm, as the single-thread variants
    });
    pool.setWeights(Object.fromEntries(Object.entries(init).map(([n, v]) => [n, v.data])));
    const shards = rt.shardRanges(B, workers).map(([a, b]) => ({ x: x.slice(a * T * D, b * T * D), target: target.slice(a * T * D, b * T * D), rows: b - a, T, D }));
    extra.workers = workers;
    extra.computeMsPerWorker = [];
    step = async () => {
      const r = await pool.step(shards, { update: true });
      const total = r.shardWeights.reduce((a, b) => a + b, 0);
      losses.push(r.metrics.reduce((a, m, i) => a + m.loss * r.shardWeights[i], 0) / total);
      extra.computeMsPerWorker.push(r.timings.compute.map((v) => round(v, 0)));
      (extra.reduceAndUpdateMs ??= []).push(round(r.timings.reduce, 1));
      extra.workerTensors = r.metrics.map((m) => m.tensors);
    };
    cleanup = () => pool.close();
  }
  const res = await timeSteps(`block ${variant}`, step, { warmup: opts.warmup, steps: opts.steps, tf });
  await cleanup();
  return { ...res, ...extra, firstLoss: losses[0], lastLoss: losses[losses.length - 1] };
}

async function benchBlock() {
  const { B, T, D, heads } = BLOCK;
  const dir = mkdtempSync(join(tmpdir(), 'tips-bench-'));
  try {
    // Both sides start from the same weights and data: an npz the PyTorch script reads.
    const rt = await import('@tips/runtime');
    const { blockInit, makeBlockTrainer } = await import('./block.mjs');
    const npz = join(dir, 'block.npz');
    const tensors = Object.fromEntries(Object.entries(blockInit(D)).map(([n, v]) => [n, { dtype: 'float32', shape: v.shape, data: v.data }]));
    const { x, target } = makeBlockTrainer.data({ B, T, D });
    tensors.x = { dtype: 'float32', shape: [B, T, D], data: x };
    tensors.target = { dtype: 'float32', shape: [B, T, D], data: target };
    await rt.writeNpz(npz, tensors);
    const cmp = compareVariants({
      script: import.meta.url,
      variants: { stock: { warmup: 1, steps: 2 }, fast: { warmup: 1, steps: 12 }, parallel: { warmup: 1, steps: 12 } },
      passes: 2,
      torch: { script: join(HERE, 'block_step.py'), args: { npz, heads, threads: 2, warmup: 2, steps: 10 } },
    });
    const { runs } = cmp;
    const mem = (r) => ({ peakRssMB: r.rssMB.peakProcess, rssMaxFirstThirdMB: r.rssMB.maxFirstThird, rssMaxLastThirdMB: r.rssMB.maxLastThird, rssGrowthMBPerStep: r.rssMB.growthPerStep ?? null, rssAfterEachStepMB: r.rssMB.afterEachStep, tensors: r.tensors ?? null });
    return {
      config: { ...BLOCK, mlp: 4 * D, step: 'forward + backward (MSE loss) + Adam', torchThreads: 2, workers: runs.parallel?.[0]?.workers },
      summary: cmp.summary,
      ratios: {
        stockOverTorch: cmp.ratio('stock', 'torch'),
        fastOverTorch: cmp.ratio('fast', 'torch'),
        parallelOverTorch: cmp.ratio('parallel', 'torch'),
        stockOverFast: cmp.ratio('stock', 'fast'),
        stockOverParallel: cmp.ratio('stock', 'parallel'),
      },
      // The same ratios from the busiest thread's CPU time per step: what an idle machine gives.
      idleMachineRatios: {
        stockOverTorch: cmp.ratio('stock', 'torch', 'busiestThreadCpuMs'),
        fastOverTorch: cmp.ratio('fast', 'torch', 'busiestThreadCpuMs'),
        parallelOverTorch: cmp.ratio('parallel', 'torch', 'busiestThreadCpuMs'),
        stockOverParallel: cmp.ratio('stock', 'parallel', 'busiestThreadCpuMs'),
        fastOverParallel: cmp.ratio('fast', 'parallel', 'busiestThreadCpuMs'),
      },
      torch: cmp.torchSkipped ? { skipped: cmp.torchSkipped } : { version: runs.torch[0].torch, blas: runs.torch[0].blas, threads: runs.torch[0].threads },
      firstLoss: Object.fromEntries(Object.entries(runs).map(([v, rs]) => [v, rs[0].firstLoss])),
      memory: Object.fromEntries(Object.entries(runs).map(([v, rs]) => [v, rs.map(mem)])),
      parallelComputeMsPerWorker: runs.parallel?.map((r) => r.computeMsPerWorker),
      note: 'medianMs (wall) reflects the CPU share a busy shared machine gives each process (Linux autogroup fair share); cpuMedianMs is the work per step (process CPU, all threads); busiestThreadCpuMs is the CPU per step of the busiest thread, i.e. the step time of an idle machine with a core per thread (idleMachineRatios)',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Forward+backward of each layer op at the block's sizes, stock vs fast, in this process (CPU ms). */
async function benchOps() {
  const tf = await import('@tensorflow/tfjs-core');
  const rt = await import('@tips/runtime');
  await rt.initBackend({ backend: 'wasm' });
  const { B, T, D, heads } = BLOCK;
  const M = B * T;
  const r = new rt.Rng(3);
  const t = (shape, std = 1) => tf.tensor(r.fill(new Float32Array(shape.reduce((a, b) => a * b, 1)), (g) => g.normal(0, std)), shape);
  const x = t([B, T, D]);
  const w = t([D, 4 * D], 0.02);
  const b = t([4 * D]);
  const g = t([D]);
  const h = t([B, T, 4 * D]);
  const cases = {
    'dense 520x384x1536': [(a, ww, bb) => rt.dense(a, ww, bb), [x, w, b]],
    'layerNorm 520x384': [(a, gg, bb) => rt.layerNorm(a, gg, bb, 1e-6), [x, g, g]],
    'gelu 520x1536': [(a) => rt.gelu(a), [h]],
    'attention B8 T65 H6': [(a) => rt.multiHeadAttention(a, a, a, { heads }), [x]],
  };
  const out = {};
  for (const [name, [fn, inputs]] of Object.entries(cases)) {
    out[name] = {};
    for (const path of ['reference', 'fast']) {
      rt.setOpsPath(path);
      const run = () => tf.tidy(() => tf.grads((...xs) => tf.sum(fn(...xs)))(inputs));
      tf.dispose(run());
      const reps = 10;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) tf.dispose(run());
      const c = process.cpuUsage(c0);
      out[name][path === 'reference' ? 'stock' : 'fast'] = { wallMs: round((performance.now() - t0) / reps), cpuMs: round((c.user + c.system) / 1000 / reps) };
    }
    out[name].stockOverFastCpu = round(out[name].stock.cpuMs / out[name].fast.cpuMs);
    log(`ops ${name}: ${JSON.stringify(out[name])}`);
  }
  rt.setOpsPath('auto');
  tf.dispose([x, w, b, g, h]);
  return { note: 'forward + backward of Σ op(inputs), CPU ms per call, one thread, this process', ops: out };
}

/** Top kernels of one block training step (forward + backward + Adam), per ops path. */
async function benchProfile() {
  const tf = await import('@tensorflow/tfjs-core');
  const rt = await import('@tips/runtime');
  const { makeBlockTrainer } = await import('./block.mjs');
  await rt.initBackend({ backend: 'wasm' });
  const out = {};
  for (const path of ['reference', 'fast']) {
    rt.setOpsPath(path);
    const t = makeBlockTrainer(BLOCK);
    t.step();
    out[path === 'reference' ? 'stock' : 'fast'] = await profileKernels(tf, () => t.step(), { top: 12 });
    t.dispose();
    log(`profile ${path} done`);
  }
  rt.setOpsPath('auto');
  return { note: 'tf.profile of one block step; kernel wall ms (scale with machine load), shares and call counts', ...out };
}

if (!(await runChildIfAsked(blockChild))) {
  const filter = filterArg();
  const out = { package: '@tips/runtime', filter: filter || null, machine: machineInfo(), benches: {} };
  if (matches(filter, 'ops')) out.benches.ops = await benchOps();
  if (matches(filter, 'profile')) out.benches.profile = await benchProfile();
  if (matches(filter, 'train-block', 'block')) out.benches['train-block'] = await benchBlock();
  out.machine.loadavg1After = machineInfo().loadavg1;
  emit(out);
}
