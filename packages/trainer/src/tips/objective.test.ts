import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@tips/runtime';
import type { TipsBatch } from '@tips/data';
import { train } from '../loop/train-loop';
import type { DataSource, StepContext } from '../loop/types';
import { resolveTipsConfig } from './load-config';
import { TipsModel } from './model';
import { VisionTransformer } from '@tips/vit-core';
import { TipsObjective } from './objective';
import type { TipsConfig } from './config';
import { MICRO_MODEL, MICRO_VOCAB, repeatBatch } from './micro.test-support';

const VOCAB = MICRO_VOCAB;
const MICRO = {
  ...MICRO_MODEL,
  data: { globalSize: 28, localSize: 14, localCount: 2, batchSize: 4 },
  optim: { lr: { peak: 3e-3, end: 3e-3, warmup: 0 }, weightDecay: { start: 0, end: 0 } },
};

function config(patch: Record<string, unknown> = {}, out = mkdtempSync(join(tmpdir(), 'tips-'))): TipsConfig {
  return resolveTipsConfig({ patch: { ...MICRO, ...patch, run: { out, checkpointEvery: 0 } } as Record<string, unknown> });
}

/** A fixed batch in @tips/data's TipsBatch layout, made from a seed. */
function fixedBatch(seed = 1): TipsBatch {
  const r = new Rng(seed);
  const B = 4;
  const tok = () => {
    const ids = new Int32Array(B * 8);
    const paddings = new Float32Array(B * 8);
    for (let b = 0; b < B; b++) {
      const len = 2 + r.int(6);
      for (let i = 0; i < 8; i++) {
        if (i < len) ids[b * 8 + i] = 1 + r.int(VOCAB - 1);
        else paddings[b * 8 + i] = 1;
      }
    }
    return { ids, paddings, shape: [B, 8] as [number, number] };
  };
  const mask = new Uint8Array(B * 4);
  for (let b = 0; b < B; b++) mask[b * 4 + r.int(4)] = 1;
  return {
    size: B,
    epoch: 0,
    position: { epoch: 0, index: B },
    ids: [0, 1, 2, 3],
    labels: new Int32Array(B).fill(-1),
    global: { data: new Float32Array(B * 28 * 28 * 3).map(() => r.uniform()), shape: [B, 28, 28, 3] },
    locals: { data: new Float32Array(2 * B * 14 * 14 * 3).map(() => r.uniform()), shape: [2, B, 14, 14, 3] },
    mask: { data: mask, shape: [B, 4] },
    webCaptions: [],
    syntheticCaptions: [],
    webTokens: tok(),
    syntheticTokens: tok(),
  };
}

const repeat = repeatBatch;

function ctx(step = 0): StepContext {
  return { step, totalSteps: 10, micro: 0, lr: 0, weightDecay: 0, rng: new Rng(step) };
}

function evalLoss(objective: TipsObjective, batch: TipsBatch): Record<string, number> {
  objective.prepare(batch, ctx());
  const out = tf.tidy(() => {
    const r = objective.loss(batch, ctx());
    return { total: r.total.dataSync()[0]!, ...Object.fromEntries(Object.entries(r.terms).map(([k, v]) => [k, v.dataSync()[0]!])) };
  });
  objective.release();
  return out;
}

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('TIPS objective', () => {
  it('one step lowers the total loss on a fixed batch, and training each term alone lowers that term; no tensor leaks', async () => {
    const fixedTeacher = { teacher: { momentum: { start: 1, end: 1 } } };
    const only = (term: 'web' | 'synthetic' | 'distill' | 'mim') => ({
      ...MICRO.objective,
      web: { enabled: term === 'web', weight: 1 },
      synthetic: { enabled: term === 'synthetic', weight: 1 },
      distill: { ...MICRO.objective.distill, enabled: term === 'distill', centreMomentum: 1 },
      mim: { ...MICRO.objective.mim, enabled: term === 'mim' },
    });
    const batch = fixedBatch();
    // Full objective, one step.
    const c = config({ ...fixedTeacher, objective: { ...MICRO.objective, distill: { ...MICRO.objective.distill, centreMomentum: 1 } } });
    const model = await TipsModel.create(c, VOCAB);
    const objective = new TipsObjective(model);
    const before = evalLoss(objective, batch);
    expect(Object.keys(before).sort()).toEqual(['clip_synthetic', 'clip_web', 'distill', 'mim', 'total']);
    const counts: number[] = [];
    // One small AdamW step (the first Adam step moves every weight by ≈ lr, so keep it small).
    await train({ trainable: objective, data: repeat(batch), steps: 1, outDir: c.run.out, lr: { peak: 3e-4 }, progress: false });
    expect(evalLoss(objective, batch).total).toBeLessThan(before.total!);
    await train({ trainable: objective, data: repeat(batch), steps: 4, outDir: mkdtempSync(join(tmpdir(), 'tips-')), lr: c.optim.lr, progress: false, onStep: (r) => counts.push(r.numTensors) });
    expect(new Set(counts.slice(1)).size).toBe(1);
    model.dispose();
    const names = { web: 'clip_web', synthetic: 'clip_synthetic', distill: 'distill', mim: 'mim' } as const;
    for (const term of ['web', 'synthetic', 'distill', 'mim'] as const) {
      const ct = config({ ...fixedTeacher, objective: only(term) });
      const m = await TipsModel.create(ct, VOCAB);
      if (m.teacherVision) {
        // A teacher that differs from the student (at init they are equal and the self-distillation
        // terms start at their floor, the teacher targets' entropy).
        const other = VisionTransformer.init(m.vision.config, { seed: 99, layerScaleInit: 0.1 });
        m.teacherVision.params.assign(other.params);
        other.dispose();
      }
      const o = new TipsObjective(m);
      const b0 = evalLoss(o, batch)[names[term]]!;
      await train({ trainable: o, data: repeat(batch), steps: 5, outDir: ct.run.out, lr: { peak: 1e-3 }, progress: false });
      const b1 = evalLoss(o, batch)[names[term]]!;
      expect({ term, lower: b1 < b0 }).toEqual({ term, lower: true });
      m.dispose();
    }
  });

  it.each([
    ['web captions only', { web: { enabled: true, weight: 1 }, synthetic: { enabled: false, weight: 1 }, dualCls: false, distill: { enabled: false }, mim: { enabled: false } }, ['clip_web']],
    ['synthetic captions only', { web: { enabled: false, weight: 1 }, synthetic: { enabled: true, weight: 1 }, dualCls: false, distill: { enabled: false }, mim: { enabled: false } }, ['clip_synthetic']],
    ['dual CLS', { distill: { enabled: false }, mim: { enabled: false } }, ['clip_synthetic', 'clip_web']],
    ['+ distillation', { mim: { enabled: false } }, ['clip_synthetic', 'clip_web', 'distill']],
    ['full TIPS (+ MIM)', {}, ['clip_synthetic', 'clip_web', 'distill', 'mim']],
  ])('ablation row "%s" trains exactly its terms', async (_name, objectivePatch, terms) => {
    const o = objectivePatch as Record<string, Record<string, unknown>>;
    const objective_ = {
      ...MICRO.objective,
      ...o,
      distill: { ...MICRO.objective.distill, ...(o.distill ?? {}) },
      mim: { ...MICRO.objective.mim, ...(o.mim ?? {}) },
    };
    const c = config({ objective: objective_ });
    const model = await TipsModel.create(c, VOCAB);
    const seen: string[][] = [];
    await train({ trainable: new TipsObjective(model), data: repeat(fixedBatch()), steps: 1, outDir: c.run.out, lr: c.optim.lr, progress: false, onStep: (r) => seen.push(Object.keys(r.terms).sort()) });
    expect(seen[0]).toEqual(terms);
    expect(model.teacherVision !== null).toBe(terms.includes('distill') || terms.includes('mim'));
    model.dispose();
  });

  it('image-only records (no web caption) take no part in the web CLIP term; the synthetic term still sees them (issue 20, item 5)', async () => {
    const objective_ = { ...MICRO.objective, distill: { ...MICRO.objective.distill, enabled: false }, mim: { ...MICRO.objective.mim, enabled: false } };
    const model = await TipsModel.create(config({ objective: objective_ }), VOCAB);
    const objective = new TipsObjective(model);
    const full = fixedBatch(3);
    const mixed: TipsBatch = { ...full, webCaptions: ['a red circle', '', 'a blue square', '  '], syntheticCaptions: ['s0', 's1', 's2', 's3'] };
    // The independent reference: the same model on a batch holding only the captioned rows 0 and 2.
    const rows = [0, 2];
    const pick = <T extends Float32Array | Int32Array | Uint8Array>(data: T, per: number): T => {
      const out = new (data.constructor as new (n: number) => T)(rows.length * per);
      rows.forEach((r, k) => out.set(data.subarray(r * per, (r + 1) * per), k * per));
      return out;
    };
    const tok = full.webTokens!;
    const sub: TipsBatch = {
      ...full,
      size: 2,
      ids: rows,
      labels: new Int32Array(2).fill(-1),
      global: { data: pick(full.global.data, 28 * 28 * 3), shape: [2, 28, 28, 3] },
      mask: { data: pick(full.mask!.data, 4), shape: [2, 4] },
      webCaptions: ['a red circle', 'a blue square'],
      webTokens: { ids: pick(tok.ids, 8), paddings: pick(tok.paddings, 8), shape: [2, 8] },
      syntheticTokens: { ids: pick(full.syntheticTokens!.ids, 8), paddings: pick(full.syntheticTokens!.paddings, 8), shape: [2, 8] },
    };
    const onMixed = evalLoss(objective, mixed);
    const onSub = evalLoss(objective, sub);
    const onFull = evalLoss(objective, full);
    expect(onMixed.clip_web).toBeCloseTo(onSub.clip_web!, 5);
    expect(Math.abs(onMixed.clip_web! - onFull.clip_web!)).toBeGreaterThan(1e-3); // the empty rows really were left out
    expect(onMixed.clip_synthetic).toBeCloseTo(onFull.clip_synthetic!, 6); // all 4 rows in the synthetic term
    // No web caption at all: the web term is 0, the synthetic term unchanged.
    const none = evalLoss(objective, { ...mixed, webCaptions: ['', '', '', ''] });
    expect(none.clip_web).toBe(0);
    expect(none.clip_synthetic).toBeCloseTo(onFull.clip_synthetic!, 6);
    const before = tf.memory().numTensors;
    evalLoss(objective, mixed);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('head-only EMA has no teacher image tower; iBOT++ counts visible tokens; SigLIP works', async () => {
    const c = config({ teacher: { momentum: { start: 0.9, end: 1 }, headOnly: true }, objective: { ...MICRO.objective, contrastive: 'sigmoid', mim: { ...MICRO.objective.mim, visibleWeight: 0.5 } } });
    const model = await TipsModel.create(c, VOCAB);
    expect(model.teacherVision).toBeNull();
    expect(model.sigLip).not.toBeNull();
    const records: { loss: number }[] = [];
    await train({ trainable: new TipsObjective(model), data: repeat(fixedBatch()), steps: 2, outDir: c.run.out, lr: c.optim.lr, progress: false, onStep: (r) => records.push(r) });
    expect(Number.isFinite(records[1]!.loss)).toBe(true);
    model.dispose();
  });

  it('resumes bit for bit (student, teacher, centres, optimiser)', async () => {
    const out1 = mkdtempSync(join(tmpdir(), 'tips-a-'));
    const c1 = config({}, out1);
    const m1 = await TipsModel.create(c1, VOCAB);
    await train({ trainable: new TipsObjective(m1), data: repeat(fixedBatch()), steps: 4, outDir: out1, lr: c1.optim.lr, progress: false, checkpointEvery: 1 });
    const straight = [...m1.stateVariables()].map(([k, v]) => [k, Array.from(v.dataSync())] as const);
    m1.dispose();

    const out2 = mkdtempSync(join(tmpdir(), 'tips-b-'));
    const c2 = config({}, out2);
    const m2 = await TipsModel.create(c2, VOCAB);
    await train({ trainable: new TipsObjective(m2), data: repeat(fixedBatch()), steps: 4, outDir: out2, lr: c2.optim.lr, progress: false, checkpointEvery: 1, stopAfter: 2 });
    m2.dispose();
    const m3 = await TipsModel.create(c2, VOCAB);
    await train({ trainable: new TipsObjective(m3), data: repeat(fixedBatch()), steps: 4, outDir: out2, lr: c2.optim.lr, progress: false, checkpointEvery: 1, resume: true });
    const resumed = new Map([...m3.stateVariables()].map(([k, v]) => [k, Array.from(v.dataSync())]));
    for (const [k, values] of straight) expect({ k, same: JSON.stringify(resumed.get(k)) === JSON.stringify(values) }).toEqual({ k, same: true });
    m3.dispose();
  });
});
