import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@tips/runtime';
import type { StepContext } from '../loop/types';
import { syntheticTipsBatch } from '../parallel/synthetic-batch';
import { resolveTipsConfig } from './load-config';
import { TipsModel } from './model';
import { TipsObjective } from './objective';
import { MICRO_MODEL, MICRO_VOCAB } from './micro.test-support';

// model.checkpointBlocks in the TIPS objective: the student towers' blocks are checkpointed — same
// loss terms and gradients as without (tfjs's gradients of the plain path are the reference), less
// memory at the peak of the gradient step (tf.profile's peakBytes, a count of bytes, not a time).

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

function config(checkpointBlocks: boolean) {
  return resolveTipsConfig({
    patch: {
      ...MICRO_MODEL,
      model: {
        ...MICRO_MODEL.model,
        vision: { ...MICRO_MODEL.model.vision, depth: 3, dropPathRate: 0.3 },
        text: { ...MICRO_MODEL.model.text, numLayers: 2 },
        checkpointBlocks,
      },
      data: { globalSize: 42, localSize: 14, localCount: 2, batchSize: 4 },
      run: { out: mkdtempSync(join(tmpdir(), 'tips-ckpt-')), checkpointEvery: 0 },
    },
  });
}

async function gradientStep(checkpointBlocks: boolean) {
  const c = config(checkpointBlocks);
  expect(c.model.checkpointBlocks).toBe(checkpointBlocks);
  const model = await TipsModel.create(c, MICRO_VOCAB);
  const objective = new TipsObjective(model);
  const batch = syntheticTipsBatch(c, MICRO_VOCAB, 4);
  const ctx: StepContext = { step: 0, totalSteps: 10, micro: 0, lr: 0, weightDecay: 0, rng: new Rng(8) };
  objective.prepare(batch, ctx);
  const vars = objective.trainableVariables();
  let terms: Record<string, number> = {};
  let grads = new Map<string, Float32Array>();
  const n0 = tf.memory().numTensors;
  const profile = await tf.profile(() => {
    const r = tf.variableGrads(() => {
      const l = objective.loss(batch, ctx);
      terms = Object.fromEntries(Object.entries(l.terms).map(([k, v]) => [k, v.dataSync()[0]!]));
      return l.total;
    }, [...vars.values()]);
    grads = new Map([...vars].map(([name, v]) => [name, r.grads[v.name]!.dataSync() as Float32Array]));
    tf.dispose([r.value, ...Object.values(r.grads)]);
  });
  const leaked = tf.memory().numTensors - n0;
  const rngAfter = ctx.rng.uniform();
  objective.release();
  model.dispose();
  return { terms, grads, peakBytes: profile.peakBytes, rngAfter, leaked };
}

describe('model.checkpointBlocks', () => {
  it('gives the loss terms and gradients of the plain step, with a lower peak of memory', async () => {
    await gradientStep(false); // warm-up: caches the position-embedding resize matrices of these sizes
    const plain = await gradientStep(false);
    const ckpt = await gradientStep(true);
    // The gradient step leaves no tensor behind.
    expect([plain.leaked, ckpt.leaked]).toEqual([0, 0]);
    expect(Object.keys(ckpt.terms).sort()).toEqual(['clip_synthetic', 'clip_web', 'distill', 'mim']);
    for (const [k, v] of Object.entries(plain.terms)) expect({ k, err: Math.abs(ckpt.terms[k]! - v) <= 1e-5 * Math.max(1, Math.abs(v)) }).toEqual({ k, err: true });
    expect(ckpt.rngAfter).toBe(plain.rngAfter);
    expect([...ckpt.grads.keys()]).toEqual([...plain.grads.keys()]);
    const blockGrads = [...plain.grads.keys()].filter((n) => /blocks\.|resblocks\./.test(n));
    expect(blockGrads.length).toBeGreaterThan(20);
    for (const [name, g] of plain.grads) {
      let err = 0;
      let scale = 0;
      const h = ckpt.grads.get(name)!;
      for (let i = 0; i < g.length; i++) {
        err = Math.max(err, Math.abs(h[i]! - g[i]!));
        scale = Math.max(scale, Math.abs(g[i]!));
      }
      expect({ name, ok: err <= 1e-5 * scale + 1e-12 }).toEqual({ name, ok: true });
    }
    expect(ckpt.peakBytes).toBeLessThan(plain.peakBytes);
  });
});
