import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@tips/runtime';
import type { TipsBatch } from '@tips/data';
import { train, type StepRecord } from '../loop/train-loop';
import type { DataSource, StepContext } from '../loop/types';
import { TrainingDivergedError } from '../errors';
import { resolveTipsConfig } from '../tips/load-config';
import { TipsModel } from '../tips/model';
import { TipsObjective } from '../tips/objective';
import type { TipsConfig } from '../tips/config';
import { TipsDataParallel, resolveWorkers } from './tips-data-parallel';
import { sliceTipsBatch } from './tips-shard';
import { syntheticTipsBatch } from './synthetic-batch';
import { hashVariables } from './weights-hash';
import { MICRO_MODEL, MICRO_VOCAB, repeatBatch } from '../tips/micro.test-support';

// Workers load dist/tips-worker.cjs: build @tips/trainer first (turbo's test task depends on build).
const VOCAB = MICRO_VOCAB;
const MICRO = {
  ...MICRO_MODEL,
  data: { globalSize: 28, localSize: 14, localCount: 2, batchSize: 6 },
  optim: { lr: { peak: 3e-3, end: 3e-3, warmup: 0 }, weightDecay: { start: 0.04, end: 0.04 } },
  teacher: { momentum: { start: 0.9, end: 0.9 } },
};

function config(patch: Record<string, unknown> = {}): TipsConfig {
  const out = mkdtempSync(join(tmpdir(), 'tips-par-'));
  return resolveTipsConfig({ patch: { ...MICRO, ...patch, run: { out, checkpointEvery: 0, seed: 3 } } as Record<string, unknown> });
}

const repeat = repeatBatch;

const bits = (m: TipsModel) => new Map([...m.stateVariables()].map(([k, v]) => [k, Array.from(v.dataSync())]));

function sameBits(a: Map<string, number[]>, b: Map<string, number[]>): string[] {
  return [...a.keys()].filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)));
}

interface Run {
  model: TipsModel;
  records: StepRecord[];
  infos: NonNullable<TipsDataParallel['lastStep']>[];
  publishedHashes: number[];
}

/** Trains `steps` steps of a fresh seeded model on one fixed batch with `workers` workers (checkWeights on). */
async function runParallel(c: TipsConfig, batch: TipsBatch, steps: number, workers: number, extra: { stopAfter?: number; resume?: boolean; outDir?: string } = {}): Promise<Run> {
  const model = await TipsModel.create(c, VOCAB);
  const objective = new TipsObjective(model);
  const par = await TipsDataParallel.create({ model, objective, vocabSize: VOCAB, workers, checkWeights: true });
  const run: Run = { model, records: [], infos: [], publishedHashes: [] };
  try {
    await train({
      trainable: par.trainable,
      gradients: async (b, ctx) => {
        // What the main thread is about to publish: every worker must compute with exactly this.
        if (ctx.micro === 0) run.publishedHashes.push(hashVariables(model.stateVariables()));
        const r = await par.gradients(b, ctx);
        run.infos.push(par.lastStep!);
        return r;
      },
      data: repeat(batch),
      steps,
      outDir: extra.outDir ?? c.run.out,
      seed: c.run.seed,
      lr: c.optim.lr,
      weightDecay: c.optim.weightDecay,
      clipGrad: c.optim.clipGrad,
      progress: false,
      checkpointEvery: 1,
      config: c,
      stopAfter: extra.stopAfter,
      resume: extra.resume,
      onStep: (r) => run.records.push(r),
    });
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    await par.close();
    objective.release();
  }
  return run;
}

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('TipsDataParallel (2 workers)', () => {
  it('keeps every worker on the published weights, is bit-reproducible, lowers the loss and leaks no tensors', async () => {
    const c = config();
    const batch = syntheticTipsBatch(c, VOCAB, 5);
    const a = await runParallel(c, batch, 4, 2);
    const b = await runParallel(config(), batch, 4, 2);
    // Identical weights in every worker at every step: each worker's hash equals the main thread's.
    expect(a.infos.map((i) => i.weightsHashes)).toEqual(a.publishedHashes.map((h) => [h, h]));
    // Deterministic: the same losses and the same final bits (student, teacher, centres) in two runs.
    expect(b.records.map((r) => r.loss)).toEqual(a.records.map((r) => r.loss));
    expect(sameBits(bits(a.model), bits(b.model))).toEqual([]);
    // Training works through the workers.
    expect(a.records[3]!.loss).toBeLessThan(a.records[0]!.loss);
    expect(Object.keys(a.records[0]!.terms).sort()).toEqual(['clip_synthetic', 'clip_web', 'distill', 'mim']);
    // No leaks: live tensors constant from step to step in the main thread and in each worker.
    expect(new Set(a.records.slice(1).map((r) => r.numTensors)).size).toBe(1);
    expect(new Set(a.infos.slice(1).map((i) => JSON.stringify(i.workerTensors))).size).toBe(1);
    a.model.dispose();
    b.model.dispose();
  });

  it('matches the single-thread objective: whole-batch distillation, MIM and centres; CLIP within each shard', async () => {
    const c = config();
    const batch = syntheticTipsBatch(c, VOCAB, 9);
    // Reference, one thread: the loss of each half of the batch (shard-local CLIP), and the
    // whole-batch loss with its centre update after one step.
    const ref = await TipsModel.create(c, VOCAB);
    const refObjective = new TipsObjective(ref);
    const ctx: StepContext = { step: 0, totalSteps: 1, micro: 0, lr: 0, weightDecay: 0, rng: new Rng(1) };
    const evalTerms = (b: TipsBatch) => {
      refObjective.prepare(b, ctx);
      const t = tf.tidy(() => Object.fromEntries(Object.entries(refObjective.loss(b, ctx).terms).map(([k, v]) => [k, v.dataSync()[0]!])));
      refObjective.release();
      return t;
    };
    const whole = evalTerms(batch);
    const halves = [evalTerms(sliceTipsBatch(batch, 0, 3)), evalTerms(sliceTipsBatch(batch, 3, 6))];
    await train({ trainable: refObjective, data: repeat(batch), steps: 1, outDir: mkdtempSync(join(tmpdir(), 'tips-ref-')), seed: c.run.seed, lr: c.optim.lr, progress: false });
    const refCentres = [ref.dinoCentre!.center.dataSync(), ref.ibotCentre!.center.dataSync()];

    const par = await runParallel(config(), batch, 1, 2);
    const terms = par.records[0]!.terms;
    for (const k of ['distill', 'mim']) expect(terms[k]).toBeCloseTo(whole[k]!, 5);
    for (const k of ['clip_web', 'clip_synthetic']) {
      expect(terms[k]).toBeCloseTo((halves[0]![k]! + halves[1]![k]!) / 2, 5);
      expect(Math.abs(terms[k]! - whole[k]!)).toBeGreaterThan(1e-3); // shard-local, not whole-batch
    }
    const centres = [par.model.dinoCentre!.center.dataSync(), par.model.ibotCentre!.center.dataSync()];
    centres.forEach((got, i) => {
      const want = refCentres[i]!;
      expect(Math.max(...Array.from(got, (v, j) => Math.abs(v - want[j]!)))).toBeLessThan(1e-6 + 1e-5 * Math.max(...Array.from(want, Math.abs)));
      expect(Math.max(...Array.from(want, Math.abs))).toBeGreaterThan(0); // the update happened
    });
    ref.dispose();
    par.model.dispose();
  });

  it('resumes bit for bit with workers, and the NaN guard names the term', async () => {
    const c = config();
    const batch = syntheticTipsBatch(c, VOCAB, 2);
    const straight = await runParallel(c, batch, 4, 2);
    const c2 = config();
    const first = await runParallel(c2, batch, 4, 2, { stopAfter: 2 });
    first.model.dispose();
    const resumed = await runParallel(c2, batch, 4, 2, { resume: true });
    expect(resumed.records.map((r) => r.step)).toEqual([3, 4]);
    expect(sameBits(bits(straight.model), bits(resumed.model))).toEqual([]);
    straight.model.dispose();
    resumed.model.dispose();

    const bad = syntheticTipsBatch(c, VOCAB, 2);
    bad.global.data.fill(NaN);
    const err = await runParallel(config(), bad, 1, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as TrainingDivergedError).step).toBe(0);
  });

  it('runs the workers with model.checkpointBlocks (checkpointed blocks, drop path on): the same losses and weights as without', async () => {
    const withDrop = (on: boolean) => config({ model: { ...MICRO.model, vision: { ...MICRO.model.vision, dropPathRate: 0.3 }, checkpointBlocks: on } });
    const batch = syntheticTipsBatch(withDrop(false), VOCAB, 6);
    const off = await runParallel(withDrop(false), batch, 2, 2);
    const on = await runParallel(withDrop(true), batch, 2, 2);
    expect(on.model.config.model.checkpointBlocks).toBe(true);
    off.records.forEach((r, i) => {
      expect(Math.abs(on.records[i]!.loss - r.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(r.loss));
      for (const [k, v] of Object.entries(r.terms)) expect(on.records[i]!.terms[k]).toBeCloseTo(v, 5);
    });
    const a = bits(off.model);
    const b = bits(on.model);
    for (const [k, v] of a) {
      const w = b.get(k)!;
      const err = Math.max(0, ...v.map((x, j) => Math.abs(x - w[j]!)));
      expect({ k, ok: err <= 1e-5 * Math.max(1, ...v.map(Math.abs)) }).toEqual({ k, ok: true });
    }
    off.model.dispose();
    on.model.dispose();
  });

  it("resolves optim.workers ('auto' = all cores) and refuses batches smaller than the pool", async () => {
    expect(resolveWorkers(undefined)).toBe(1);
    expect(resolveWorkers('auto')).toBe(availableParallelism());
    expect(() => resolveWorkers(0)).toThrow(/positive integer/);
    const c = config({ data: { ...MICRO.data, batchSize: 1 } });
    const err = await runParallel(c, syntheticTipsBatch(c, VOCAB), 1, 2).catch((e: unknown) => e);
    expect(String(err)).toMatch(/batch of 1 cannot be split over 2 workers/);
  });
});
