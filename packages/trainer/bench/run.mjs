// @tips/trainer benchmarks: `npm run bench -w @tips/trainer [-- filter]` prints one JSON object.
//   train-tips: the full TIPS training step — teacher forward on the global crop, student on the
//     masked global crop and the M local crops, text tower on the web and synthetic captions, both
//     CLIP terms, DINO distillation, iBOT MIM, backward, clipping, AdamW, centre and EMA updates —
//     through the real training loop (train()), for the `tiny` preset and for S/14@224 (ViT-S +
//     text-S; see tips-setup.mjs for the head sizes), side by side with a PyTorch reference of the
//     same step from the same weights and batch (tips_step.py; /usr/bin/python3 with Debian
//     python3-torch, torch.set_num_threads(2); skipped, saying why, when torch is missing):
//       single          one thread (optim.workers = 1, today's path)
//       parallel        data-parallel over os.availableParallelism() worker threads (TipsDataParallel)
//       torch           tips_step.py, 2 threads, OpenMP's default wait policy (waiting threads spin)
//       torchPassive    the same with OMP_WAIT_POLICY=PASSIVE (waiting threads sleep: on a loaded
//                       machine the spinning thread otherwise burns the CPU share its partner needs)
//       torchOneThread  tips_step.py on one thread: the per-core comparison with `single`
//     plus, for tiny, the tf.profile top kernels of one single-thread step. S runs with per-block
//     gradient checkpointing (model.checkpointBlocks, the S preset's default) at the largest batch
//     that fits (see benchS); when not even one image fits the wasm heap, it reports what failed and
//     a per-component estimate (`sEstimate`).
//   Variants run in separate child processes, alternating over passes (see compareVariants).
// Options (env): TIPS_BENCH_SIZES=tiny,S  TIPS_BENCH_PASSES (tiny, default 2)  TIPS_BENCH_STEPS (tiny, default 4)
//   TIPS_BENCH_S_BATCH (default 8)  TIPS_BENCH_S_WARMUP (0)  TIPS_BENCH_S_STEPS (1)  TIPS_BENCH_S_TORCH (default,PASSIVE,oneThread).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVariants, emit, filterArg, log, machineInfo, matches, PYTHON, profileKernels, round, runChildIfAsked, runTorch, timeSteps } from '@tips/runtime/bench/lib';
import { benchConfig, fixedBatch, vocabSizeOf, writeTorchInputs } from './tips-setup.mjs';
import { loopStepper } from './loop-stepper.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MB = 2 ** 20;

/** One variant of the TIPS step in this (child) process: timeSteps over real train() steps. */
async function tipsChild(variant, opts) {
  const tf = await import('@tensorflow/tfjs-core');
  const rt = await import('@tips/runtime');
  const trainer = await import('@tips/trainer');
  await rt.initBackend({ backend: 'wasm' });
  const config = benchConfig(opts.size, opts.patch ?? {});
  const vocab = await vocabSizeOf(opts.size);
  const batch = fixedBatch(config, vocab);
  const model = await trainer.TipsModel.create(config, vocab);
  const objective = new trainer.TipsObjective(model);
  const workers = variant === 'parallel' ? availableParallelism() : 1;
  const par = workers > 1 ? await trainer.TipsDataParallel.create({ model, objective, vocabSize: vocab, workers }) : null;
  const outDir = mkdtempSync(join(tmpdir(), 'tips-bench-run-'));
  const stepper = loopStepper({ trainer, config, batch, outDir, trainable: par?.trainable ?? objective, gradients: par?.gradients, steps: opts.warmup + opts.steps });
  const extra = { workers, batchSize: config.data.batchSize, trainedParams: [...objective.trainableVariables().values()].reduce((a, v) => a + v.size, 0) };
  const wasmHeapMB = () => round((tf.backend().wasm?.HEAPU8?.length ?? 0) / MB, 0);
  try {
    const losses = [];
    // Tensor counts come from the loop's own step records (taken after each update; the loop frees its
    // optimiser as soon as the last step is done, so a count taken after it would be lower).
    const res = await timeSteps(`${opts.size} ${variant}`, () => stepper.step(), {
      warmup: opts.warmup,
      steps: opts.steps,
      onStep: (r) => {
        losses.push(r.loss);
        if (par?.lastStep) {
          (extra.computeMsPerWorker ??= []).push(par.lastStep.computeMs.map((v) => round(v, 0)));
          (extra.reduceMs ??= []).push(round(par.lastStep.reduceMs, 1));
          (extra.workerTensors ??= []).push(par.lastStep.workerTensors);
        }
      },
    });
    await stepper.finish();
    extra.firstRecord = stepper.records[0] ? { loss: stepper.records[0].loss, terms: stepper.records[0].terms } : null;
    extra.tensorsAfterEachStep = stepper.records.map((r) => r.numTensors);
    extra.mainThreadWasmHeapMB = wasmHeapMB();
    if (opts.profile && !par) {
      // Kernel profile of one more step (teacher, student forward and backward, AdamW), outside the loop.
      extra.profile = await profileKernels(tf, () => profileStep(tf, rt, trainer, objective, batch), { top: 16 });
    }
    return { ...res, ...extra, lastLoss: losses[losses.length - 1] };
  } catch (e) {
    // S/14@224 does not fit a wasm heap today: report what failed instead of a time.
    return { failed: `${e?.constructor?.name ?? 'Error'}: ${String(e?.message ?? e).split('\n')[0]}`, mainThreadWasmHeapMB: wasmHeapMB(), ...extra };
  } finally {
    await par?.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** One single-thread step as the loop does it (prepare, tape over the loss, AdamW, afterStep), for tf.profile. */
function profileStep(tf, rt, trainer, objective, batch) {
  const ctx = { step: 0, totalSteps: 1, micro: 0, lr: 1e-4, weightDecay: 0.04, rng: new rt.Rng(0) };
  const vars = objective.trainableVariables();
  const byTf = new Map([...vars].map(([k, v]) => [v.name, k]));
  objective.prepare(batch, ctx);
  const { value, grads } = tf.variableGrads(() => objective.loss(batch, ctx).total, [...vars.values()]);
  const named = new Map(Object.entries(grads).map(([k, g]) => [byTf.get(k), g]));
  const opt = (profileStep.opt ??= new trainer.AdamW());
  opt.step(vars, named, 1e-4, 0.04);
  objective.afterStep(ctx);
  tf.dispose([value, ...named.values()]);
}

/**
 * S/14@224 per component at one image, single thread (CPU ms), for when the whole step does not fit:
 * teacher forward (+ heads), student forward + backward on the masked global crop (+ iBOT head), on
 * the 6 local crops (+ DINO head), text tower forward + backward on the two captions, and the
 * per-step update (global-norm clip, AdamW over every trained parameter, EMA of the teacher).
 */
async function partsChild(_variant, opts) {
  const tf = await import('@tensorflow/tfjs-core');
  const rt = await import('@tips/runtime');
  const trainer = await import('@tips/trainer');
  await rt.initBackend({ backend: 'wasm' });
  const config = benchConfig('S', { data: { batchSize: 1 } });
  const vocab = await vocabSizeOf('S');
  const b = fixedBatch(config, vocab);
  const m = await trainer.TipsModel.create(config, vocab);
  const t4 = (blk) => tf.tensor4d(blk.data, [blk.shape.length === 5 ? blk.shape[0] * blk.shape[1] : blk.shape[0], ...blk.shape.slice(-3)]);
  const global = t4(b.global);
  const locals = t4(b.locals);
  const mask = tf.tensor2d(b.mask.data, b.mask.shape, 'bool');
  const ids = tf.tensor2d(new Int32Array([...b.webTokens.ids, ...b.syntheticTokens.ids]), [2, b.webTokens.shape[1]], 'int32');
  const pads = tf.tensor2d(new Float32Array([...b.webTokens.paddings, ...b.syntheticTokens.paddings]), [2, b.webTokens.shape[1]]);
  const vision = [...m.vision.params.variables().values()];
  const grad = (vars, f) => () => {
    const { value, grads } = tf.variableGrads(f, vars);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const mean = (...xs) => tf.addN(xs.map((x) => tf.mean(x)));
  const parts = {
    teacherForward: () => {
      // (no typed arrays returned from tf.tidy: it would walk every element looking for tensors)
      tf.tidy(() => {
        const o = m.teacherVision.forward(global);
        m.teacherDinoHead.apply(o.cls1).dataSync();
        m.teacherIbotHead.apply(o.patches).dataSync();
      });
    },
    globalForwardBackward: grad([...vision, ...m.ibotHead.params.values()], () => {
      const o = m.vision.forward(global, { masks: mask, training: true, checkpointBlocks: config.model.checkpointBlocks });
      return mean(o.cls1, o.cls2, tf.logSoftmax(m.ibotHead.apply(o.patches)));
    }),
    localsForwardBackward: grad([...vision, ...m.dinoHead.params.values()], () => mean(tf.logSoftmax(m.dinoHead.apply(m.vision.forward(locals, { training: true, checkpointBlocks: config.model.checkpointBlocks }).cls1)))),
    textForwardBackward: grad([...m.text.params.variables().values()], () => mean(m.text.forward(ids, pads, { checkpointBlocks: config.model.checkpointBlocks }))),
  };
  const out = { note: 'CPU ms per component at batch 1, single thread (pessimistic for larger batches: per-call weight packing is amortised over fewer rows); perStepMs runs once per step whatever the batch', perImageMs: {}, perStepMs: {} };
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  for (const [name, f] of Object.entries(parts)) {
    f();
    const c0 = cpu();
    for (let i = 0; i < opts.reps; i++) f();
    out.perImageMs[name] = round((cpu() - c0) / opts.reps, 0);
    log(`S part ${name}: ${out.perImageMs[name]} ms`);
  }
  tf.dispose([global, locals, mask, ids, pads]);
  // The per-step update on every trained parameter (gradients of the right shapes).
  const train = m.trainableVariables();
  // (small enough that clipGradNorm measures the norm without replacing the gradients)
  const grads = new Map([...train].map(([k, v]) => [k, tf.randomNormal(v.shape, 0, 1e-5)]));
  const opt = new trainer.AdamW();
  const update = () => {
    const { grads: g } = trainer.clipGradNorm(grads, 3);
    opt.step(train, g, 1e-4, 0.04);
    m.emaUpdate(0.994);
  };
  update();
  const c0 = cpu();
  for (let i = 0; i < opts.reps; i++) update();
  out.perStepMs.clipAdamWEma = round((cpu() - c0) / opts.reps, 0);
  out.wasmHeapMB = round(tf.backend().wasm.HEAPU8.length / MB, 0);
  return out;
}

/**
 * The PyTorch reference under other settings, as a child variant: `torchPassive` with OpenMP's
 * passive wait policy (waiting threads sleep instead of spinning), `torchOneThread` with one thread
 * (the per-core comparison with our single-thread variant).
 */
function torchChild(variant, opts) {
  if (variant === 'torchPassive') process.env.OMP_WAIT_POLICY = 'PASSIVE';
  const r = runTorch(join(HERE, 'tips_step.py'), { ...opts, threads: variant === 'torchOneThread' ? 1 : opts.threads });
  if (r.skipped) throw new Error(r.skipped);
  return { ...r, ompWaitPolicy: process.env.OMP_WAIT_POLICY ?? 'default' };
}

async function child(variant, opts) {
  if (variant === 'parts') return partsChild(variant, opts);
  if (variant.startsWith('torch')) return torchChild(variant, opts);
  return tipsChild(variant, opts);
}

/** Whether /usr/bin/python3 can import torch (else the PyTorch columns are skipped; runTorch says why). */
function torchAvailable() {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 120000 }).status === 0;
}

/** Ratios of `a` to both PyTorch runs and to the faster of them, on the wall / CPU / busiest-thread keys. */
function torchRatios(cmp, names) {
  const best = ['torch', 'torchPassive'].filter((t) => cmp.summary[t]).sort((x, y) => cmp.summary[x].medianMs - cmp.summary[y].medianMs)[0];
  const out = { bestTorch: best ?? null };
  for (const a of names) {
    for (const t of ['torch', 'torchPassive']) {
      if (!cmp.summary[t]) continue;
      out[`${a}Over${t[0].toUpperCase()}${t.slice(1)}`] = { wall: cmp.ratio(a, t), idleMachine: cmp.ratio(a, t, 'busiestThreadCpuMs'), cpu: cmp.ratio(a, t, 'cpuMedianMs') };
    }
  }
  return out;
}

/** Runs one child of this script directly (the S variants, which may fail, and the parts probe). */
function runOwnChild(variant, opts) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', variant, JSON.stringify(opts)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * MB });
  if (r.status !== 0) return { failed: `child exited with status ${r.status}${r.signal ? ` (${r.signal})` : ''}` };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function torchSummary(t) {
  return { version: t.torch, blas: t.blas, threads: t.threads, imageTower: t.imageTower };
}

async function writeInputs(size, dir, patch = {}) {
  const rt = await import('@tips/runtime');
  const trainer = await import('@tips/trainer');
  await rt.initBackend({ backend: 'wasm' });
  const config = benchConfig(size, patch);
  const vocab = await vocabSizeOf(size);
  const model = await trainer.TipsModel.create(config, vocab);
  const npz = join(dir, `${size}.npz`);
  const sizes = await writeTorchInputs(npz, model, fixedBatch(config, vocab));
  model.dispose();
  return { npz, config, sizes };
}

function describe(config, sizes) {
  const d = config.data;
  return {
    batchSize: d.batchSize,
    globalCrop: d.globalSize,
    localCrops: `${d.localCount} × ${d.localSize}`,
    captionTokens: config.model.text.maxLen,
    vision: sizes.vision,
    text: sizes.text,
    heads: sizes.heads,
    terms: 'clip_web + clip_synthetic + distill + mim (weights 1)',
  };
}

async function benchTiny(dir) {
  const { npz, config, sizes } = await writeInputs('tiny', dir);
  const steps = Number(process.env.TIPS_BENCH_STEPS ?? 4);
  const torchArgs = { npz, threads: 2, warmup: 1, steps };
  // PyTorch twice: OpenMP's default wait policy (threads spin: fastest on an idle machine, but on a
  // loaded one the spinning thread burns the share its partner needs) and OMP_WAIT_POLICY=PASSIVE.
  const cmp = compareVariants({
    script: import.meta.url,
    variants: {
      single: { size: 'tiny', warmup: 1, steps, profile: true },
      parallel: { size: 'tiny', warmup: 1, steps },
      ...(torchAvailable() ? { torchPassive: torchArgs, torchOneThread: torchArgs } : {}),
    },
    passes: Number(process.env.TIPS_BENCH_PASSES ?? 2),
    torch: { script: join(HERE, 'tips_step.py'), args: torchArgs },
  });
  const { runs, summary } = cmp;
  const B = config.data.batchSize;
  const imagesPerSec = Object.fromEntries(
    Object.entries(summary).map(([k, s]) => [k, { wall: round((1000 * B) / s.medianMs), idleMachine: s.busiestThreadCpuMs ? round((1000 * B) / s.busiestThreadCpuMs) : null }]),
  );
  const mem = (r) => ({ peakRssMB: r.rssMB.peakProcess, rssMaxFirstThirdMB: r.rssMB.maxFirstThird, rssMaxLastThirdMB: r.rssMB.maxLastThird, tensorsAfterEachStep: r.tensorsAfterEachStep ?? null, workerTensors: r.workerTensors ?? null, wasmHeapMB: r.mainThreadWasmHeapMB ?? null });
  return {
    config: describe(config, sizes),
    summary,
    imagesPerSec,
    ratios: {
      ...torchRatios(cmp, ['single', 'parallel']),
      singleOverParallel: { wall: cmp.ratio('single', 'parallel'), idleMachine: cmp.ratio('single', 'parallel', 'busiestThreadCpuMs'), cpu: cmp.ratio('single', 'parallel', 'cpuMedianMs') },
      // Per core: our single thread against PyTorch on one thread (CPU per step, no thread waits in either).
      singleOverTorchOneThread: { wall: cmp.ratio('single', 'torchOneThread'), cpu: cmp.ratio('single', 'torchOneThread', 'cpuMedianMs') },
    },
    torch: cmp.torchSkipped ? { skipped: cmp.torchSkipped } : torchSummary(runs.torch[0]),
    firstLoss: { single: runs.single?.[0]?.firstRecord, parallel: runs.parallel?.[0]?.firstRecord, torch: runs.torch?.[0]?.firstLoss },
    parallel: { workers: runs.parallel?.[0]?.workers, computeMsPerWorker: runs.parallel?.map((r) => r.computeMsPerWorker), reduceMs: runs.parallel?.map((r) => r.reduceMs) },
    memory: Object.fromEntries(Object.entries(runs).map(([v, rs]) => [v, rs.map(mem)])),
    profileSingleThread: runs.single?.[0]?.profile,
  };
}

/**
 * S/14@224 with model.checkpointBlocks (the S preset's default), each variant at the largest batch
 * that fits its wasm heap(s) — TIPS_BENCH_S_BATCH (default 8), halved after each failure: the
 * single-thread step down to 1, the data-parallel step (one 4 GB heap per worker) down to the
 * single-thread batch. The PyTorch references (TIPS_BENCH_S_TORCH, default default,PASSIVE,oneThread)
 * run at each batch used, from the same weights and batch. A step takes minutes, so ours runs
 * TIPS_BENCH_S_WARMUP (default 0) + TIPS_BENCH_S_STEPS (default 1) steps and PyTorch 1 + 1; with 0
 * warm-up steps our time includes one-time costs (wasm compile, first XNNPACK calls: about a second
 * against a step of a minute). When even one image fails, the failure and the per-component estimate
 * (`sEstimate`) are reported instead.
 */
async function benchS(dir) {
  const warmup = Number(process.env.TIPS_BENCH_S_WARMUP ?? 0);
  const steps = Number(process.env.TIPS_BENCH_S_STEPS ?? 1);
  const B0 = Number(process.env.TIPS_BENCH_S_BATCH ?? 8);
  const summarise = (r) =>
    r.failed
      ? { failed: r.failed, wasmHeapMB: r.mainThreadWasmHeapMB ?? null, workers: r.workers ?? null, batchSize: r.batchSize ?? null }
      : {
          batchSize: r.batchSize,
          workers: r.workers,
          msPerStep: r.msPerStep.median,
          cpuMsPerStep: r.cpuMsPerStep.median,
          busiestThreadCpuMs: r.busiestThreadCpuMsPerStep,
          imagesPerSec: { wall: round((1000 * r.batchSize) / r.msPerStep.median), idleMachine: r.busiestThreadCpuMsPerStep ? round((1000 * r.batchSize) / r.busiestThreadCpuMsPerStep) : null },
          peakRssMB: r.rssMB.peakProcess,
          mainThreadWasmHeapMB: r.mainThreadWasmHeapMB,
          firstRecord: r.firstRecord,
          tensorsAfterEachStep: r.tensorsAfterEachStep,
        };
  /** Runs `variant` at B, B/2, … down to `minB`; returns the summary at the first batch that fits and every try. */
  const largestThatFits = (variant, minB) => {
    const tried = [];
    for (let B = B0; ; B = Math.max(minB, Math.floor(B / 2))) {
      log(`S ${variant}, batch ${B}`);
      const r = runOwnChild(variant, { size: 'S', warmup, steps, patch: { data: { batchSize: B } } });
      tried.push({ batchSize: B, ...(r.failed ? { failed: r.failed, wasmHeapMB: r.mainThreadWasmHeapMB ?? null } : { fits: true }) });
      if (!r.failed || B <= minB) return { result: summarise({ batchSize: B, ...r }), tried };
    }
  };
  const ours = {};
  const batchSizesTried = {};
  const single = largestThatFits('single', 1);
  ours.single = single.result;
  batchSizesTried.single = single.tried;
  const workers = availableParallelism();
  if (!ours.single.failed && B0 >= workers) {
    const par = largestThatFits('parallel', Math.max(workers, ours.single.batchSize));
    ours.parallel = par.result;
    batchSizesTried.parallel = par.tried;
  }
  const batches = [...new Set(Object.values(ours).filter((o) => !o.failed).map((o) => o.batchSize))];
  if (!batches.length) batches.push(1);
  const out = { batchSizesTried, ours, torch: {} };
  for (const B of batches) {
    const { npz, config, sizes } = await writeInputs('S', dir, { data: { batchSize: B } });
    out.config ??= { ...describe(config, sizes), batchSize: 'per variant (see ours.*.batchSize)', checkpointBlocks: config.model.checkpointBlocks };
    const torchRuns = {};
    for (const policy of (process.env.TIPS_BENCH_S_TORCH ?? 'default,PASSIVE,oneThread').split(',').filter(Boolean)) {
      const saved = process.env.OMP_WAIT_POLICY;
      if (policy === 'PASSIVE') process.env.OMP_WAIT_POLICY = 'PASSIVE';
      const t = runTorch(join(HERE, 'tips_step.py'), { npz, threads: policy === 'oneThread' ? 1 : 2, warmup: 1, steps: 1 });
      if (saved === undefined) delete process.env.OMP_WAIT_POLICY;
      else process.env.OMP_WAIT_POLICY = saved;
      torchRuns[policy] = t.skipped
        ? { skipped: t.skipped }
        : { msPerStep: t.msPerStep.median, cpuMsPerStep: t.cpuMsPerStep.median, busiestThreadCpuMs: t.busiestThreadCpuMsPerStep, peakRssMB: t.rssMB.peakProcess, firstLoss: t.firstLoss, imagesPerSec: { wall: round((1000 * B) / t.msPerStep.median), idleMachine: round((1000 * B) / t.busiestThreadCpuMsPerStep) }, ...torchSummary(t) };
      if (t.skipped) break;
    }
    out.torch[`B=${B}`] = torchRuns;
  }
  // Each of our variants against the faster 2-thread PyTorch run at its own batch size.
  out.ratios = {};
  for (const [v, o] of Object.entries(ours)) {
    if (o.failed) continue;
    const runs = out.torch[`B=${o.batchSize}`];
    const fastest = Object.entries(runs).filter(([p, r]) => p !== 'oneThread' && !r.skipped).sort((a, b) => a[1].msPerStep - b[1].msPerStep)[0];
    if (!fastest) continue;
    const [name, t] = fastest;
    out.ratios[v] = { batchSize: o.batchSize, against: `torch ${name}, B=${o.batchSize}`, wall: round(o.msPerStep / t.msPerStep), cpu: round(o.cpuMsPerStep / t.cpuMsPerStep), idleMachine: o.busiestThreadCpuMs && t.busiestThreadCpuMs ? round(o.busiestThreadCpuMs / t.busiestThreadCpuMs) : null };
    if (v === 'single' && runs.oneThread && !runs.oneThread.skipped) out.ratios.singleOverTorchOneThread = { wall: round(o.msPerStep / runs.oneThread.msPerStep), cpu: round(o.cpuMsPerStep / runs.oneThread.cpuMsPerStep) };
  }
  if (Object.values(ours).some((o) => o.failed)) {
    const B = ours.single.batchSize ?? 1;
    const torchRuns = out.torch[`B=${batches[0]}`];
    const t = ['default', 'PASSIVE'].map((p) => torchRuns[p]).filter((r) => r && !r.skipped).sort((a, b) => a.cpuMsPerStep - b.cpuMsPerStep)[0] ?? { skipped: true };
    log('S: estimating our step from its components (batch 1)');
    const p = runOwnChild('parts', { reps: 2 });
    if (!p.failed) {
      const perImage = Object.values(p.perImageMs).reduce((a, b) => a + b, 0);
      const cpuMs = B * perImage + p.perStepMs.clipAdamWEma;
      p.estimatedSingleThreadCpuMsPerStep = round(cpuMs, 0);
      if (!t.skipped) {
        // Against the PyTorch run with the least CPU per step (its work): CPU / CPU, and our
        // 2-worker idle-machine time (half the CPU) over its busiest thread.
        p.estimateOverTorchCpu = round(cpuMs / t.cpuMsPerStep);
        p.estimatedTwoWorkerIdleOverTorchBusiestThread = round(cpuMs / 2 / t.busiestThreadCpuMs);
        if (torchRuns.oneThread && !torchRuns.oneThread.skipped) p.estimateOverTorchOneThreadCpu = round(cpuMs / torchRuns.oneThread.cpuMsPerStep);
      }
    }
    out.sEstimate = p;
  }
  return out;
}

if (!(await runChildIfAsked(child))) {
  const filter = filterArg();
  const sizes = (process.env.TIPS_BENCH_SIZES ?? 'tiny,S').split(',');
  const out = { package: '@tips/trainer', filter: filter || null, machine: machineInfo(), benches: {} };
  if (matches(filter, 'train-tips')) {
    const dir = mkdtempSync(join(tmpdir(), 'tips-bench-'));
    try {
      const bench = { step: 'full TIPS training step through train(): teacher forward, student on the masked global + M local crops, text tower on web + synthetic captions, both CLIP terms, DINO distillation, iBOT MIM, backward, global-norm clipping, AdamW, centre and EMA updates; fixed seeded batch, same initial weights and batch on both sides' };
      if (sizes.includes('tiny')) bench.tiny = await benchTiny(dir);
      if (sizes.includes('S')) bench['S/14@224'] = await benchS(dir);
      bench.note = 'medianMs (wall) reflects the CPU share a busy shared machine gives each process; cpuMedianMs is the work per step (all threads); busiestThreadCpuMs is the CPU per step of the busiest thread, i.e. the step time of an idle machine with a core per thread (idleMachineRatios, imagesPerSec.idleMachine). parallel: CLIP is contrastive within each worker\'s shard (see TipsDataParallel), so its first loss differs from single/torch in the CLIP terms only';
      out.benches['train-tips'] = bench;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  out.machine.loadavg1After = machineInfo().loadavg1;
  emit(out);
}
