// @tips/runtime benchmarks. `npm run bench -w @tips/runtime [-- filter]` prints one JSON object.
//   train-block: one pre-LN transformer block (B=8, T=65, D=384, H=6) forward + backward + Adam,
//     ms/step for stock tfjs wasm (reference ops, tfjs gradients), our fast ops (one thread), our fast
//     ops data-parallel over os.availableParallelism() workers, and PyTorch (block_step.py, 2 threads).
// Each variant runs in its own child process (clean peak RSS), twice, alternating, and the step
// times of both passes are pooled: the machine may be shared, so the load is recorded too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, filterArg, log, machineInfo, matches, round, runTorch } from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONFIG = { B: 8, T: 65, D: 384, heads: 6, lr: 1e-4 };

async function childMain(variant, opts) {
  const tf = await import('@tensorflow/tfjs-core');
  const rt = await import('@tips/runtime');
  const { timeSteps } = await import('./lib.mjs');
  const { blockInit, makeBlockTrainer } = await import('./block.mjs');
  await rt.initBackend({ backend: 'wasm' });
  const { B, T, D, heads, lr } = CONFIG;
  let step;
  let cleanup = async () => {};
  const losses = [];
  const extra = {};
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
      init: { heads, lr, eps: 1e-7 },
    });
    pool.setWeights(Object.fromEntries(Object.entries(init).map(([n, v]) => [n, v.data])));
    const shards = rt.shardRanges(B, workers).map(([a, b]) => ({ x: x.slice(a * T * D, b * T * D), target: target.slice(a * T * D, b * T * D), rows: b - a, T, D }));
    extra.workers = workers;
    extra.computeMs = [];
    step = async () => {
      const r = await pool.step(shards, { update: true });
      const total = r.shardWeights.reduce((a, b) => a + b, 0);
      losses.push(r.metrics.reduce((a, m, i) => a + m.loss * r.shardWeights[i], 0) / total);
      extra.computeMs.push(r.timings.compute.map((v) => round(v, 0)));
      extra.workerTensors = r.metrics.map((m) => m.tensors);
    };
    cleanup = () => pool.close();
  }
  const res = await timeSteps(`${variant}`, step, { warmup: opts.warmup, steps: opts.steps, tf });
  await cleanup();
  return { ...res, ...extra, firstLoss: losses[0], lastLoss: losses[losses.length - 1] };
}

function runChild(variant, opts) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', variant, JSON.stringify(opts)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench child '${variant}' failed (status ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Pools the step times of several passes of one variant. */
function merge(passes) {
  const all = passes.flatMap((p) => p.wall);
  const cpu = passes.flatMap((p) => p.cpu);
  const med = (v) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  return { medianMs: round(med(all)), minMs: round(Math.min(...all)), cpuMedianMs: round(med(cpu)), steps: all.length };
}

async function benchBlock() {
  const { B, T, D, heads } = CONFIG;
  const dir = mkdtempSync(join(tmpdir(), 'tips-bench-'));
  const npz = join(dir, 'block.npz');
  try {
    const rt = await import('@tips/runtime');
    const { blockInit, makeBlockTrainer } = await import('./block.mjs');
    const init = blockInit(D);
    const { x, target } = makeBlockTrainer.data({ B, T, D });
    const tensors = Object.fromEntries(Object.entries(init).map(([n, v]) => [n, { dtype: 'float32', shape: v.shape, data: v.data }]));
    tensors.x = { dtype: 'float32', shape: [B, T, D], data: x };
    tensors.target = { dtype: 'float32', shape: [B, T, D], data: target };
    await rt.writeNpz(npz, tensors);

    const plan = {
      stock: { warmup: 1, steps: 2 },
      fast: { warmup: 1, steps: 6 },
      parallel: { warmup: 1, steps: 6 },
    };
    const passes = { stock: [], fast: [], parallel: [], torch: [] };
    const details = {};
    const torchArgs = { npz, heads, threads: 2, warmup: 2, steps: 10 };
    for (let pass = 0; pass < 2; pass++) {
      for (const v of Object.keys(plan)) {
        log(`block ${v} (pass ${pass + 1}/2)`);
        const r = runChild(v, plan[v]);
        passes[v].push({ wall: r.msPerStep.all ?? [], cpu: r.cpuMsPerStep.all ?? [] });
        details[v] = details[v] ?? [];
        details[v].push(r);
      }
      const t = runTorch(join(HERE, 'block_step.py'), torchArgs);
      details.torch = details.torch ?? [];
      details.torch.push(t);
      if (!t.skipped) passes.torch.push({ wall: t.msPerStep.all ?? [], cpu: t.cpuMsPerStep.all ?? [] });
    }
    const summary = {};
    for (const v of Object.keys(passes)) if (passes[v].length) summary[v] = merge(passes[v]);
    const torchSkipped = details.torch.find((t) => t.skipped)?.skipped;
    const ratio = (a, b) => (summary[a] && summary[b] ? round(summary[a].medianMs / summary[b].medianMs, 2) : null);
    return {
      config: { ...CONFIG, step: 'forward + backward (MSE loss) + Adam', torchThreads: 2, workers: details.parallel?.[0]?.workers },
      summary,
      ratios: {
        stockOverTorch: ratio('stock', 'torch'),
        fastOverTorch: ratio('fast', 'torch'),
        parallelOverTorch: ratio('parallel', 'torch'),
        stockOverFast: ratio('stock', 'fast'),
        stockOverParallel: ratio('stock', 'parallel'),
      },
      torch: torchSkipped ? { skipped: torchSkipped } : { version: details.torch[0].torch, blas: details.torch[0].blas, threads: details.torch[0].threads, firstLoss: details.torch[0].firstLoss },
      memory: Object.fromEntries(
        Object.entries(details).map(([v, rs]) => [
          v,
          rs.map((r) => (r.skipped ? r : { peakRssMB: r.rssMB.peakProcess, rssGrowthMBPerStep: r.rssMB.growthPerStep ?? null, rssAfterEachStepMB: r.rssMB.afterEachStep, tensors: r.tensors })),
        ]),
      ),
      losses: Object.fromEntries(Object.entries(details).map(([v, rs]) => [v, rs[0]?.skipped ? null : { first: rs[0].firstLoss, last: rs[0].lastLoss }])),
      parallelComputeMsPerWorker: details.parallel?.map((r) => r.computeMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const res = await childMain(process.argv[3], JSON.parse(process.argv[4]));
  emit(res);
} else {
  const filter = filterArg();
  const out = { package: '@tips/runtime', filter: filter || null, machine: machineInfo(), benches: {} };
  if (matches(filter, 'train-block', 'block')) out.benches['train-block'] = await benchBlock();
  out.machine.loadavg1After = machineInfo().loadavg1;
  emit(out);
}
